/**
 * Keras 3's `.keras` archive, written and read back: the HDF5 weights file through h5wasm (loaded only
 * here, when exporting or importing), zipped with the JSON beside it. What goes where is keras.ts's job
 * (and keras-import.ts's, for files Keras wrote). `openHdf5` reads any HDF5 file without trusting it: the
 * signature and the size the superblock declares are checked before h5wasm sees the bytes, and h5wasm's
 * own errors come back as one sentence naming the file.
 */
import { inflateEntry, openZip, readZipDirectory } from '../data/zip';
import { KERAS_FORMAT_VERSION, kerasParts, type KerasParts } from './keras';
import type { Graph } from './graph';

/** h5wasm, loaded on first use; `purpose` ends the sentence when it cannot be loaded. */
async function h5(purpose = 'the Keras 3 export') {
  let mod: typeof import('h5wasm');
  try {
    mod = await import('h5wasm');
  } catch (e) {
    throw new Error(
      `${purpose} needs the HDF5 library h5wasm (an npm dependency of webgpu-lstm, loaded only when a Keras file is written or read), and it could not be loaded: ${(e as Error).message}. ` +
        'In a page without a bundler, map "h5wasm" with an import map, or use a bundled app or the CLI.',
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

// ---- reading any HDF5 file (Keras 3's model.weights.h5, Keras 2's full-model .h5) ----

/** The HDF5 signature: \x89HDF\r\n\x1a\n, at offset 0 (or 512, 1024, … after a user block). */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** The offset of the HDF5 signature (a superblock may follow a user block of 512·2ⁿ bytes), or −1. */
export function hdf5SignatureAt(bytes: Uint8Array): number {
  for (let at = 0; at + 8 <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (HDF5_SIGNATURE.every((b, i) => bytes[at + i] === b)) return at;
    if (at >= 1 << 20) break;
  }
  return -1;
}

/**
 * The size an HDF5 file's superblock declares (base address + end-of-file address), read before the
 * file reaches h5wasm: a truncated file is refused here in one sentence instead of failing inside the C
 * library. Superblock versions 0 and 1 (h5py's and h5wasm's default) keep the end-of-file address after
 * the base and free-space addresses; versions 2 and 3 after the base and extension addresses.
 */
function declaredHdf5Size(bytes: Uint8Array, at: number): number | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes[at + 8];
  let offsetSize: number;
  let baseAt: number;
  if (version === 0 || version === 1) {
    offsetSize = bytes[at + 13]!;
    baseAt = at + (version === 0 ? 24 : 28);
  } else if (version === 2 || version === 3) {
    offsetSize = bytes[at + 9]!;
    baseAt = at + 12;
  } else {
    return null;
  }
  if (offsetSize !== 8 && offsetSize !== 4) return null;
  const eofAt = baseAt + 2 * offsetSize;
  if (eofAt + offsetSize > bytes.length) return Infinity;
  const read = (p: number) => (offsetSize === 8 ? Number(view.getBigUint64(p, true)) : view.getUint32(p, true));
  return read(baseAt) + read(eofAt);
}

/** One dataset read as float32 (the dtype it had in the file, for the messages). */
export interface Hdf5Dataset {
  shape: number[];
  dtype: string;
  data: Float32Array;
}

/** An opened HDF5 file: objects by path ('a/b/c'), read on demand; `close` frees it. */
export interface Hdf5Reader {
  /** 'group', 'dataset', or null where nothing is at the path. */
  kind(path: string): 'group' | 'dataset' | null;
  /** The names in a group ([] when it is not a group). */
  keys(path: string): string[];
  /** An attribute's value (strings decoded; arrays of strings as string[]), or undefined. */
  attribute(path: string, name: string): unknown;
  /** A floating-point dataset as float32, or null when the path holds none; other dtypes are an error. */
  dataset(path: string): Hdf5Dataset | null;
  close(): void;
}

/**
 * An HDF5 file from its bytes, checked first (signature, declared size); `what` names it in every error
 * (e.g. "model.keras: model.weights.h5"), and h5wasm's errors come back as one sentence.
 */
export async function openHdf5(bytes: Uint8Array, what: string): Promise<Hdf5Reader> {
  const at = hdf5SignatureAt(bytes);
  if (at < 0) throw new Error(`${what} is not an HDF5 file (its first bytes are not the HDF5 signature)`);
  const declared = declaredHdf5Size(bytes, at);
  if (declared === null) throw new Error(`${what}: the HDF5 superblock is of a version this reader does not know (corrupt file?)`);
  if (declared > bytes.length) {
    throw new Error(`${what} is truncated: its HDF5 superblock declares ${Number.isFinite(declared) ? `${declared} bytes` : 'more bytes than it has'}, the file has ${bytes.length}`);
  }
  const { h5wasm, FS } = await h5(`reading ${what}`);
  const path = `/keras-import-${++fileCounter}.h5`;
  FS.writeFile(path, bytes);
  let f: InstanceType<typeof h5wasm.File>;
  try {
    f = new h5wasm.File(path, 'r');
  } catch (e) {
    FS.unlink(path);
    throw new Error(`${what} could not be read as HDF5 (corrupt file?): ${String((e as Error).message ?? e).split('\n')[0]}`);
  }
  const guard = <T>(where: string, read: () => T): T => {
    try {
      return read();
    } catch (e) {
      throw new Error(`${what}: ${where} could not be read (corrupt file?): ${String((e as Error).message ?? e).split('\n')[0]}`);
    }
  };
  const get = (p: string) => guard(p || '/', () => (p === '' ? f : f.get(p)));
  const decode = (v: unknown): unknown => {
    if (typeof v === 'string') return v;
    if (v instanceof Uint8Array) return new TextDecoder().decode(v).replace(/\0+$/, '');
    if (Array.isArray(v)) return v.map(decode);
    return v;
  };
  return {
    kind: (p) => {
      const item = get(p);
      return item instanceof h5wasm.Dataset ? 'dataset' : item instanceof h5wasm.Group ? 'group' : null;
    },
    keys: (p) => {
      const item = get(p);
      return item instanceof h5wasm.Group ? guard(p || '/', () => item.keys()) : [];
    },
    attribute: (p, name) => {
      const item = get(p);
      if (!(item instanceof h5wasm.Group || item instanceof h5wasm.Dataset)) return undefined;
      return guard(`the attribute ${name} of ${p || '/'}`, () => {
        const attrs = item.attrs;
        if (!Object.hasOwn(attrs, name)) return undefined;
        return decode(attrs[name]!.value);
      });
    },
    dataset: (p) => {
      const item = get(p);
      if (!(item instanceof h5wasm.Dataset)) return null;
      const { dtype, shape, value } = guard(p, () => ({ dtype: String(item.dtype), shape: item.shape ?? [], value: item.value }));
      if (!(value instanceof Float32Array || value instanceof Float64Array)) throw new Error(`${what}: ${p} holds ${dtype} values, not floating-point weights`);
      return { shape, dtype, data: Float32Array.from(value) };
    },
    close: () => {
      try {
        f.close();
      } finally {
        FS.unlink(path);
      }
    },
  };
}
