/**
 * Models from Keras, read into this engine's layers: Keras 3 `.keras` archives (config.json, and the
 * weights in model.weights.h5 at the paths Keras 3 gives them — keras.ts's `kerasWeightPaths`, the same
 * map the exporter writes with) and Keras 2 / tf.keras full-model `.h5` files (the root attribute
 * `model_config`, the weights under model_weights/<layer>/ in the order of its `weight_names`).
 * tfjs-import.ts reads TF.js Layers models with the same topology reader (TF.js's model.json holds Keras
 * 2's JSON).
 *
 * Everything is read and checked before any GPU work: each layer through its kind's rule (rules.ts), the
 * options no rule reads against the table below (supported where the engine computes the same thing,
 * refused otherwise), the graph built, and every weight's shape compared with the one its layer expects.
 * Every refusal is one sentence that starts with the file and the place inside it ("model.keras:
 * config.json: layer "conv1d" (Conv1D) is not supported (supported: …)"). docs/import.md lists the
 * decisions.
 */
import { DEFAULT_MAX_UNCOMPRESSED, inflateEntry, openZip, readZipDirectory, type ZipEntryInfo } from '../data/zip';
import { compileArgs, type CompileArgs, type LossName, type MetricName, type OptimizerConfig } from './compile';
import { buildGraph, type BuiltLayer, type Graph } from './graph';
import { kerasWeightPaths } from './keras';
import { openHdf5, type Hdf5Dataset, type Hdf5Reader } from './keras-archive';
import { ConfigReader, type LayerKind } from './layer-rule';
import { LAYER_RULES, isLayerKind, layersFromConfigs, ruleOf } from './rules';
import { RECURRENT_CLASSES, type Layer, type RecurrentLayer } from './specs';

/** A model read from a foreign file, ready to be put on the GPU (load-model.ts makes the Sequential). */
export interface ImportedModel {
  graph: Graph;
  /** Every weight by this engine's name, in Keras's layout (which is this engine's). */
  values: Map<string, Float32Array>;
  /** The model's name in the file. */
  name: string;
  /** The file's compile settings where every one of them has an equivalent here; else null (call compile). */
  compile: CompileArgs | null;
  /** The file, as the sentences name it (its name, or what it is: "the .keras archive"). */
  label: string;
}

/**
 * How a file writes its layer configs: 'keras' for Keras 3's config.json, 'tfjs' for Keras 2's JSON (a
 * tf.keras .h5's model_config) and TF.js's model.json, which is the same JSON (they differ only in the
 * defaults of keys a file leaves out, and Keras 2 writes every key).
 */
export type ConfigFormat = 'keras' | 'tfjs';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The layer classes a file may use. */
export const SUPPORTED_CLASSES: readonly string[] = ['InputLayer', ...Object.keys(LAYER_RULES)];

/** The refusal of one thing in a file: `where` says the file and the place inside it. */
function refuse(where: string, what: string): never {
  throw new Error(`${where}: ${what}`);
}

// ---- options no rule reads, per kind: what the engine does with them ----

/** Weight penalties and constraints: training-only settings that this engine has not got. */
const PENALTIES: Record<'Dense' | 'Embedding' | 'recurrent', readonly string[]> = {
  Dense: ['kernel_regularizer', 'bias_regularizer', 'activity_regularizer', 'kernel_constraint', 'bias_constraint'],
  Embedding: ['embeddings_regularizer', 'activity_regularizer', 'embeddings_constraint'],
  recurrent: ['kernel_regularizer', 'recurrent_regularizer', 'bias_regularizer', 'activity_regularizer', 'kernel_constraint', 'recurrent_constraint', 'bias_constraint'],
};

/** dtype policies whose variables are float32: float32, and mixed precision (computed in float32 here). */
const FLOAT32_POLICIES = ['float32', 'mixed_float16', 'mixed_bfloat16'];

