/**
 * `loadModel`: one entry for every file this library writes — layers models, sentiment models,
 * language models, in this version's format or 0.2's — answering with the right object, which says
 * what it is in `kind` ('layers' | 'sentiment' | 'language-model', so TypeScript narrows on it). Anything
 * else (another zip, a truncated file, a file from a newer version) is refused with one sentence naming
 * what was found, before any GPU work.
 */
import type { Engine } from './engine/engine';
import { peekKind, type ModelKind } from './layers/file';
import { loadSequential, type Sequential } from './layers/sequential';
import { LanguageModel } from './lm/language-model';
import { SentimentModel } from './sentiment/sentiment-model';
import { openModelZip } from './layers/model-zip';

/** What a model file holds, as the object that uses it. */
export type LoadedModel = Sequential | SentimentModel | LanguageModel;

/** The file's bytes, or the address of a file to fetch (http(s), blob: or data: URL; in Node, read a file with fs and pass its bytes). */
export type ModelSource = Uint8Array | ArrayBuffer | string | URL;

async function bytesOf(source: ModelSource): Promise<Uint8Array | ArrayBuffer> {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return source;
  const url = String(source);
  if (!/^(https?|blob|data):/i.test(url)) {
    throw new Error(`loadModel: "${url}" is not an http(s), blob: or data: URL; give the file's bytes (in Node: fs.readFileSync(path))`);
  }
  const r = await fetch(url);
  if (!r.ok) throw new Error(`loadModel: fetching ${url} answered ${r.status} ${r.statusText}`);
  return r.arrayBuffer();
}

/** The kind of model a file holds, read from its manifest alone (no GPU work); null when it is not a model file this build knows. */
export async function modelKindOf(bytes: Uint8Array | ArrayBuffer): Promise<ModelKind | null> {
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
 * Load a model file written by any model's `save()`: a Sequential, a SentimentModel or a LanguageModel
 * (narrow on `kind`). With `kind`, the file must be of that kind (else a sentence says what it is) and the
 * answer is typed as that model.
 */
export function loadModel<K extends ModelKind>(source: ModelSource, opts: { engine?: Engine; kind: K }): Promise<ModelOfKind[K]>;
export function loadModel(source: ModelSource, opts?: { engine?: Engine }): Promise<LoadedModel>;
export async function loadModel(source: ModelSource, opts: { engine?: Engine; kind?: ModelKind } = {}): Promise<LoadedModel> {
  const opened = await openModelZip(await bytesOf(source));
  const kind = peekKind(opened.manifest);
  if (opts.kind && kind && kind !== opts.kind) throw new Error(`loadModel: this is a ${kind} model file, not a ${opts.kind} model`);
  const o = opts.engine ? { engine: opts.engine } : {};
  if (kind === 'sentiment') return SentimentModel.fromFile(opened, o);
  if (kind === 'language-model') return LanguageModel.fromFile(opened, o);
  // Layers models, and everything else: decoding says what is wrong with the file.
  return (await loadSequential(opened, o)).model;
}
