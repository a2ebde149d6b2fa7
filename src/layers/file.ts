/**
 * The layers model's file: the model zip (model-zip.ts) whose manifest.json holds the format, the layers
 * (with their names), the compile settings, the seed and the weights' names and shapes. Reading re-checks
 * every layer through its factory and rebuilds the graph, so a file that does not describe a valid model,
 * or whose weights do not match it, is refused before any GPU work.
 */
import { openModelZip, packWeights, readTrainingState, trainingEntries, unpackWeights, writeModelZip, type TrainingManifest, type TrainingState } from '../training/model-zip';
import type { CompileArgs } from './compile';
import { buildGraph, type Graph } from './graph';
import { reviveLayer, type Layer } from './specs';

export const SEQUENTIAL_FORMAT = 'webgpu-lstm-sequential';

export interface SequentialManifest {
  format: typeof SEQUENTIAL_FORMAT;
  version: 1;
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

export async function encodeSequential(model: SequentialFile, values: Map<string, Float32Array>, training?: TrainingState): Promise<Uint8Array> {
  const order = model.graph.layers.flatMap((b) => b.weights);
  const saved = training ? trainingEntries(training) : null;
  const manifest: SequentialManifest = {
    format: SEQUENTIAL_FORMAT,
    version: 1,
    name: model.name,
    seed: model.seed,
    layers: model.graph.layers.map((b) => ({ ...b.layer, name: b.name, ...(b.layer.className === 'Bidirectional' ? { layer: { ...b.layer.layer, name: b.innerName } } : {}) }) as Layer),
    compile: model.compile,
    weights: order.map((w) => ({ name: w.name, shape: w.shape })),
    ...(model.metadata !== undefined ? { metadata: model.metadata } : {}),
    ...(saved ? { training: saved.manifest } : {}),
  };
  return writeModelZip(manifest, packWeights(order, values), saved ? { extra: saved.extra } : {});
}

/** Read and check a file written by `model.save()`. */
export async function decodeSequential(bytes: Uint8Array | ArrayBuffer): Promise<SequentialFile & { values: Map<string, Float32Array>; training: TrainingState | null }> {
  const opened = await openModelZip(bytes);
  const m = opened.manifest as Omit<Partial<SequentialManifest>, 'format'> & { format?: unknown };
  if (m.format === 'webgpu-lstm-sentiment') throw new Error('this is a sentiment model file: load it with SentimentModel.load (or the CLI/element), not loadModel');
  if (m.format !== SEQUENTIAL_FORMAT) throw new Error(`not a saved model of this engine (format "${String(m.format)}")`);
  if (m.version !== 1) throw new Error(`unsupported saved-model version ${String(m.version)} (this build reads version 1)`);
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
  return { graph, values, seed: m.seed, name: typeof m.name === 'string' ? m.name : 'sequential', compile: m.compile ?? null, metadata: m.metadata, training };
}
