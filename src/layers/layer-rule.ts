/**
 * What a layer kind is, in one typed record (jax-js's rule tables): its shape rule and weights, their
 * Keras initialisers, its forward encoding onto fused ops, its per-sequence bytes for the device-limit
 * check, its Keras 3 and TF.js configs both ways, and its summary row. rules.ts holds one `LayerRule<K>`
 * per kind in a table typed `{ [K in LayerKind]: LayerRule<K> }`, so a kind without a rule, or a rule
 * without one of its parts, does not compile; everything else (graph.ts, run.ts, keras.ts, tfjs.ts,
 * limits.ts, compile.ts, summary.ts) dispatches through that table.
 *
 * A rule imports no GPU code: its forward gets the fused ops from run.ts (`ForwardContext.ops`), so the
 * exporters that read the table (a page writing a `.keras` archive) do not load the engine and its shaders.
 */
import type { Step } from '../engine/step';
import type { ParameterStore, ParamSpec } from '../engine/parameters';
import type { Slice, Tensor } from '../engine/tensor';
import type { recurrentLayer } from '../nn/recurrent-layer';
import type { activation } from '../ops/activation';
import type { addBias, dropout, maskRows } from '../ops/elementwise';
import type { DropoutDraw } from '../ops/dropout-key';
import type { embedding } from '../ops/embedding';
import type { HalfFormat, OneHotInput, RecurrentState } from '../ops/recurrence';
import type { matmul } from '../ops/matmul';
import type { BuiltLayer, InputBatch, Shape, WeightShape } from './built';
import type { Activation, Layer } from './specs';

/** The layer kinds: the `className` of each layer spec (Keras's class name). */
export type LayerKind = Layer['className'];
/** The spec of one kind (`LayerOf<'LSTM'>` is `LstmLayer`). */
export type LayerOf<K extends LayerKind> = Extract<Layer, { className: K }>;
/** A built layer of one kind. */
export type Built<K extends LayerKind> = BuiltLayer & { layer: LayerOf<K> };
/** Re-checks any layer given as plain data (rules.ts's reviveLayer), for a rule whose layer wraps another. */
export type Revive = (layer: unknown) => Layer;

/** What the shape rule knows of the layer's place in the model. */
export interface BuildContext {
  /** The layer's Keras name (given, or made: lstm, lstm_1, …). */
  name: string;
  /** Its input shape without the batch dimension. */
  input: Shape;
  first: boolean;
  last: boolean;
  /** A padding mask reaches the layer's input. */
  masked: boolean;
  /** The input's feature count, or an error naming the layer when the input is not a sequence (`hint` ends it). */
  sequenceFeatures(hint: string): number;
  /** The next free Keras name for a layer of a kind (for a layer this one wraps). */
  autoName(kind: LayerKind): string;
}

export interface BuiltParts {
  outputShape: Shape;
  /** Every weight's name and shape, in the order of the parameter arena and of the initial values. */
  weights: WeightShape[];
  /** A padding mask reaches the output. */
  masked: boolean;
  /** The wrapped layer's name (a wrapper only). */
  innerName?: string;
}

/** The fused ops a forward encodes onto (run.ts hands them over; see the file comment). */
export interface FusedOps {
  embedding: typeof embedding;
  dropout: typeof dropout;
  recurrentLayer: typeof recurrentLayer;
  matmul: typeof matmul;
  addBias: typeof addBias;
  activation: typeof activation;
  maskRows: typeof maskRows;
}

export interface ForwardContext {
  step: Step;
  params: ParameterStore;
  batch: InputBatch;
  ops: FusedOps;
  training: boolean;
  /**
   * This layer's dropout mask number `sub` (0…7: its sub-streams, see ops/dropout-key.ts) at `rate`: a draw
   * the kernels make on the GPU from the training step's key. Only when training (it throws otherwise).
   */
  dropout: (sub: number, rate: number) => DropoutDraw;
  /** This is the last layer and its activation is left to the loss (or to the prediction's softmax). */
  skipActivation: boolean;
  /** inspect(): each recurrent layer hands over every direction's kept gates and states. */
  inspect?: (layer: BuiltLayer, direction: number, state: RecurrentState) => void;
  /** A prediction's token tables (token-tables.ts): a kernel's input projection per token id, or null. */
  tokenTables?: { lookup(wx: Tensor): Slice | null };
  /** A prediction with 16-bit recurrent weights (half-weights.ts): a direction's Wh packed, and its format. */
  halfWeights?: { lookup(wh: Tensor): { packed: Slice; format: HalfFormat } };
}

