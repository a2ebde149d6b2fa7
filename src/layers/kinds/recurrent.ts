/**
 * The recurrent layers — LSTM, GRU, SimpleRNN — as one rule over a small per-cell record (`CellKind`):
 * its gate blocks and bias shape, Keras's initialisers, the op it runs (nn/recurrent-layer.ts), what it
 * stores per timestep for the backward pass, and its Keras 3 and TF.js configs both ways. lstm.ts,
 * gru.ts and simple-rnn.ts hold the records; Bidirectional (bidirectional.ts) runs any of them twice.
 */
import type { ParamSpec } from '../../engine/parameters';
import type { Tensor } from '../../engine/tensor';
import { glorotUniform, lstmBias, orthogonal } from '../../nn/init';
import type { RecurrentCell } from '../../nn/recurrent-layer';
import type { RecurrentState } from '../../ops/recurrence';
import type { BuiltLayer, WeightShape } from '../built';
import { kerasLayer, outputBuffer, summaryRow, withName, type ConfigReader, type Flow, type ForwardContext, type KerasVar, type LayerRule } from '../layer-rule';
import type { MergeMode, RecurrentLayer } from '../specs';

export interface CellKind<L extends RecurrentLayer> {
  className: L['className'];
  /** Keras's snake_case class name (layer names gru, gru_1, …) and its cell's weight group name. */
  snake: string;
  kerasCell: string;
  /** Gate blocks of `units` columns in the kernel and recurrent kernel (LSTM 4, GRU 3, SimpleRNN 1). */
  gates: number;
  /** The bias's shape (Keras's: a reset-after GRU's is [2, 3·units]). */
  biasShape: (l: L) => number[];
  /** Keras's bias initialiser (the LSTM's unit forget bias; zeros otherwise). */
  initBias: (l: L) => Float32Array;
  /** The cell as the run-time layer takes it. */
  cell: (l: L) => RecurrentCell;
  /** Floats per timestep, row and unit kept for the backward pass beside h (the LSTM's gates and c …). */
  storedPerUnit: number;
  /** What those are, for the device-limit check's message. */
  stored: string;
  /** Keras 3 and TF.js layer configs (the TF.js one throws where TF.js cannot load the layer). */
  kerasConfig: (name: string, l: L) => Record<string, unknown>;
  tfjsConfig: (name: string, l: L) => Record<string, unknown>;
  /** The spec from a Keras 3 or TF.js layer config. */
  fromConfig: (c: ConfigReader, format: 'keras' | 'tfjs') => L;
}

/** One direction's weights under `prefix` (kernel, recurrent kernel, bias: the order of the arena and the init stream). */
export function cellWeights<L extends RecurrentLayer>(k: CellKind<L>, l: L, prefix: string, inputDim: number): WeightShape[] {
  return [
    { name: `${prefix}/kernel`, shape: [inputDim, k.gates * l.units] },
    { name: `${prefix}/recurrent_kernel`, shape: [l.units, k.gates * l.units] },
    { name: `${prefix}/bias`, shape: k.biasShape(l) },
  ];
}

/** Keras's initialisers for each direction's three weights: glorot_uniform, orthogonal, the cell's bias. */
export function cellInit<L extends RecurrentLayer>(k: CellKind<L>, l: L, weights: readonly WeightShape[], rng: () => number): ParamSpec[] {
  const specs: ParamSpec[] = [];
  const G = k.gates * l.units;
  for (let d = 0; d < weights.length; d += 3) {
    const [kernel, recurrent, bias] = weights.slice(d, d + 3) as [WeightShape, WeightShape, WeightShape];
    specs.push({ ...kernel, init: glorotUniform(rng, kernel.shape[0]!, G) }, { ...recurrent, init: orthogonal(rng, l.units, G) }, { ...bias, init: k.initBias(l) });
  }
  return specs;
}

/** The output shape of a recurrent layer `width` wide. */
export const recurrentOutput = (l: RecurrentLayer, time: number | null, width: number) => (l.returnSequences ? [time, width] : [width]);

/** One-hot rows go in as indices unless input dropout needs the values. */
export const recurrentTakesOneHot = (l: RecurrentLayer, training: boolean) => !(training && l.dropout > 0);

/**
 * The layer's directions (weights under each prefix, run backward or not) as one fused op. Direction d's
 * dropout masks are the layer's sub-streams 2d (input) and 2d + 1 (recurrent), drawn on the GPU.
 */