const describe = (v: unknown) => (isObject(v) && typeof v.class_name === 'string' ? v.class_name : JSON.stringify(v));
const present = (c: Json, key: string) => Object.hasOwn(c, key) && c[key] !== null && c[key] !== undefined;

/**
 * The options of one layer config that its rule does not read, checked: those that change what the
 * layer computes or how it trains are refused unless they hold the one value this engine has; those that
 * only choose initial values (initialisers, unit_forget_bias, seed) or how Keras runs it (unroll,
 * implementation) are accepted. `wrapped`: inside a Bidirectional (which sets zero_output_for_mask itself).
 */
function checkOptions(className: string, c: Json, wrapped: boolean): void {
  // (A dropout layer has no weights to freeze.)
  if (c.trainable === false && !['Dropout', 'SpatialDropout1D', 'Masking'].includes(className)) {
    throw new Error('trainable=False is not supported (every layer trains here, so fine-tuning would change a frozen layer); set layer.trainable = True in Keras and save the model again');
  }
  if (present(c, 'quantization_config') || (isObject(c.dtype) && /quant/i.test(String(c.dtype.class_name)))) {
    throw new Error('quantized weights are not supported (save the float32 model)');
  }
  const dtype = isObject(c.dtype) ? (isObject(c.dtype.config) ? c.dtype.config.name : undefined) : c.dtype;
  if (dtype !== undefined && dtype !== null && !FLOAT32_POLICIES.includes(dtype as string)) {
    throw new Error(`dtype ${JSON.stringify(dtype)} is not supported (this engine keeps and computes every weight in float32; supported: ${FLOAT32_POLICIES.join(', ')})`);
  }
  const kind = (RECURRENT_CLASSES as readonly string[]).includes(className) ? 'recurrent' : className;
  for (const key of PENALTIES[kind as keyof typeof PENALTIES] ?? []) {
    if (present(c, key)) throw new Error(`${key} ${describe(c[key])} is not supported (this engine trains without weight penalties and constraints); set it to None in Keras and save the model again`);
  }
  if (present(c, 'lora_rank')) throw new Error(`lora_rank ${JSON.stringify(c.lora_rank)} is not supported (merge the LoRA weights into the kernel in Keras and save the model again)`);
  if (kind === 'recurrent') {
    if (c.time_major === true) throw new Error('time_major=True is not supported (inputs are batch-major here, as Keras\'s default)');
    // Keras's default (False) carries the last output through padded timesteps, as this engine does; a
    // Bidirectional forces its own (zeros), which the engine's Bidirectional does too.
    if (!wrapped && c.zero_output_for_mask === true && c.return_sequences === true) {
      throw new Error('zero_output_for_mask=True with return_sequences is not supported (padded timesteps carry the last output here, Keras\'s default)');
    }
  }
  if (className === 'TimeDistributed' && isObject(c.layer) && c.layer.class_name === 'Dense' && isObject(c.layer.config)) {
    try {
      checkOptions('Dense', c.layer.config, true);
    } catch (e) {
      throw new Error(`its wrapped Dense "${String(c.layer.config.name ?? '')}": ${(e as Error).message}`);
    }
  }
  if (className === 'Bidirectional') {
    for (const key of ['layer', 'backward_layer']) {
      const inner = c[key];
      if (!isObject(inner) || typeof inner.class_name !== 'string' || !isObject(inner.config)) continue;
      if (!(RECURRENT_CLASSES as readonly string[]).includes(inner.class_name)) continue; // the rule names it
      try {
        checkOptions(inner.class_name, inner.config, true);
      } catch (e) {
        throw new Error(`its ${key === 'layer' ? 'wrapped' : 'backward'} ${inner.class_name} "${String(inner.config.name ?? '')}": ${(e as Error).message}`);
      }
    }
  }
}

