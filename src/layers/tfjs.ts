/**
 * Export to the TF.js Layers format: `model.json` (a Keras Sequential topology and a weights manifest)
 * and one `weights.bin`, so `tf.loadLayersModel` loads the model and predicts the same. Weights already
 * carry TF.js's names and Keras's layout (LSTM gate order i, f, c, o), so export is a description and a copy.
 */
import type { Graph } from './graph';
import type { LstmLayer } from './specs';

export interface TfjsArtifacts {
  /** The parsed content of model.json. */
  modelJson: {
    format: 'layers-model';
    generatedBy: string;
    convertedBy: null;
    modelTopology: unknown;
    weightsManifest: Array<{ paths: string[]; weights: Array<{ name: string; shape: number[]; dtype: 'float32' }> }>;
  };
  /** The content of weights.bin (little-endian float32, in manifest order). */
  weightsBin: Uint8Array;
}

/** A Keras LSTM layer's config as TF.js reads it. */
export function lstmConfig(name: string, l: Pick<LstmLayer, 'units' | 'returnSequences' | 'goBackwards' | 'dropout' | 'recurrentDropout'>): Record<string, unknown> {
  return {
    name,
    trainable: true,
    units: l.units,
    activation: 'tanh',
    recurrent_activation: 'sigmoid',
    use_bias: true,
    unit_forget_bias: true,
    dropout: l.dropout,
    recurrent_dropout: l.recurrentDropout,
    implementation: 2,
    return_sequences: l.returnSequences,
    return_state: false,
    go_backwards: l.goBackwards,
    stateful: false,
    unroll: false,
  };
}

/** model.json and weights.bin from a Keras layer list and the weights in manifest order. */
export function tfjsArtifacts(name: string, layers: unknown[], weights: ReadonlyArray<{ name: string; shape: number[]; values: Float32Array }>): TfjsArtifacts {
  const data = new Float32Array(weights.reduce((s, w) => s + w.values.length, 0));
  let o = 0;
  for (const w of weights) {
    data.set(w.values, o);
    o += w.values.length;
  }
  return {
    modelJson: {
      format: 'layers-model',
      generatedBy: 'webgpu-lstm',
      convertedBy: null,
      modelTopology: { class_name: 'Sequential', config: { name, layers }, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' },
      weightsManifest: [{ paths: ['weights.bin'], weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' as const })) }],
    },
    weightsBin: new Uint8Array(data.buffer),
  };
}

export function toTfjs(graph: Graph, name: string, values: ReadonlyMap<string, Float32Array>): TfjsArtifacts {
  const layers = graph.layers.map((b, i) => {
    const l = b.layer;
    const input = i === 0 ? { batch_input_shape: [null, ...graph.input.shape], dtype: 'float32' } : {};
    switch (l.className) {
      case 'Embedding':
        return {
          class_name: 'Embedding',
          config: { name: b.name, trainable: true, input_dim: l.inputDim, output_dim: l.outputDim, mask_zero: l.maskZero, ...(graph.input.shape[0] !== null ? { input_length: graph.input.shape[0] } : {}), ...input },
        };
      case 'SpatialDropout1D':
      case 'Dropout':
        return { class_name: l.className, config: { name: b.name, trainable: true, rate: l.rate, ...input } };
      case 'LSTM':
        return { class_name: 'LSTM', config: { ...lstmConfig(b.name, l), ...input } };
      case 'Bidirectional':
        return { class_name: 'Bidirectional', config: { name: b.name, trainable: true, merge_mode: 'concat', layer: { class_name: 'LSTM', config: lstmConfig(b.innerName!, l.layer) }, ...input } };
      case 'Dense':
        return { class_name: 'Dense', config: { name: b.name, trainable: true, units: l.units, activation: l.activation, use_bias: true, ...input } };
    }
  });
  const weights = graph.layers.flatMap((b) =>
    b.weights.map((w) => {
      const v = values.get(w.name);
      if (!v) throw new Error(`export: missing weight "${w.name}"`);
      return { ...w, values: v };
    }),
  );
  return tfjsArtifacts(name, layers, weights);
}