/** What flows from layer to layer: time-major activations ([T, B, F] or [B, F]) and the padding mask. */
export interface Flow {
  /** null before the embedding of a token-id model (it reads the batch's ids); one-hot rows go only into an LSTM. */
  x: Tensor | OneHotInput | null;
  /** Time-major [T·B] padding mask (1 real, 0 padding), or null. */
  mask: Uint32Array | null;
  /** The embedded input (embedding models), for saliency. */
  embedded: Tensor | null;
  /**
   * With token tables: `source` is the embedding's output of these batch-major [B, T] token ids. A layer
   * that reads `x` while it is still `source` may look its projection up instead of computing it.
   */
  tokens?: { ids: Uint32Array; source: Tensor };
}

/** A layer's entry in a Keras 3 config.json. */
export interface KerasLayerConfig {
  module: 'keras.layers';
  class_name: string;
  config: Record<string, unknown>;
  registered_name: null;
  build_config?: { input_shape: Array<number | null> };
}

/** A layer's entry in a TF.js model.json (the first layer's batch_input_shape is added by tfjs.ts). */
export interface TfjsLayerConfig {
  class_name: string;
  config: Record<string, unknown>;
}

/** One dataset of model.weights.h5 (Keras 3's layout), or with index −1 an empty vars group; varsName is the group's name attribute. */
export interface KerasVar {
  group: string;
  index: number;
  weight: string;
  varsName: string;
}

export interface SummaryRow {
  /** "name (Class)" */
  layer: string;
  outputShape: Shape;
  params: number;
}

export interface LayerRule<K extends LayerKind> {
  /** Keras's snake_case class name: made layer names (lstm, lstm_1, …) and the `.keras` weight groups. */
  snake: string;
  /** The layer reads the model's token ids (so it must come first and the model's input is ids). */
  readsTokenIds: boolean;
  /** The layer as plain data (a file, untyped code; className left out) checked again through its factory. */
  revive: (args: Record<string, unknown>, revive: Revive) => LayerOf<K>;
  /** The names the spec gives: its own and a wrapped layer's (two layers may not share one). */
  names: (l: LayerOf<K>) => Array<string | undefined>;
  /** The spec as a model file keeps it: every name filled in. */
  named: (b: Built<K>) => LayerOf<K>;

  /** The shape rule: output shape, weights and mask, or an error naming the layer and the shapes. */
  build: (l: LayerOf<K>, c: BuildContext) => BuiltParts;
  /** Keras's default initialisers: the weights' initial values, drawn from `rng` in weight order. */
  init: (b: Built<K>, rng: () => number) => ParamSpec[];
  /** The activation the layer ends with (the loss and the prediction fuse softmax and sigmoid). */
  activation: (l: LayerOf<K>) => Activation;

  /** As the first layer, takes one-hot input rows as their indices (no input GEMMs). */
  takesOneHot: (l: LayerOf<K>, training: boolean) => boolean;
  /** The layer as fused ops on a step. */
  forward: (b: Built<K>, flow: Flow, c: ForwardContext) => Flow;
  /** Each per-batch buffer of the layer, for sequences of T steps: [what, bytes per sequence]. */
  perSequence: (b: Built<K>, T: number) => Array<[string, number]>;

  keras: {
    toConfig: (b: Built<K>) => KerasLayerConfig;
    /** Where its weights go in model.weights.h5, under `prefix` (layers/<snake name, deduplicated>). */
    vars: (b: Built<K>, prefix: string) => KerasVar[];
    /** The spec from a Keras 3 layer config (the model's input shape is set by keras.ts). */
    fromConfig: (c: ConfigReader) => LayerOf<K>;
  };
  tfjs: {
    toConfig: (b: Built<K>) => TfjsLayerConfig;
    /** The spec from a TF.js layer config (the first layer's batch_input_shape is read by tfjs.ts). */
    fromConfig: (c: ConfigReader) => LayerOf<K>;
  };
  summaryRow: (b: Built<K>) => SummaryRow;
}