/** A Bidirectional's backward_layer (Keras 3 always writes one) must be its layer run the other way. */
function checkBackwardLayer(c: Json, format: ConfigFormat): void {
  const fwd = c.layer;
  const bwd = c.backward_layer;
  if (bwd === undefined || bwd === null) return;
  const spec = (entry: unknown): RecurrentLayer | null => {
    if (!isObject(entry) || typeof entry.class_name !== 'string' || !(RECURRENT_CLASSES as readonly string[]).includes(entry.class_name)) return null;
    const kind = entry.class_name as RecurrentLayer['className'];
    return ruleOf({ className: kind })[format].fromConfig(ConfigReader.of(kind, entry.config)) as RecurrentLayer;
  };
  const f = spec(fwd);
  const b = spec(bwd);
  const same = f && b && JSON.stringify({ ...f, name: undefined }) === JSON.stringify({ ...b, name: undefined, goBackwards: !b.goBackwards });
  if (!same) throw new Error('a backward_layer that is not the wrapped layer run backwards is not supported (only the default: Bidirectional(layer))');
}

/** An error of a rule or factory, without the class name it starts with ("LSTM: …", "dense: …"). */
function stripClass(message: string, className: string): string {
  const m = /^([A-Za-z0-9]+): /.exec(message);
  return m && m[1]!.toLowerCase() === className.toLowerCase() ? message.slice(m[0].length) : message;
}

// ---- topology: Sequential, or a functional model that is one chain ----

/** [layer, node, tensor] references of a functional config's input_layers / output_layers. */
function layerRefs(v: unknown): unknown[][] {
  if (!Array.isArray(v)) return [];
  return typeof v[0] === 'string' ? [v] : v.filter(Array.isArray);
}

/** The layers a node of a functional layer reads: [name, node index, tensor index] of each input tensor. */
function nodeInputs(node: unknown): Array<[string, number, number]> {
  const out: Array<[string, number, number]> = [];
  if (Array.isArray(node)) {
    // Keras 2 and TF.js: a node is a list of [layer name, node index, tensor index, kwargs].
    for (const t of node) if (Array.isArray(t) && typeof t[0] === 'string') out.push([t[0], Number(t[1]), Number(t[2])]);
    return out;
  }
  // Keras 3: { args, kwargs } holding __keras_tensor__ entries with their keras_history.
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObject(v)) {
      if (v.class_name === '__keras_tensor__' && isObject(v.config) && Array.isArray(v.config.keras_history)) {
        const h = v.config.keras_history;
        out.push([String(h[0]), Number(h[1]), Number(h[2])]);
      } else Object.values(v).forEach(walk);
    }
  };
  walk(node);
  return out;
}

/** The layer entries of a functional model in chain order (input first), or a sentence saying why it is no chain. */
function chainOf(config: Json, where: string): unknown[] {
  const notChain = (why: string): never => refuse(where, `the functional model is not one chain of layers (${why}); only Sequential models and functional models whose layers each take the previous one's output load`);
  const list = config.layers;
  if (!Array.isArray(list)) refuse(where, 'the functional model lists no layers (config.layers)');
  const nameOf = (e: unknown) => (isObject(e) ? String(e.name ?? (isObject(e.config) ? e.config.name : '')) : '');
  const byName = new Map(list.map((e) => [nameOf(e), e] as const));
  const inputs = layerRefs(config.input_layers);
  const outputs = layerRefs(config.output_layers);
  if (inputs.length !== 1 || outputs.length !== 1) notChain(`it has ${inputs.length} inputs and ${outputs.length} outputs`);
  const first = String(inputs[0]![0]);
  const last = String(outputs[0]![0]);
  if (Number(outputs[0]![2] ?? 0) !== 0) notChain(`its output is tensor ${String(outputs[0]![2])} of layer "${last}"`);
  const consumers = new Map<string, string[]>();
  for (const e of list) {
    const name = nameOf(e);
    const nodes = isObject(e) && Array.isArray(e.inbound_nodes) ? e.inbound_nodes : [];
    if (name === first) {
      if (nodes.length > 0) notChain(`its input "${name}" has inbound layers`);
      continue;
    }
    if (nodes.length !== 1) notChain(`layer "${name}" is ${nodes.length === 0 ? 'not connected' : `called ${nodes.length} times (a shared layer)`}`);
    const ins = nodeInputs(nodes[0]);
    if (ins.length !== 1) notChain(`layer "${name}" takes ${ins.length} inputs`);
    const [from, node, tensor] = ins[0]!;
    if (node !== 0 || tensor !== 0) notChain(`layer "${name}" reads output ${tensor} of call ${node} of "${from}"`);
    consumers.set(from, [...(consumers.get(from) ?? []), name]);
  }
  const order = [first];
  for (let at = first; at !== last; ) {
    const next = consumers.get(at) ?? [];
    if (next.length !== 1) notChain(`layer "${at}" feeds ${next.length} layers`);
    at = next[0]!;
    if (order.includes(at)) notChain(`layer "${at}" is reached twice`);
    order.push(at);
  }
  if (order.length !== list.length) notChain(`${list.length - order.length} of its layers are off the path from "${first}" to "${last}"`);
  return order.map((n) => byName.get(n));
}

