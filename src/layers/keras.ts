/**
 * Export to Keras 3's `.keras` archive: config.json (the Sequential's layers as Keras 3 serialises them),
 * metadata.json, and model.weights.h5 in Keras 3's layout (layers/<class name, deduplicated>/vars/<i>;
 * an LSTM's weights under .../cell/vars, a Bidirectional's under forward_layer/ and backward_layer/), so
 * that `keras.saving.load_model` loads it and predicts the same. The weights are already in Keras's
 * layout (gate order i, f, c, o). This file says what goes where (plain data, no HDF5); keras-archive.ts
 * writes it.
 */
import { SNAKE, type BuiltLayer, type Graph } from './graph';
import type { LstmLayer } from './specs';

/** The Keras version whose format this writes (and that the Python check loads it with). */
export const KERAS_FORMAT_VERSION = '3.15.1';

const layerRef = (class_name: string, config: Record<string, unknown>, build?: ReadonlyArray<number | null>) => ({
  module: 'keras.layers',
  class_name,
  config,
  registered_name: null,
  ...(build ? { build_config: { input_shape: [null, ...build] } } : {}),
});

function lstmConfig(name: string, l: LstmLayer): Record<string, unknown> {
  return {
    name, trainable: true, dtype: 'float32',
    units: l.units, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true, unit_forget_bias: true,
    dropout: l.dropout, recurrent_dropout: l.recurrentDropout,
    return_sequences: l.returnSequences, return_state: false, go_backwards: l.goBackwards, stateful: false, unroll: false,
  };
}

function layerConfig(b: BuiltLayer) {
  const l = b.layer;
  switch (l.className) {
    case 'Embedding':
      return layerRef('Embedding', { name: b.name, trainable: true, dtype: 'float32', input_dim: l.inputDim, output_dim: l.outputDim, mask_zero: l.maskZero }, b.inputShape);
    case 'SpatialDropout1D':
      return layerRef('SpatialDropout1D', { name: b.name, dtype: 'float32', rate: l.rate });
    case 'Dropout':
      return layerRef('Dropout', { name: b.name, trainable: true, dtype: 'float32', rate: l.rate });
    case 'LSTM':
      return layerRef('LSTM', lstmConfig(b.name, l), b.inputShape);
    case 'Bidirectional':
      return layerRef('Bidirectional', { name: b.name, trainable: true, dtype: 'float32', merge_mode: 'concat', layer: { module: 'keras.layers', class_name: 'LSTM', config: lstmConfig(`forward_${b.innerName}`, l.layer), registered_name: null } }, b.inputShape);
    case 'Dense':
      return layerRef('Dense', { name: b.name, trainable: true, dtype: 'float32', units: l.units, activation: l.activation, use_bias: true }, b.inputShape);
  }
}

export function kerasConfig(graph: Graph, name: string): Record<string, unknown> {
  const inputShape = [null, ...graph.input.shape];
  return {
    module: 'keras',
    class_name: 'Sequential',
    config: {
      name,
      trainable: true,
      dtype: 'float32',
      layers: [
        { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: inputShape, dtype: 'float32', sparse: false, ragged: false, name: 'input_layer' }, registered_name: null },
        ...graph.layers.map(layerConfig),
      ],
    },
    registered_name: null,
    build_config: { input_shape: inputShape },
  };
}

/** Where each weight goes in model.weights.h5 (index −1: an empty vars group), and each vars group's name attribute. */
export function kerasWeightPaths(graph: Graph): Array<{ group: string; index: number; weight: string; varsName: string }> {
  const used = new Set<string>();
  const out: Array<{ group: string; index: number; weight: string; varsName: string }> = [];
  for (const b of graph.layers) {
    // Keras 3 keys a model's layers by class name in snake case, deduplicated in order: dense, dense_1, …
    const base = SNAKE[b.layer.className];
    let key = base;
    for (let i = 1; used.has(key); i++) key = `${base}_${i}`;
    used.add(key);
    const prefix = `layers/${key}`;
    // Every object has a vars group named after it (empty when its variables live in a cell).
    const empty = (group: string, varsName: string) => out.push({ group, index: -1, weight: '', varsName });
    if (b.layer.className === 'LSTM') {
      empty(`${prefix}/vars`, b.name);
      b.weights.forEach((w, i) => out.push({ group: `${prefix}/cell/vars`, index: i, weight: w.name, varsName: 'lstm_cell' }));
    } else if (b.layer.className === 'Bidirectional') {
      empty(`${prefix}/vars`, b.name);
      for (const dir of ['forward', 'backward']) empty(`${prefix}/${dir}_layer/vars`, `${dir}_${b.innerName}`);
      b.weights.forEach((w, i) => out.push({ group: `${prefix}/${i < 3 ? 'forward' : 'backward'}_layer/cell/vars`, index: i % 3, weight: w.name, varsName: 'lstm_cell' }));
    } else {
      empty(`${prefix}/vars`, b.name);
      b.weights.forEach((w, i) => out.push({ group: `${prefix}/vars`, index: i, weight: w.name, varsName: b.name }));
    }
  }
  return out;
}

/**
 * Everything a `.keras` archive holds, as plain data (structured-cloneable: a Worker computes it, the
 * page writes the archive): the configuration, the model's name, and each vars group of the weights
 * file with its name attribute and its datasets in order.
 */
export interface KerasParts {
  name: string;
  config: Record<string, unknown>;
  groups: Array<{ group: string; varsName: string; datasets: Array<{ index: number; shape: number[]; data: Float32Array }> }>;
}

export function kerasParts(graph: Graph, name: string, values: ReadonlyMap<string, Float32Array>): KerasParts {
  const shapes = new Map(graph.layers.flatMap((b) => b.weights).map((w) => [w.name, w.shape] as const));
  const groups: KerasParts['groups'] = [];
  for (const w of kerasWeightPaths(graph)) {
    let g = groups.find((x) => x.group === w.group);
    if (!g) groups.push((g = { group: w.group, varsName: w.varsName, datasets: [] }));
    if (w.index < 0) continue;
    const data = values.get(w.weight);
    if (!data) throw new Error(`export: missing weight "${w.weight}"`);
    g.datasets.push({ index: w.index, shape: [...shapes.get(w.weight)!], data: Float32Array.from(data) });
  }
  return { name, config: kerasConfig(graph, name), groups };
}
