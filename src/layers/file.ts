/**
 * The model file, one layout for every kind of model this library saves: the model zip (model-zip.ts)
 * whose manifest.json holds the format and version, the kind ('layers', or a preset that wraps a layers
 * model: 'sentiment', 'language-model') with the preset's own data, the layers (with their names), the
 * compile settings, the seed and the weights' names and shapes. Reading re-checks every layer through its
 * factory and rebuilds the graph, so a file that does not describe a valid model, or whose weights do not
 * match it, is refused before any GPU work. Version 1 (0.2) files had no kind: a language model kept its
 * data in the user metadata, and sentiment models had a format of their own (sentiment/legacy-file.ts).
 */
import { openModelZip, packWeights, readTrainingState, trainingEntries, unpackWeights, writeModelZip, type OpenedModelZip, type TrainingManifest, type TrainingState } from './model-zip';
import type { CompileArgs } from './compile';
import { buildGraph, type Graph } from './graph';
import { reviveLayer, ruleOf } from './rules';
import type { Layer } from './specs';

export const SEQUENTIAL_FORMAT = 'webgpu-lstm-sequential';
/** The format of 0.2's sentiment model files (read by sentiment/legacy-file.ts). */
export const LEGACY_SENTIMENT_FORMAT = 'webgpu-lstm-sentiment';
/** The manifest version this build writes (and the newest it reads). */
export const FILE_VERSION = 2;
/** The seed of a model imported from elsewhere (Keras, TF.js): its dropout masks and shuffles; its weights come from the file. */
export const IMPORT_SEED = 141;

/** What a model file holds: a layers model, or a preset around one. */
export type ModelKind = 'layers' | 'sentiment' | 'language-model';
const KINDS: readonly ModelKind[] = ['layers', 'sentiment', 'language-model'];

export interface SequentialManifest {
  format: typeof SEQUENTIAL_FORMAT;
  version: typeof FILE_VERSION;
  kind: ModelKind;
  /** The preset's own data (its text pipeline, vocabulary, configuration); absent for 'layers'. */
  preset?: Record<string, unknown>;
  name: string;
  seed: number | string;
  /** Layers as built (every name filled in). */
  layers: Layer[];
  compile: CompileArgs | null;
  weights: Array<{ name: string; shape: number[] }>;
  /** The application's own JSON (model.setUserDefinedMetadata). */
  metadata?: Record<string, unknown>;
  /** What exact resumption needs (absent when saved without it). */
  training?: TrainingManifest;
}

export interface SequentialFile {
  graph: Graph;
  name: string;
  seed: number | string;
  compile: CompileArgs | null;
  metadata?: Record<string, unknown> | undefined;
}

/** The preset a layers model is saved as part of (none: a plain layers model). */
export interface PresetPart {
  kind: Exclude<ModelKind, 'layers'>;
  data: Record<string, unknown>;
}

export async function encodeSequential(
  model: SequentialFile,
  values: Map<string, Float32Array>,
  training?: TrainingState,
  opts: { preset?: PresetPart; compress?: boolean } = {},
): Promise<Uint8Array> {
  const order = model.graph.layers.flatMap((b) => b.weights);
  const saved = training ? trainingEntries(training) : null;
  const manifest: SequentialManifest = {
    format: SEQUENTIAL_FORMAT,
    version: FILE_VERSION,
    kind: opts.preset?.kind ?? 'layers',
    ...(opts.preset ? { preset: opts.preset.data } : {}),
    name: model.name,
    seed: model.seed,
    layers: model.graph.layers.map((b) => ruleOf(b.layer).named(b)),
    compile: model.compile,
    weights: order.map((w) => ({ name: w.name, shape: w.shape })),
    ...(model.metadata !== undefined ? { metadata: model.metadata } : {}),
    ...(saved ? { training: saved.manifest } : {}),
  };
  return writeModelZip(manifest, packWeights(order, values), { ...(saved ? { extra: saved.extra } : {}), ...(opts.compress !== undefined ? { compress: opts.compress } : {}) });
}

/** A model file read and checked: the layers model's parts, and the kind and preset data it was saved with. */
export type DecodedFile = SequentialFile & { values: Map<string, Float32Array>; training: TrainingState | null; kind: ModelKind; preset: Record<string, unknown> | null };

/**
 * The kind a manifest of this format declares (version 1: a language model by its metadata), before any
 * decoding; null when the manifest is not one this build can tell (decoding then says why).
 */