/**
 * A Keras or TF.js model config ({ class_name: 'Sequential' | 'Functional' | 'Model', config }) as the
 * layers of a Sequential and the built graph, every layer checked; `where` names the file and the JSON
 * (e.g. "model.keras: config.json") in each sentence.
 */
export function readTopology(json: unknown, format: ConfigFormat, where: string): { name: string; layers: Layer[]; graph: Graph } {
  if (!isObject(json)) refuse(where, 'expected the model as a JSON object ({ class_name, config })');
  const cls = json.class_name;
  const config = json.config;
  let entries: unknown[];
  if (cls === 'Sequential') {
    // Keras ≤ 2.1 wrote a Sequential's config as the bare list of its layers.
    const list = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
    if (!Array.isArray(list)) refuse(where, 'the Sequential model lists no layers (config.layers)');
    entries = list;
  } else if (cls === 'Functional' || cls === 'Model') {
    if (!isObject(config)) refuse(where, 'the functional model has no config');
    entries = chainOf(config, where);
  } else {
    refuse(where, `the model is a ${JSON.stringify(cls)}; only Sequential models and functional models that are one chain of layers load`);
  }
  const plain = entries.map((e, i) => {
    if (!isObject(e) || typeof e.class_name !== 'string' || !isObject(e.config)) refuse(where, `layer ${i + 1} is not a layer entry ({ class_name, config })`);
    const className = e.class_name;
    const c = e.config;
    const label = `layer "${String(c.name ?? e.name ?? i + 1)}" (${className})`;
    if (className !== 'InputLayer') {
      if (!isLayerKind(className)) refuse(where, `${label} is not supported (supported: ${SUPPORTED_CLASSES.join(', ')})`);
      try {
        checkOptions(className, c, false);
        if (className === 'Bidirectional') checkBackwardLayer(c, format);
        ruleOf({ className: className as LayerKind })[format].fromConfig(ConfigReader.of(className, c));
      } catch (err) {
        refuse(where, `${label}: ${stripClass((err as Error).message, className)}`);
      }
    }
    return { class_name: className, config: c, ...(isObject(e.build_config) ? { build_config: e.build_config } : {}) };
  });
  let layers: Layer[];
  let graph: Graph;
  try {
    layers = layersFromConfigs(plain, format);
    graph = buildGraph(layers);
  } catch (err) {
    refuse(where, (err as Error).message);
  }
  const name = isObject(config) && typeof config.name === 'string' ? config.name : 'sequential';
  return { name, layers, graph };
}

// ---- compile settings ----