export function encodeRecurrent<L extends RecurrentLayer>(k: CellKind<L>, b: BuiltLayer, l: L, directions: ReadonlyArray<{ prefix: string; backward: boolean }>, flow: Flow, c: ForwardContext, merge: MergeMode = 'concat'): Flow {
  const x = flow.x;
  if (x === null) throw new Error(`layer "${b.name}": no input`);
  const inputMasks = directions.map((_, d) => (c.training && l.dropout > 0 ? c.dropout(2 * d, l.dropout) : null));
  const recurrentMasks = directions.map((_, d) => (c.training && l.recurrentDropout > 0 ? c.dropout(2 * d + 1, l.recurrentDropout) : null));
  const dirs = directions.map(({ prefix, backward }, i) => ({
    prefix,
    weights: { wx: c.params.get(`${prefix}/kernel`), wh: c.params.get(`${prefix}/recurrent_kernel`), b: c.params.get(`${prefix}/bias`) },
    backward,
    inputMask: inputMasks[i]!,
    recurrentMask: recurrentMasks[i]!,
  }));
  const inspect = c.inspect;
  // An embedding's output, unchanged since: each direction's input projection may be a token table's rows.
  const tables = c.tokenTables;
  const half = c.halfWeights;
  const tokens = tables && flow.tokens && flow.tokens.source === x ? { ids: flow.tokens.ids, table: (wx: Tensor) => tables.lookup(wx) } : null;
  const y = c.ops.recurrentLayer(c.step, k.cell(l), x, dirs, { mask: flow.mask, returnSequences: l.returnSequences, merge, name: b.name, ...(inspect ? { onState: (d: number, s: RecurrentState) => inspect(b, d, s) } : {}), ...(tokens ? { tokens } : {}), ...(half ? { halfWeights: (wh: Tensor) => half.lookup(wh) } : {}) });
  return { x: y, mask: l.returnSequences ? flow.mask : null, embedded: flow.embedded };
}

/** What one batch keeps for the backward pass per sequence of T steps (per direction). */
export function storedPerSequence<L extends RecurrentLayer>(k: CellKind<L>, b: BuiltLayer, l: L, T: number): Array<[string, number]> {
  return k.storedPerUnit > 0 ? [[`the ${k.stored} of layer "${b.name}" (T × B × ${k.storedPerUnit}·${l.units})`, T * k.storedPerUnit * l.units * 4]] : [];
}

/** The settings every recurrent config has, read back (the cell-specific ones are each cell's). */
export function recurrentFromConfig(c: ConfigReader): { name?: string; units: number; returnSequences: boolean; goBackwards: boolean; dropout: number; recurrentDropout: number } {
  c.fixed('use_bias', true);
  c.fixed('return_state', false);
  c.fixed('stateful', false);
  return {
    ...c.name(),
    units: c.value('units'),
    returnSequences: c.bool('return_sequences', false),
    goBackwards: c.bool('go_backwards', false),
    dropout: c.value('dropout', 0),
    recurrentDropout: c.value('recurrent_dropout', 0),
  };
}

/** The settings every recurrent config has, written (Keras 3 and TF.js share these keys). */
export function recurrentConfig(name: string, l: RecurrentLayer): Record<string, unknown> {
  return {
    name, trainable: true, units: l.units, use_bias: true, dropout: l.dropout, recurrent_dropout: l.recurrentDropout,
    return_sequences: l.returnSequences, return_state: false, go_backwards: l.goBackwards, stateful: false, unroll: false,
  };
}

/** The cell's weights in model.weights.h5: an empty vars group named after the layer, the three under cell/vars. */
export function cellKerasVars(k: { kerasCell: string }, weights: readonly WeightShape[], groupPrefix: string, first: number): KerasVar[] {
  return weights.slice(first, first + 3).map((w, i) => ({ group: `${groupPrefix}/cell/vars`, index: i, weight: w.name, varsName: k.kerasCell }));
}

/** The rule of a plain (unwrapped) recurrent layer of one cell kind. */
export function recurrentRule<K extends RecurrentLayer['className']>(k: CellKind<Extract<RecurrentLayer, { className: K }>>, revive: (args: Record<string, unknown>) => Extract<RecurrentLayer, { className: K }>): LayerRule<K> {
  type L = Extract<RecurrentLayer, { className: K }>;
  const rule: LayerRule<'LSTM' | 'GRU' | 'SimpleRNN'> = {
    snake: k.snake,
    readsTokenIds: false,
    revive: (args) => revive(args),
    names: (l) => [l.name],
    named: withName,
    build: (l, c) => {
      const features = c.sequenceFeatures(c.first ? ' (inputShape must be [time, features])' : '');
      return { outputShape: recurrentOutput(l, c.input[0]!, l.units), weights: cellWeights(k, l as L, c.name, features), masked: l.returnSequences && c.masked };
    },
    init: (b, rng) => cellInit(k, b.layer as L, b.weights, rng),
    activation: () => 'linear',
    takesOneHot: recurrentTakesOneHot,
    forward: (b, flow, c) => encodeRecurrent(k, b, b.layer as L, [{ prefix: b.name, backward: b.layer.goBackwards }], flow, c),
    perSequence: (b, T) => [outputBuffer(b, T), ...storedPerSequence(k, b, b.layer as L, T)],
    keras: {
      toConfig: (b) => kerasLayer(k.className, k.kerasConfig(b.name, b.layer as L), b.inputShape),
      vars: (b, prefix) => [{ group: `${prefix}/vars`, index: -1, weight: '', varsName: b.name }, ...cellKerasVars(k, b.weights, prefix, 0)],
      fromConfig: (c) => k.fromConfig(c, 'keras'),
    },
    tfjs: {
      toConfig: (b) => ({ class_name: k.className, config: k.tfjsConfig(b.name, b.layer as L) }),
      fromConfig: (c) => k.fromConfig(c, 'tfjs'),
    },
    summaryRow,
  };
  return rule as unknown as LayerRule<K>;
}

/** Zeros (Keras's default bias initialiser). */
export const zeroBias = (n: number) => new Float32Array(n);
export { lstmBias };
