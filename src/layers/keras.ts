/**
 * Export to Keras 3's `.keras` archive: config.json (the Sequential's layers as Keras 3 serialises them),
 * metadata.json, and model.weights.h5 in Keras 3's layout (layers/<class name, deduplicated>/vars/<i>;
 * an LSTM's weights under .../cell/vars, a Bidirectional's under forward_layer/ and backward_layer/), so
 * that `keras.saving.load_model` loads it and predicts the same. The weights are already in Keras's
 * layout (gate order i, f, c, o). HDF5 is written with h5wasm, loaded only when exporting.
 */
import { inflateEntry, openZip, readZipDirectory } from '../data/zip';
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

async function h5() {
  let mod: typeof import('h5wasm');
  try {
    mod = await import('h5wasm');
  } catch (e) {
    throw new Error(
      `the Keras 3 export needs the HDF5 library h5wasm (an npm dependency of webgpu-lstm, loaded only when exporting), and it could not be loaded: ${(e as Error).message}. ` +
        'In a page without a bundler, map "h5wasm" with an import map, or export from a bundled app or the CLI (--export-keras).',
    );
  }
  const { FS } = await mod.default.ready;
  return { h5wasm: mod.default, FS: FS! };
}

let fileCounter = 0;

export async function toKeras(graph: Graph, name: string, values: ReadonlyMap<string, Float32Array>): Promise<Uint8Array> {
  const { h5wasm, FS } = await h5();
  const path = `/keras-export-${++fileCounter}.weights.h5`;
  const f = new h5wasm.File(path, 'w');
  let bytes: Uint8Array;
  try {
    const groups = new Set<string>();
    const group = (p: string) => {
      const parts = p.split('/');
      for (let i = 1; i <= parts.length; i++) {
        const g = parts.slice(0, i).join('/');
        if (!groups.has(g)) {
          f.create_group(g);
          groups.add(g);
        }
      }
      return f.get(p) as InstanceType<typeof h5wasm.Group>;
    };
    group('vars').create_attribute('name', name);
    for (const w of kerasWeightPaths(graph)) {
      const fresh = !groups.has(w.group);
      const g = group(w.group);
      if (fresh) g.create_attribute('name', w.varsName);
      if (w.index < 0) continue;
      const shape = graph.layers.flatMap((b) => b.weights).find((x) => x.name === w.weight)!.shape;
      const data = values.get(w.weight);
      if (!data) throw new Error(`export: missing weight "${w.weight}"`);
      g.create_dataset({ name: String(w.index), data: Float32Array.from(data), shape, dtype: '<f' });
    }
  } finally {
    f.close();
  }
  try {
    bytes = FS.readFile(path);
  } finally {
    FS.unlink(path);
  }
  const JSZip = (await import('jszip')).default;
  const zip = new JSZip();
  zip.file('metadata.json', JSON.stringify({ keras_version: KERAS_FORMAT_VERSION, date_saved: new Date().toISOString().slice(0, 19).replace('T', '@') }));
  zip.file('config.json', JSON.stringify(kerasConfig(graph, name)));
  zip.file('model.weights.h5', bytes);
  return zip.generateAsync({ type: 'uint8array', compression: 'STORE' });
}

/** Read back an exported archive (tests and tools): its JSON and every dataset of the weights file. */
export async function readKeras(bytes: Uint8Array): Promise<{ config: unknown; metadata: unknown; datasets: Map<string, { shape: number[]; data: Float32Array }> }> {
  const zip = await openZip(bytes);
  const entry = (n: string) => {
    const e = readZipDirectory(bytes).find((x) => x.name === n);
    if (!e) throw new Error(`not a .keras archive: ${n} is missing`);
    return inflateEntry(zip, e);
  };
  const text = async (n: string) => JSON.parse(new TextDecoder().decode(await entry(n))) as unknown;
  const { h5wasm, FS } = await h5();
  const path = `/keras-read-${++fileCounter}.weights.h5`;
  FS.writeFile(path, await entry('model.weights.h5'));
  const f = new h5wasm.File(path, 'r');
  const datasets = new Map<string, { shape: number[]; data: Float32Array }>();
  try {
    const walk = (g: InstanceType<typeof h5wasm.Group>, prefix: string) => {
      for (const k of g.keys()) {
        const item = g.get(k);
        const p = prefix ? `${prefix}/${k}` : k;
        if (item instanceof h5wasm.Dataset) datasets.set(p, { shape: item.shape ?? [], data: Float32Array.from(item.value as Float32Array) });
        else if (item instanceof h5wasm.Group) walk(item, p);
      }
    };
    walk(f, '');
  } finally {
    f.close();
    FS.unlink(path);
  }
  return { config: await text('config.json'), metadata: await text('metadata.json'), datasets };
}