const norm = (s: string) => s.replace(/^Custom>/, '').replace(/_/g, '').toLowerCase();
const LOSSES: Record<string, LossName> = {
  sparsecategoricalcrossentropy: 'sparseCategoricalCrossentropy',
  meansquarederror: 'meanSquaredError',
  mse: 'meanSquaredError',
  meanabsoluteerror: 'meanAbsoluteError',
  mae: 'meanAbsoluteError',
  binarycrossentropy: 'binaryCrossentropy',
};
const METRICS: Record<string, MetricName> = {
  accuracy: 'accuracy',
  acc: 'accuracy',
  sparsecategoricalaccuracy: 'accuracy',
  binaryaccuracy: 'accuracy',
  mae: 'mae',
  meanabsoluteerror: 'mae',
  mse: 'mse',
  meansquarederror: 'mse',
};

/** A loss as written by Keras 3 / Keras 2 / TF.js: a name, or { class_name, config }; null when it has no equivalent. */
function lossOf(v: unknown): LossName | null {
  if (Array.isArray(v) && v.length === 1) return lossOf(v[0]);
  if (typeof v === 'string') return LOSSES[norm(v)] ?? null;
  if (!isObject(v) || typeof v.class_name !== 'string') return null;
  // Keras 3 writes a plain loss function as { class_name: 'function', config: 'mse' }.
  if (v.class_name === 'function' && typeof v.config === 'string') return lossOf(v.config);
  const c = isObject(v.config) ? v.config : {};
  if (c.from_logits === true || (typeof c.label_smoothing === 'number' && c.label_smoothing !== 0) || (c.axis !== undefined && c.axis !== -1)) return null;
  return LOSSES[norm(v.class_name)] ?? null;
}

function metricsOf(v: unknown): MetricName[] | null {
  if (v === null || v === undefined) return [];
  const flat: unknown[] = [];
  const walk = (x: unknown) => (Array.isArray(x) ? x.forEach(walk) : flat.push(x));
  walk(v);
  const out: MetricName[] = [];
  for (const m of flat) {
    const name = typeof m === 'string' ? m : isObject(m) ? (isObject(m.config) && typeof m.config.name === 'string' ? m.config.name : m.class_name) : null;
    const metric = typeof name === 'string' ? METRICS[norm(name)] : undefined;
    if (!metric) return null;
    out.push(metric);
  }
  return out;
}

function optimizerOf(v: unknown): OptimizerConfig | null {
  if (typeof v === 'string') return norm(v) === 'adam' ? { type: 'adam' } : norm(v) === 'sgd' ? { type: 'sgd' } : null;
  if (!isObject(v) || typeof v.class_name !== 'string') return null;
  const type = norm(v.class_name);
  if (type !== 'adam' && type !== 'sgd') return null;
  const c = isObject(v.config) ? v.config : {};
  const num = (...keys: string[]): number | undefined | null => {
    for (const k of keys) if (present(c, k)) return typeof c[k] === 'number' ? (c[k] as number) : null;
    return undefined;
  };
  const off = (...keys: string[]) => keys.every((k) => !present(c, k) || c[k] === false || c[k] === 0);
  // Settings with no equivalent here: per-variable clipping, weight decay, EMA, AMSGrad, momentum, schedules.
  if (!off('clipnorm', 'clipvalue', 'weight_decay', 'use_ema', 'amsgrad', 'decay', 'momentum', 'nesterov', 'gradient_accumulation_steps', 'loss_scale_factor')) return null;
  const learningRate = num('learning_rate', 'lr', 'learningRate');
  const clipNorm = num('global_clipnorm');
  if (learningRate === null || clipNorm === null) return null; // a schedule, not a number
  const o: OptimizerConfig = { type, ...(learningRate !== undefined ? { learningRate } : {}), ...(clipNorm !== undefined ? { clipNorm } : {}) };
  if (type === 'adam') {
    const beta1 = num('beta_1', 'beta1');
    const beta2 = num('beta_2', 'beta2');
    const epsilon = num('epsilon');
    if (beta1 === null || beta2 === null || epsilon === null) return null;
    Object.assign(o, beta1 !== undefined ? { beta1 } : {}, beta2 !== undefined ? { beta2 } : {}, epsilon !== undefined ? { epsilon } : {});
  }
  return o;
}

