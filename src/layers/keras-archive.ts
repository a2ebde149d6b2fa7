/**
 * Keras 3's `.keras` archive, written and read back: the HDF5 weights file through h5wasm (loaded only
 * here, when exporting), zipped with the JSON beside it. What goes where is keras.ts's job.
 */
import { inflateEntry, openZip, readZipDirectory } from '../data/zip';
import { KERAS_FORMAT_VERSION, kerasParts, type KerasParts } from './keras';
import type { Graph } from './graph';

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

/** The `.keras` archive (config.json, metadata.json, model.weights.h5) of what kerasParts() gathered. */
export async function writeKeras(parts: KerasParts): Promise<Uint8Array> {
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
    group('vars').create_attribute('name', parts.name);
    for (const p of parts.groups) {
      const g = group(p.group);
      g.create_attribute('name', p.varsName);
      for (const d of p.datasets) g.create_dataset({ name: String(d.index), data: d.data, shape: d.shape, dtype: '<f' });
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
  zip.file('config.json', JSON.stringify(parts.config));
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

/** The archive of a graph and its weights (keras.ts's parts, written). */
export function toKeras(graph: Graph, name: string, values: ReadonlyMap<string, Float32Array>): Promise<Uint8Array> {
  return writeKeras(kerasParts(graph, name, values));
}
