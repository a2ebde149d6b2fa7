/**
 * TF.js Layers models read into this engine's layers: model.json (its modelTopology — Keras 2's JSON,
 * read by keras-import.ts's topology reader — and its weightsManifest) and the weight shards, given as one
 * buffer (what `tf.io.withSaveHandler` and our exportTfjs give: every shard concatenated in manifest
 * order) or shard by shard (fetched beside a model.json URL, or picked from the files a user dropped).
 * Models converted from Keras by tensorflowjs_converter keep Keras's config under modelTopology.model_config;
 * both forms are read. Checked before any GPU work, like every import: the layers, the bytes each shard
 * must hold, every weight's dtype and shape.
 */
import { compileFrom, readTopology, weightOwners, checkedWeight, type ImportedModel } from './keras-import';

/** What exportTfjs returns and `tf.io.withSaveHandler` hands over: model.json's content and the weight data. */
export interface TfjsModelArtifacts {
  /** The parsed model.json (or its text). */
  modelJson: unknown;
  /** Every shard of the manifest, concatenated in order. */
  weightsBin: Uint8Array | ArrayBuffer;
}

/** The weight data: one buffer of every shard in order, or each shard by its manifest path. */
export type TfjsWeightData = { all: Uint8Array } | { shard: (path: string) => Promise<Uint8Array> };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
  /** 'optimizer' for the optimizer's state (saved with includeOptimizer): read past, not loaded. */
  group?: string;
}

/** Bytes per value of the dtypes a manifest may hold. */
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** The manifest's groups, checked: each a list of shard paths and the weights they hold, in order. */
function manifestOf(json: Json, where: string): Array<{ paths: string[]; weights: ManifestWeight[] }> {
  const m = json.weightsManifest;
  if (!Array.isArray(m)) throw new Error(`${where}: weightsManifest is missing (is this a TF.js Layers model.json?)`);
  return m.map((g, i) => {
    const ok = isObject(g) && Array.isArray(g.paths) && g.paths.every((p) => typeof p === 'string') && Array.isArray(g.weights);
    if (!ok) throw new Error(`${where}: weightsManifest[${i}] is not { paths, weights }`);
    const weights = (g.weights as unknown[]).map((w, j) => {
      if (!isObject(w) || typeof w.name !== 'string' || !Array.isArray(w.shape) || !w.shape.every((d) => Number.isInteger(d) && d >= 0)) {
        throw new Error(`${where}: weightsManifest[${i}].weights[${j}] is not { name, shape, dtype }`);
      }
      return {
        name: w.name,
        shape: w.shape as number[],
        dtype: typeof w.dtype === 'string' ? w.dtype : 'float32',
        ...(w.quantization !== undefined ? { quantization: w.quantization } : {}),
        ...(typeof w.group === 'string' ? { group: w.group } : {}),
      };
    });
    return { paths: g.paths as string[], weights };
  });
}

/** model.json given as an object, its text or its bytes. */
export function parseModelJson(v: unknown, label: string): Json {
  let json = v;
  if (v instanceof Uint8Array || v instanceof ArrayBuffer) json = new TextDecoder().decode(v);
  if (typeof json === 'string') {
    try {
      json = JSON.parse(json);
    } catch {
      throw new Error(`${label} is not valid JSON`);
    }
  }
  if (!isObject(json)) throw new Error(`${label} is not a TF.js model.json (expected a JSON object)`);
  return json;
}

/**
 * A TF.js Layers model: model.json's topology through the layer rules, then the weight data, each weight
 * checked (float32, its layer's shape) and matched to this engine's weights by name (or, when a
 * converter renamed them, by position: TF.js writes them in layer order, as this engine keeps them).
 */
export async function importTfjs(modelJson: unknown, data: TfjsWeightData, label: string): Promise<ImportedModel> {
  const json = parseModelJson(modelJson, label);
  if (json.format === 'graph-model' || (isObject(json.modelTopology) && Array.isArray(json.modelTopology.node))) {
    throw new Error(`${label} is a TF.js graph model (a converted SavedModel: operations, no layers to train); convert the Keras model with tensorflowjs_converter --output_format tfjs_layers_model, or load its .keras or .h5 file`);
  }
  const topology = json.modelTopology;
  if (!isObject(topology)) throw new Error(`${label}: modelTopology is missing (is this a TF.js Layers model.json?)`);
  // tensorflowjs_converter keeps a Keras file's config under model_config (and its training_config beside it).
  const modelConfig = isObject(topology.model_config) ? topology.model_config : topology;
  const where = `${label}: modelTopology`;
  const { name, graph } = readTopology(modelConfig, 'tfjs', where);
  const compile = compileFrom(json.trainingConfig ?? topology.training_config, graph);

  const groups = manifestOf(json, label);
  const specs = groups.flatMap((g) => g.weights);
  for (const w of specs) {
    if (w.quantization !== undefined) throw new Error(`${label}: weight "${w.name}" is quantized (${JSON.stringify(w.quantization)}), which is not supported; convert the model without --quantize_* options`);
    // The optimizer's state (e.g. its int32 step count) is read past; the model's weights must be float32.
    if (w.group === 'optimizer' ? !(w.dtype in DTYPE_BYTES) : w.dtype !== 'float32') throw new Error(`${label}: weight "${w.name}" is ${w.dtype}; only float32 weights are supported`);
  }
  const sizeOf = (w: ManifestWeight) => DTYPE_BYTES[w.dtype]! * w.shape.reduce((a, d) => a * d, 1);
  const need = specs.reduce((s, w) => s + sizeOf(w), 0);
  let bytes: Uint8Array;
  if ('all' in data) {
    bytes = data.all;
    if (bytes.length !== need) throw new Error(`${label}: the weight data holds ${bytes.length} bytes; the manifest's weights need ${need}`);
  } else {
    const parts: Uint8Array[] = [];
    for (const g of groups) for (const p of g.paths) parts.push(await data.shard(p));
    const total = parts.reduce((s, p) => s + p.length, 0);
    if (total !== need) {
      const paths = groups.flatMap((g) => g.paths);
      throw new Error(`${label}: the weight shards (${paths.join(', ')}) hold ${total} bytes; the manifest's weights need ${need}`);
    }
    bytes = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      bytes.set(p, o);
      o += p.length;
    }
  }

  // Each manifest weight's values, in manifest order.
  const byName = new Map<string, { shape: number[]; data: Float32Array }>();
  const inOrder: Array<{ name: string; shape: number[]; data: Float32Array }> = [];
  let o = 0;
  for (const w of specs) {
    const start = o;
    o += sizeOf(w);
    if (w.group === 'optimizer') continue;
    const data = new Float32Array(bytes.slice(start, o).buffer);
    byName.set(w.name, { shape: w.shape, data });
    inOrder.push({ name: w.name, shape: w.shape, data });
  }
  const owners = weightOwners(graph);
  const expected = graph.layers.flatMap((b) => b.weights);
  const byNames = expected.every((w) => byName.has(w.name));
  if (!byNames && inOrder.length !== expected.length) {
    const missing = expected.find((w) => !byName.has(w.name))!;
    throw new Error(`${label}: weightsManifest has no weight "${missing.name}" and lists ${inOrder.length} weights where the layers have ${expected.length}`);
  }
  const values = new Map<string, Float32Array>();
  expected.forEach((w, i) => {
    const got = byNames ? { name: w.name, ...byName.get(w.name)! } : inOrder[i]!;
    values.set(w.name, checkedWeight(`${label}: weightsManifest`, `weight "${got.name}"`, got, owners.get(w.name)!, w.name));
  });
  return { graph, values, name, compile, label };
}