/**
 * The compile settings of a Keras 3 compile_config, a Keras 2 training_config or a TF.js trainingConfig,
 * when every one of them has an equivalent here and they suit the model (compile's own check); else null
 * and the model loads uncompiled.
 */
export function compileFrom(v: unknown, graph: Graph): CompileArgs | null {
  if (!isObject(v) || Object.keys(v).length === 0) return null;
  const loss = lossOf(v.loss);
  const metrics = metricsOf(v.metrics);
  const optimizer = optimizerOf(v.optimizer ?? v.optimizer_config);
  const weighted = metricsOf(v.weighted_metrics);
  const lossWeights = v.loss_weights;
  const unweighted = lossWeights === null || lossWeights === undefined || (Array.isArray(lossWeights) && lossWeights.every((w) => w === 1));
  if (!loss || !metrics || !optimizer || weighted === null || weighted.length > 0 || !unweighted) return null;
  const args: CompileArgs = { loss, optimizer, ...(metrics.length > 0 ? { metrics: [...new Set(metrics)] } : {}) };
  try {
    compileArgs(graph, args);
  } catch {
    return null;
  }
  return args;
}

// ---- weights ----

/** The weight's name inside its layer ("kernel", "forward_lstm/bias"). */
const shortName = (b: BuiltLayer, weight: string) => (weight.startsWith(`${b.name}/`) ? weight.slice(b.name.length + 1) : weight);

/** Which layer each of this engine's weights belongs to, and its shape. */
export function weightOwners(graph: Graph): Map<string, { layer: BuiltLayer; shape: number[] }> {
  return new Map(graph.layers.flatMap((b) => b.weights.map((w) => [w.name, { layer: b, shape: w.shape }] as const)));
}

/**
 * A weight read from a file, checked against what its layer expects: the same shape, finite values.
 * `where` names the file and `at` the place inside it.
 */
export function checkedWeight(where: string, at: string, got: { shape: readonly number[]; data: Float32Array }, owner: { layer: BuiltLayer; shape: number[] }, weight: string): Float32Array {
  const b = owner.layer;
  if (got.shape.length !== owner.shape.length || got.shape.some((d, i) => d !== owner.shape[i])) {
    refuse(where, `${at} has shape [${got.shape.join(', ')}]; layer "${b.name}" (${b.layer.className}) expects its ${shortName(b, weight)} [${owner.shape.join(', ')}]`);
  }
  for (let i = 0; i < got.data.length; i++) if (!Number.isFinite(got.data[i]!)) refuse(where, `${at} holds NaN or infinite values`);
  return got.data;
}

/** The datasets under `path`, recursively. */
function datasetsUnder(h5: Hdf5Reader, path: string): string[] {
  const kind = h5.kind(path);
  if (kind === 'dataset') return [path];
  if (kind !== 'group') return [];
  return h5.keys(path).flatMap((k) => datasetsUnder(h5, `${path}/${k}`));
}

/** Keras 3's model.weights.h5: each weight at the path the exporter writes it to; nothing else under layers/. */
function keras3Weights(h5: Hdf5Reader, graph: Graph, where: string, kerasVersion: string | null): Map<string, Float32Array> {
  // tf.keras 2.13–2.15 wrote .keras archives too, possibly with other weight paths.
  const hint = kerasVersion?.startsWith('2.') ? `; the archive was written by Keras ${kerasVersion}, whose .keras layout may differ from Keras 3's: save the model as .h5 there, or load and save it with Keras 3` : '';
  const owners = weightOwners(graph);
  const values = new Map<string, Float32Array>();
  const expected = new Set<string>();
  for (const v of kerasWeightPaths(graph)) {
    if (v.index < 0) continue;
    const at = `${v.group}/${v.index}`;
    expected.add(at);
    const owner = owners.get(v.weight)!;
    let ds: Hdf5Dataset | null;
    try {
      ds = h5.dataset(at);
    } catch (e) {
      refuse(where, (e as Error).message.replace(`${where}: `, ''));
    }
    if (!ds) refuse(where, `${at} is missing (layer "${owner.layer.name}" (${owner.layer.layer.className}) keeps its ${shortName(owner.layer, v.weight)} there)${hint}`);
    values.set(v.weight, checkedWeight(where, at, ds, owner, v.weight));
  }
  const extra = datasetsUnder(h5, 'layers').filter((p) => !expected.has(p));
  if (extra.length > 0) refuse(where, `${extra[0]} is a weight that no layer of config.json has (the configuration and the weights do not match)`);
  return values;
}