export function peekKind(m: Record<string, unknown>): ModelKind | null {
  if (m.format === LEGACY_SENTIMENT_FORMAT) return 'sentiment';
  if (m.format !== SEQUENTIAL_FORMAT) return null;
  if (m.version === 1) return m.metadata && typeof m.metadata === 'object' && 'languageModel' in m.metadata ? 'language-model' : 'layers';
  return m.version === FILE_VERSION && KINDS.includes(m.kind as ModelKind) ? (m.kind as ModelKind) : null;
}

/** What a manifest says it is, in words, for the sentence that refuses it. */
function describeFormat(m: Record<string, unknown>): string {
  return typeof m.format === 'string' ? `format "${m.format}"${m.version !== undefined ? ` version ${JSON.stringify(m.version)}` : ''}` : 'a manifest.json without a format';
}

/**
 * Read and check a model file written by `save()` (version 1 or 2). An opened zip can be passed in, as
 * loadModel does after looking at the manifest.
 */
export async function decodeSequential(source: Uint8Array | ArrayBuffer | OpenedModelZip): Promise<DecodedFile> {
  const opened = 'manifest' in source ? source : await openModelZip(source);
  const m = opened.manifest as Omit<Partial<SequentialManifest>, 'format' | 'version' | 'kind'> & { format?: unknown; version?: unknown; kind?: unknown };
  if (m.format !== SEQUENTIAL_FORMAT) throw new Error(`not a model file of webgpu-lstm: its manifest says ${describeFormat(opened.manifest)}`);
  if (typeof m.version === 'number' && Number.isInteger(m.version) && m.version > FILE_VERSION) {
    throw new Error(`this model file was written by a newer webgpu-lstm (model file version ${m.version}; this one reads versions 1 to ${FILE_VERSION}): update the package to load it`);
  }
  if (m.version !== 1 && m.version !== FILE_VERSION) throw new Error(`not a valid model file: its version is ${JSON.stringify(m.version)}`);
  let kind: ModelKind = 'layers';
  let preset: Record<string, unknown> | null = null;
  if (m.version === FILE_VERSION) {
    if (!KINDS.includes(m.kind as ModelKind)) throw new Error(`not a valid model file: its kind is ${JSON.stringify(m.kind)} (known: ${KINDS.join(', ')})`);
    kind = m.kind as ModelKind;
    if (kind !== 'layers' && (!m.preset || typeof m.preset !== 'object' || Array.isArray(m.preset))) throw new Error(`not a valid model file: a ${kind} model without its preset data`);
    preset = kind === 'layers' ? null : (m.preset as Record<string, unknown>);
  } else if (m.metadata && typeof m.metadata === 'object' && 'languageModel' in m.metadata) {
    // Version 1: a language model kept its vocabulary and configuration in the user metadata.
    kind = 'language-model';
    preset = (m.metadata as { languageModel: Record<string, unknown> }).languageModel;
    const { languageModel: _moved, ...rest } = m.metadata as Record<string, unknown>;
    m.metadata = Object.keys(rest).length > 0 ? rest : undefined;
  }
  if (!Array.isArray(m.layers)) throw new Error('not a saved model: manifest.json lists no layers');
  if (typeof m.seed !== 'number' && typeof m.seed !== 'string') throw new Error('not a saved model: manifest.json has no seed');
  let layers: Layer[];
  try {
    layers = m.layers.map(reviveLayer);
  } catch (e) {
    throw new Error(`not a valid saved model: ${(e as Error).message}`);
  }
  const graph = buildGraph(layers);
  const expected = graph.layers.flatMap((b) => b.weights);
  const listed = m.weights ?? [];
  const same = expected.length === listed.length && expected.every((e, i) => e.name === listed[i]?.name && JSON.stringify(e.shape) === JSON.stringify(listed[i]?.shape));
  if (!same) throw new Error('the saved weights do not match the saved layers (names or shapes differ)');
  const total = expected.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
  const values = unpackWeights(await opened.weights(total), expected);
  if (m.metadata !== undefined && (m.metadata === null || typeof m.metadata !== 'object' || Array.isArray(m.metadata))) throw new Error('not a valid saved model: its metadata is not an object');
  const training = await readTrainingState(opened, m.training);
  return { graph, values, seed: m.seed, name: typeof m.name === 'string' ? m.name : 'sequential', compile: m.compile ?? null, metadata: m.metadata, training, kind, preset };
}
