/**
 * `loadModel`: one entry for every model file — the files this library writes (layers models, sentiment
 * models, language models, in this version's format or 0.2's), answering with the right object, which
 * says what it is in `kind` ('layers' | 'sentiment' | 'language-model', so TypeScript narrows on it) —
 * and models from elsewhere, read into a layers model (a Sequential): Keras 3 `.keras` archives, Keras 2
 * / tf.keras full-model `.h5` files and TF.js Layers models (model.json and its weight shards, from a URL,
 * from the files a user drops, or as `{ modelJson, weightsBin }`). The format is told from the bytes, not
 * the name. Anything else (another zip, a truncated file, a file from a newer version, a layer or option
 * this engine has not got) is refused with one sentence naming what was found, before any GPU work.
 */
import type { Engine } from './engine/engine';
import { IMPORT_SEED, peekKind, type ModelKind } from './layers/file';
import { loadSequential, sequentialFromFile, type Sequential } from './layers/sequential';
import { LanguageModel } from './lm/language-model';
import { SentimentModel } from './sentiment/sentiment-model';
import { openModelZip } from './layers/model-zip';
import { isZip } from './data/zip';
import type { ImportedModel } from './layers/keras-import';
import type { TfjsModelArtifacts, TfjsWeightData } from './layers/tfjs-import';

export type { TfjsModelArtifacts } from './layers/tfjs-import';

/** What a model file holds, as the object that uses it. */
export type LoadedModel = Sequential | SentimentModel | LanguageModel;

/**
 * A model file: its bytes, its address (http(s), blob: or data: URL; a TF.js model.json's shards are
 * fetched beside it; in Node, read a file with fs and pass its bytes), a `File`/`Blob`, several files (a
 * TF.js model.json and its .bin shards, e.g. a drop or an <input multiple>), or TF.js artifacts
 * `{ modelJson, weightsBin }` (what exportTfjs returns).
 */
export type ModelSource = Uint8Array | ArrayBuffer | string | URL | Blob | ArrayLike<Blob> | TfjsModelArtifacts;

/** Options of loadModel. */
export interface LoadModelOptions {
  engine?: Engine;
  /** The file's name, for the sentences that refuse it (known already for a URL or a File). */
  name?: string;
  /** The seed of a Keras or TF.js model's dropout masks and shuffles (default 141; a file of this library keeps its own). */
  seed?: number | string;
}

/** A source as bytes (with its name when known, and how to get the shards a TF.js model.json names), or TF.js artifacts. */
type Opened =
  | { bytes: Uint8Array; label: string | null; shard: ((path: string) => Promise<Uint8Array>) | null }
  | { artifacts: TfjsModelArtifacts; label: string | null };

const u8 = (b: Uint8Array | ArrayBuffer) => (b instanceof Uint8Array ? b : new Uint8Array(b));

async function fetchBytes(url: string): Promise<Uint8Array> {
  let r: Response;
  try {
    r = await fetch(url);
  } catch (e) {
    throw new Error(`loadModel: fetching ${url} failed: ${(e as Error).message}`);
  }
  if (!r.ok) throw new Error(`loadModel: fetching ${url} answered ${r.status} ${r.statusText}`);
  return new Uint8Array(await r.arrayBuffer());
}

const isBlob = (v: unknown): v is Blob => typeof Blob !== 'undefined' && v instanceof Blob;
const nameOf = (b: Blob) => ('name' in b && typeof b.name === 'string' && b.name ? b.name : null);

/** Several files: a TF.js model.json and its shards (found by name), or a single model file. */
async function openFiles(list: ArrayLike<Blob>): Promise<Opened> {
  const files = Array.from(list);
  if (!files.every(isBlob)) throw new Error('loadModel: give files (File objects), bytes, a URL or { modelJson, weightsBin }');
  const names = files.map((f) => nameOf(f) ?? '(unnamed)');
  const jsons = files.filter((f) => /\.json$/i.test(nameOf(f) ?? ''));
  if (jsons.length === 0) {
    if (files.length === 1) return { bytes: new Uint8Array(await files[0]!.arrayBuffer()), label: nameOf(files[0]!), shard: null };
    throw new Error(`loadModel: none of the files given (${names.join(', ')}) is a model.json; give one model file, or a TF.js model.json with its .bin shards`);
  }
  const json = jsons.length === 1 ? jsons[0]! : jsons.find((f) => nameOf(f) === 'model.json');
  if (!json) throw new Error(`loadModel: the files given hold several .json files (${jsons.map(nameOf).join(', ')}) and none is named model.json`);
  const label = nameOf(json);
  const shard = async (path: string) => {
    const base = path.split('/').pop();
    const f = files.find((x) => nameOf(x) === path || nameOf(x) === base);
    if (!f) throw new Error(`${label}: its weight shard "${path}" is not among the files given (${names.join(', ')})`);
    return new Uint8Array(await f.arrayBuffer());
  };
  return { bytes: new Uint8Array(await json.arrayBuffer()), label, shard };
}