/** A Keras 2 attribute that h5py may split into name0, name1, … when it is large (load_attributes_from_hdf5_group). */
function chunkedAttribute(h5: Hdf5Reader, path: string, name: string): string[] | undefined {
  const one = h5.attribute(path, name);
  const asList = (v: unknown) => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);
  if (one !== undefined) return asList(one);
  const parts: string[] = [];
  for (let i = 0; ; i++) {
    const part = h5.attribute(path, `${name}${i}`);
    if (part === undefined) return i === 0 ? undefined : parts;
    parts.push(...asList(part));
  }
}

/** Keras 2's model_weights/<layer>/: the datasets its weight_names list, in this engine's weight order. */
function keras2Weights(h5: Hdf5Reader, graph: Graph, where: string): Map<string, Float32Array> {
  const owners = weightOwners(graph);
  const values = new Map<string, Float32Array>();
  const root = h5.kind('model_weights') === 'group' ? 'model_weights' : '';
  for (const b of graph.layers) {
    if (b.weights.length === 0) continue;
    const group = root ? `${root}/${b.name}` : b.name;
    const names = h5.kind(group) === 'group' ? chunkedAttribute(h5, group, 'weight_names') : undefined;
    if (!names) refuse(where, `${group} is missing (the weights of layer "${b.name}" (${b.layer.className}))`);
    if (names.length !== b.weights.length) {
      refuse(where, `${group} lists ${names.length} weights (${names.join(', ') || 'none'}); layer "${b.name}" (${b.layer.className}) has ${b.weights.length} (${b.weights.map((w) => shortName(b, w.name)).join(', ')})`);
    }
    b.weights.forEach((w, i) => {
      const at = `${group}/${names[i]}`;
      const ds = h5.dataset(at);
      if (!ds) refuse(where, `${at} is missing (listed in ${group}'s weight_names)`);
      values.set(w.name, checkedWeight(where, at, ds, owners.get(w.name)!, w.name));
    });
  }
  return values;
}

// ---- the files ----

const MAX_CONFIG_BYTES = 64 * 1024 * 1024;

/** One entry of an archive, inflated without trusting it (declared size, inflation limit, CRC-32: data/zip.ts). */
async function zipEntry(bytes: Uint8Array, entries: readonly ZipEntryInfo[], name: string, label: string, limit: number): Promise<Uint8Array> {
  const e = entries.find((x) => x.name === name);
  if (!e) refuse(label, `${name} is missing (a .keras archive holds config.json and model.weights.h5)`);
  if (e.uncompressedSize > limit || e.uncompressedSize === 0xffffffff) {
    refuse(label, `${name} declares ${(e.uncompressedSize / 2 ** 20).toFixed(0)} MiB uncompressed, more than the ${(limit / 2 ** 20).toFixed(0)} MiB limit; it was not inflated`);
  }
  try {
    return await inflateEntry(await openZip(bytes), e);
  } catch (err) {
    refuse(label, (err as Error).message);
  }
}

function parseJson(text: Uint8Array | string, where: string): unknown {
  try {
    return JSON.parse(typeof text === 'string' ? text : new TextDecoder().decode(text));
  } catch {
    throw new Error(`${where} is not valid JSON`);
  }
}

/**
 * A Keras 3 `.keras` archive (its zip directory already read): config.json through the layer rules,
 * model.weights.h5 through h5wasm, every weight checked. `label` names the file in the sentences.
 */