// ---- helpers the rules share ----

export { formatShape } from './built';

/** The flowing activations as a tensor (one-hot indices go only into an LSTM). */
export function tensorOf(flow: Flow): Tensor {
  const x = flow.x;
  if (x === null) throw new Error('forward: the model has no input tensor');
  if ('ids' in x) throw new Error('forward: one-hot indices go only into an LSTM');
  return x;
}

/** A layer whose weights are its own (not a cell's): one vars group named after it. */
export function plainKerasVars(b: BuiltLayer, prefix: string): KerasVar[] {
  return [
    { group: `${prefix}/vars`, index: -1, weight: '', varsName: b.name },
    ...b.weights.map((w, i) => ({ group: `${prefix}/vars`, index: i, weight: w.name, varsName: b.name })),
  ];
}

export function kerasLayer(className: string, config: Record<string, unknown>, build?: Shape): KerasLayerConfig {
  return { module: 'keras.layers', class_name: className, config, registered_name: null, ...(build ? { build_config: { input_shape: [null, ...build] } } : {}) };
}

/** The layer's output, kept for the backward pass: T × B × width (or B × width) floats. */
export function outputBuffer(b: BuiltLayer, T: number): [string, number] {
  const steps = b.outputShape.length === 2 ? T : 1;
  const width = b.outputShape[b.outputShape.length - 1] as number;
  return [`the output of layer "${b.name}" (${steps > 1 ? 'T × ' : ''}B × ${width})`, steps * width * 4];
}

export function summaryRow(b: BuiltLayer): SummaryRow {
  return { layer: `${b.name} (${b.layer.className})`, outputShape: b.outputShape, params: b.weights.reduce((s, w) => s + w.shape.reduce((a, c) => a * c, 1), 0) };
}

/** A layer spec with its made name filled in (as a model file keeps it). */
export const withName = <L extends Layer>(b: BuiltLayer & { layer: L }): L => ({ ...b.layer, name: b.name });

/**
 * One layer config of a Keras or TF.js file, read for a rule's fromConfig: the values the factory checks
 * pass through as given; settings this engine has only one of must be that one (no silent fallbacks).
 */
export class ConfigReader {
  constructor(
    /** The layer's class name, for the errors. */
    readonly className: string,
    readonly config: Record<string, unknown>,
  ) {}

  static of(className: string, config: unknown): ConfigReader {
    if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new Error(`${className}: expected a config object, got ${JSON.stringify(config)}`);
    return new ConfigReader(className, config as Record<string, unknown>);
  }

  has(key: string): boolean {
    return Object.hasOwn(this.config, key) && this.config[key] !== undefined;
  }

  /** A value the factory checks (`fallback` when absent). */
  value<T>(key: string, fallback?: T): T {
    return (this.has(key) ? this.config[key] : fallback) as T;
  }

  /** The layer's name option ({} when the config has none). */
  name(): { name?: string } {
    return this.has('name') ? { name: this.config.name as string } : {};
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.value(key, fallback);
    if (typeof v !== 'boolean') throw new Error(`${this.className}: ${key} must be true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  /** A setting this engine has one value of: absent (meaning `absent` in the file's format) or that value. */
  fixed(key: string, want: unknown, absent: unknown = want): void {
    const v = this.has(key) ? this.config[key] : absent;
    if (v !== want) throw new Error(`${this.className}: ${key} ${JSON.stringify(v)}${this.has(key) ? '' : ' (the default when absent)'} is not supported (only ${JSON.stringify(want)})`);
  }

  /** A nested layer entry ({ class_name, config }). */
  layer(key: string): { className: string; config: ConfigReader } {
    const entry = this.value<{ class_name?: unknown; config?: unknown } | undefined>(key);
    if (typeof entry !== 'object' || entry === null || typeof entry.class_name !== 'string') throw new Error(`${this.className}: ${key} must be a layer ({ class_name, config })`);
    return { className: entry.class_name, config: ConfigReader.of(entry.class_name, entry.config) };
  }
}