async function openSource(source: ModelSource): Promise<Opened> {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return { bytes: u8(source), label: null, shard: null };
  if (isBlob(source)) return { bytes: new Uint8Array(await source.arrayBuffer()), label: nameOf(source), shard: null };
  if (typeof source === 'string' || source instanceof URL) {
    const url = String(source);
    if (!/^(https?|blob|data):/i.test(url)) {
      throw new Error(`loadModel: "${url}" is not an http(s), blob: or data: URL; give the file's bytes (in Node: fs.readFileSync(path))`);
    }
    const bytes = await fetchBytes(url);
    const label = /^https?:/i.test(url) ? decodeURIComponent(new URL(url).pathname.split('/').pop() || '') || url : null;
    // A model.json's shards lie beside it (their paths are relative to it).
    return { bytes, label, shard: (path) => fetchBytes(new URL(path, url).href) };
  }
  if (typeof source === 'object' && source !== null && 'modelJson' in source) {
    const a = source as TfjsModelArtifacts;
    if (!(a.weightsBin instanceof Uint8Array || a.weightsBin instanceof ArrayBuffer)) throw new Error('loadModel: { modelJson, weightsBin } needs weightsBin as a Uint8Array or an ArrayBuffer');
    return { artifacts: a, label: null };
  }
  if (typeof source === 'object' && source !== null && typeof (source as ArrayLike<Blob>).length === 'number') return openFiles(source as ArrayLike<Blob>);
  throw new Error('loadModel: give the model file\'s bytes, a URL, a File, the files of a TF.js model, or { modelJson, weightsBin }');
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const isHdf5 = (b: Uint8Array) => b.length >= 8 && HDF5_SIGNATURE.every((x, i) => b[i] === x);
/** The first character that is not white space is "{" (a model.json). */
function isJsonObject(b: Uint8Array): boolean {
  for (let i = 0; i < Math.min(b.length, 64); i++) {
    if (b[i] === 0x7b) return true;
    if (![0x20, 0x09, 0x0a, 0x0d, 0xef, 0xbb, 0xbf].includes(b[i]!)) return false;
  }
  return false;
}
/** The entries a Keras 3 archive begins with (Keras writes metadata.json first). */
const KERAS_ENTRIES = ['metadata.json', 'config.json', 'model.weights.h5'];

/**
 * A model from another library, read and checked (no GPU work); null when the bytes are not one of
 * those formats (then they are this library's own file, or a sentence says what they are not).
 */
async function importForeign(opened: Opened): Promise<ImportedModel | null> {
  if ('artifacts' in opened) {
    const { importTfjs } = await import('./layers/tfjs-import');
    return importTfjs(opened.artifacts.modelJson, { all: u8(opened.artifacts.weightsBin) }, opened.label ?? 'model.json');
  }
  const { bytes, label, shard } = opened;
  if (isZip(bytes)) {
    const k = await import('./layers/keras-import');
    const dir = k.zipDirectory(bytes);
    if (!dir) {
      const first = k.firstZipEntryName(bytes);
      if (first && KERAS_ENTRIES.includes(first)) throw new Error(`${label ?? 'the .keras archive'} is truncated or corrupt: it has no zip central directory (the end of the file is missing)`);
      return null;
    }
    const kind = k.foreignZipKind(dir);
    if (kind === 'keras') return k.importKeras3(bytes, dir, label ?? 'the .keras archive');
    if (kind === 'tfjs') {
      // A TF.js model zipped: model.json and its shards, relative to model.json's folder.
      const { importTfjs } = await import('./layers/tfjs-import');
      const { inflateEntry, openZip } = await import('./data/zip');
      const json = dir.find((e) => /(^|\/)model\.json$/.test(e.name))!;
      const folder = json.name.slice(0, json.name.length - 'model.json'.length);
      const zip = await openZip(bytes);
      const entry = (name: string) => {
        const e = dir.find((x) => x.name === name);
        if (!e) throw new Error(`${label ?? 'the zip'}: ${name} is missing (model.json lists it as a weight shard)`);
        return inflateEntry(zip, e);
      };
      return importTfjs(await entry(json.name), { shard: (p) => entry(folder + p.replace(/^\.\//, '')) }, `${label ? `${label}: ` : ''}${json.name}`);
    }
    return null;
  }
  if (isHdf5(bytes)) {
    const { importKeras2 } = await import('./layers/keras-import');
    return importKeras2(bytes, label ?? 'the .h5 file');
  }
  if (isJsonObject(bytes)) {
    const name = label ?? 'model.json';
    if (!shard) throw new Error(`${name}: a TF.js model.json needs its weight shards: give its URL, the files together ([model.json, ...shards]), or { modelJson, weightsBin }`);
    const { importTfjs } = await import('./layers/tfjs-import');
    return importTfjs(bytes, { shard } satisfies TfjsWeightData, name);
  }
  return null;
}

/**
 * @internal A model from Keras or TF.js (as loadModel takes it), read and checked without any GPU work; null
 * when the source is not one of those formats (a file of this library, say). The element's page reads a
 * Keras file's HDF5 weights with it, where the HDF5 library loads, before its Worker gets the model.
 */
export async function readForeignModel(source: ModelSource, opts: { name?: string } = {}): Promise<ImportedModel | null> {
  let opened = await openSource(source);
  if (opts.name !== undefined) opened = { ...opened, label: opts.name };
  return importForeign(opened);
}

async function sequentialOf(m: ImportedModel, opts: { engine?: Engine }, seed: number | string = IMPORT_SEED): Promise<Sequential> {
  return sequentialFromFile({ graph: m.graph, values: m.values, name: m.name, seed, compile: m.compile, metadata: undefined, training: null, kind: 'layers', preset: null }, opts);
}

/** The kind of model a file holds, read from its manifest alone (no GPU work); null when it is not a model file this build knows. */
export async function modelKindOf(bytes: Uint8Array | ArrayBuffer): Promise<ModelKind | null> {
  const b = u8(bytes);
  if (isHdf5(b)) return 'layers';
  if (isZip(b)) {
    const k = await import('./layers/keras-import');
    const dir = k.zipDirectory(b);
    if (dir && k.foreignZipKind(dir)) return 'layers';
  }
  let opened;
  try {
    opened = await openModelZip(bytes);
  } catch {
    return null;
  }
  return peekKind(opened.manifest);
}

/** The object of each kind of model file. */
export interface ModelOfKind {
  layers: Sequential;
  sentiment: SentimentModel;
  'language-model': LanguageModel;
}

/**
 * Load a model file written by any model's `save()` — a Sequential, a SentimentModel or a LanguageModel
 * (narrow on `kind`) — or a model from Keras 3 (.keras), Keras 2 (.h5) or TF.js (model.json and its
 * shards), which loads as a Sequential: compiled when the file's compile settings all have an equivalent
 * here, else uncompiled (call compile). With `kind`, the file must be of that kind (else a sentence says
 * what it is) and the answer is typed as that model.
 */
export function loadModel<K extends ModelKind>(source: ModelSource, opts: LoadModelOptions & { kind: K }): Promise<ModelOfKind[K]>;
export function loadModel(source: ModelSource, opts?: LoadModelOptions): Promise<LoadedModel>;
export async function loadModel(source: ModelSource, opts: LoadModelOptions & { kind?: ModelKind } = {}): Promise<LoadedModel> {
  const o = opts.engine ? { engine: opts.engine } : {};
  let opened = await openSource(source);
  if (opts.name !== undefined) opened = { ...opened, label: opts.name };
  const foreign = await importForeign(opened);
  if (foreign) {
    if (opts.kind && opts.kind !== 'layers') throw new Error(`loadModel: ${foreign.label} is a model from Keras or TF.js (a layers model), not a ${opts.kind} model`);
    return sequentialOf(foreign, o, opts.seed);
  }
  // (TF.js artifacts always import above: what is left is bytes.)
  const zip = await openModelZip((opened as { bytes: Uint8Array }).bytes);
  const kind = peekKind(zip.manifest);
  if (opts.kind && kind && kind !== opts.kind) throw new Error(`loadModel: this is a ${kind} model file, not a ${opts.kind} model`);
  if (kind === 'sentiment') return SentimentModel.fromFile(zip, o);
  if (kind === 'language-model') return LanguageModel.fromFile(zip, o);
  // Layers models, and everything else: decoding says what is wrong with the file.
  return (await loadSequential(zip, o)).model;
}
