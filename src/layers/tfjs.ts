/**
 * Export to the TF.js Layers format: `model.json` (a Keras Sequential topology and a weights manifest)
 * and one `weights.bin`, so `tf.loadLayersModel` loads the model and predicts the same. Weights already
 * carry TF.js's names and Keras's layout (LSTM gate order i, f, c, o), so export is a description (each
 * layer's config from its kind's rule, rules.ts) and a copy. `layersFromTfjs` reads a model.json back into
 * layer specs.
 */
import type { Graph } from './graph';
import { layersFromConfigs, ruleOf, sequentialLayers } from './rules';
import type { Layer } from './specs';

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
    const { class_name, config } = ruleOf(b.layer).tfjs.toConfig(b);
    return { class_name, config: { ...config, ...(i === 0 ? { batch_input_shape: [null, ...graph.input.shape], dtype: 'float32' } : {}) } };
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

/** The layers of a TF.js Layers model (model.json, or its modelTopology) as specs, each read by its rule and checked by its factory. */
export function layersFromTfjs(json: unknown): Layer[] {
  const topology = json !== null && typeof json === 'object' && 'modelTopology' in json ? (json as { modelTopology: unknown }).modelTopology : json;
  return layersFromConfigs(sequentialLayers(topology), 'tfjs');
}