export async function importKeras3(bytes: Uint8Array, entries: readonly ZipEntryInfo[], label: string): Promise<ImportedModel> {
  const configWhere = `${label}: config.json`;
  const config = parseJson(await zipEntry(bytes, entries, 'config.json', label, MAX_CONFIG_BYTES), configWhere);
  const { name, graph } = readTopology(config, 'keras', configWhere);
  const compile = compileFrom(isObject(config) ? config.compile_config : undefined, graph);
  // metadata.json is optional here (it only says which Keras wrote the archive).
  let kerasVersion: string | null = null;
  if (entries.some((e) => e.name === 'metadata.json')) {
    try {
      const meta = JSON.parse(new TextDecoder().decode(await zipEntry(bytes, entries, 'metadata.json', label, MAX_CONFIG_BYTES))) as unknown;
      if (isObject(meta) && typeof meta.keras_version === 'string') kerasVersion = meta.keras_version;
    } catch {
      kerasVersion = null;
    }
  }
  const weightsWhere = `${label}: model.weights.h5`;
  const h5 = await openHdf5(await zipEntry(bytes, entries, 'model.weights.h5', label, DEFAULT_MAX_UNCOMPRESSED), weightsWhere);
  try {
    return { graph, values: keras3Weights(h5, graph, weightsWhere, kerasVersion), name, compile, label };
  } finally {
    h5.close();
  }
}

/** A Keras 2 / tf.keras full-model `.h5` (model.save): its model_config, training_config and model_weights. */
export async function importKeras2(bytes: Uint8Array, label: string): Promise<ImportedModel> {
  const h5 = await openHdf5(bytes, label);
  try {
    const modelConfig = h5.attribute('', 'model_config');
    if (typeof modelConfig !== 'string') {
      if (h5.kind('layers') === 'group' || h5.kind('vars') === 'group') {
        refuse(label, 'this is a Keras 3 weights file (model.weights.h5) without the model\'s configuration; load the .keras archive it came from');
      }
      if (h5.attribute('', 'layer_names') !== undefined) {
        refuse(label, 'this HDF5 file holds weights only (model.save_weights); load the file that model.save() writes, which has the model\'s configuration too');
      }
      refuse(label, 'this HDF5 file holds no Keras model (it has no model_config attribute)');
    }
    const configWhere = `${label}: model_config`;
    const { name, graph } = readTopology(parseJson(modelConfig, configWhere), 'tfjs', configWhere);
    const training = h5.attribute('', 'training_config');
    const compile = typeof training === 'string' ? compileFrom(parseJson(training, `${label}: training_config`), graph) : null;
    return { graph, values: keras2Weights(h5, graph, label), name, compile, label };
  } finally {
    h5.close();
  }
}

/** What the zip directory says a zip is: a Keras 3 archive, a TF.js model zipped, or neither. */
export function foreignZipKind(entries: readonly ZipEntryInfo[]): 'keras' | 'tfjs' | null {
  const names = new Set(entries.map((e) => e.name));
  if (names.has('manifest.json')) return null;
  if (names.has('config.json') && names.has('model.weights.h5')) return 'keras';
  if (entries.some((e) => /(^|\/)model\.json$/.test(e.name))) return 'tfjs';
  return null;
}

/** The directory of a zip, or null when it cannot be read (a truncated file: the directory is at its end). */
export function zipDirectory(bytes: Uint8Array): ZipEntryInfo[] | null {
  try {
    return readZipDirectory(bytes);
  } catch {
    return null;
  }
}

/** The name in a zip's first local file header (readable when the end of the file, with its directory, is cut off). */
export function firstZipEntryName(bytes: Uint8Array): string | null {
  if (bytes.length < 30) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== 0x04034b50) return null;
  const n = view.getUint16(26, true);
  return 30 + n <= bytes.length ? new TextDecoder().decode(bytes.subarray(30, 30 + n)) : null;
}
