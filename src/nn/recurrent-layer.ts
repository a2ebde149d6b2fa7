/**
 * One recurrent layer at run time — an LSTM, a GRU (either Keras form) or a SimpleRNN: one direction, or
 * two (Keras Bidirectional, any merge_mode), each with its variational dropout masks and its time
 * reversal (go_backwards), on a time-major input. The cell's fused op runs each direction.
 */
import { type Step } from '../engine/step';
import { type Slice, type Tensor } from '../engine/tensor';
import { concatFeatures, dropout, maskRows, reverseTime, type DropoutMask } from '../ops/elementwise';
import { gru } from '../ops/gru';
import { lstm } from '../ops/lstm';
import { mergeDirections } from '../ops/merge';
import { isOneHot, type HalfFormat, type OneHotInput, type RecurrentCell, type RecurrentOptions, type RecurrentOutput, type RecurrentState, type RecurrentWeights } from '../ops/recurrence';
import { simpleRnn } from '../ops/simple-rnn';

export type { RecurrentCell, RecurrentWeights } from '../ops/recurrence';

/** Reverse a time-major [T·B] array (a mask, one-hot indices). */
export function reverseTimeMajor(a: Uint32Array, T: number, B: number): Uint32Array {
  const out = new Uint32Array(T * B);
  for (let t = 0; t < T; t++) out.set(a.subarray(t * B, (t + 1) * B), (T - 1 - t) * B);
  return out;
}

/** Time-major [T·B] ids from batch-major [B, T]. */
function timeMajorIds(ids: Uint32Array, B: number, T: number): Uint32Array {
  const out = new Uint32Array(T * B);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out[t * B + b] = ids[b * T + t]!;
  return out;
}

/** One direction of a recurrent layer at run time: its weights and dropout masks. */
export interface RecurrentDirection {
  prefix: string;
  weights: RecurrentWeights;
  /** Runs on the time-reversed input (Keras go_backwards). */
  backward: boolean;
  /** Dropout masks: drawn on the GPU from a key, or given (ops/dropout-key.ts). */
  inputMask: DropoutMask | null;
  recurrentMask: DropoutMask | null;
}

/** The cell's fused op over one direction. */
function runCell(step: Step, cell: RecurrentCell, x: Tensor | OneHotInput, w: RecurrentWeights, opts: RecurrentOptions): RecurrentOutput {
  if (opts.whHalf && cell.kind !== 'lstm') throw new Error(`${opts.name ?? cell.kind}: 16-bit recurrent weights are implemented for the LSTM only, not the ${cell.kind === 'gru' ? 'GRU' : 'SimpleRNN'}`);
  switch (cell.kind) {
    case 'lstm': return lstm(step, x, w, opts);
    case 'gru': return gru(step, x, w, { ...opts, resetAfter: cell.resetAfter });
    case 'simpleRnn': return simpleRnn(step, x, w, { ...opts, activation: cell.activation });
  }
}

/**
 * One recurrent layer, one or two directions, on a time-major [T, B, in] input: [T, B, F]
 * (returnSequences) or [B, F], where two directions are concatenated along features (Keras
 * Bidirectional, merge_mode 'concat'; or summed, multiplied or averaged: the backward direction's
 * sequence is re-reversed into input order), and a single backward direction keeps its sequence in reversed order, as Keras's go_backwards
 * does. A one-hot input (the model's own input, see OneHotInput) takes no input dropout.
 */
export interface LayerRun {
  mask: Uint32Array | null;
  returnSequences: boolean;
  /** How two directions combine (Keras merge_mode; default 'concat'). */
  merge?: 'concat' | 'sum' | 'mul' | 'ave';
  name: string;
  /** Keep each direction's gates and states and hand them over (inspect()): direction i, its state. */
  onState?: (direction: number, state: RecurrentState) => void;
  /**
   * The input is an embedding's output of these batch-major [B, T] token ids, and `table` may hold a
   * direction's input projection per token (layers/token-tables.ts): X·Wx is then a gather of its rows.
   */
  tokens?: { ids: Uint32Array; table: (wx: Tensor) => Slice | null };
  /** Inference with 16-bit recurrent weights: a direction's Wh packed, and its format (layers/half-weights.ts). */
  halfWeights?: (wh: Tensor) => { packed: Slice; format: HalfFormat };
}

export function recurrentLayer(step: Step, cell: RecurrentCell, input: Tensor | OneHotInput, dirs: readonly RecurrentDirection[], run: LayerRun): Tensor {
  const [T, B] = input.shape as [number, number, number];
  const revMask = run.mask ? reverseTimeMajor(run.mask, T, B) : null;
  const wantSeq = run.returnSequences;
  let tokenIds: Uint32Array | null = null; // time-major, made when a direction first looks a table up
  const results = dirs.map((d, i) => {
    const opts = { mask: d.backward ? revMask : run.mask, recurrentMask: d.recurrentMask, returnSequences: wantSeq, keepState: !!run.onState, name: d.prefix, ...(run.halfWeights ? { whHalf: run.halfWeights(d.weights.wh) } : {}) };
    let r;
    const table = !isOneHot(input) && !d.inputMask && run.tokens ? run.tokens.table(d.weights.wx) : null;
    if (isOneHot(input)) {
      if (d.inputMask) throw new Error(`${d.prefix}: input dropout needs the input as a tensor, not as one-hot indices`);
      r = runCell(step, cell, { ...input, ids: d.backward ? reverseTimeMajor(input.ids, T, B) : input.ids }, d.weights, opts);
    } else if (table) {
      tokenIds ??= timeMajorIds(run.tokens!.ids, B, T);
      r = runCell(step, cell, { shape: input.shape as [number, number, number], ids: d.backward ? reverseTimeMajor(tokenIds, T, B) : tokenIds, table }, d.weights, opts);
    } else {
      // Variational input dropout: one mask per (sequence, feature), the same at every timestep.
      const xin = d.inputMask ? dropout(step, input, d.inputMask, B, `${d.prefix} input dropout`) : input;
      r = runCell(step, cell, d.backward ? reverseTime(step, xin, `${d.prefix} input reversed`) : xin, d.weights, opts);
    }
    if (run.onState) {
      if (!r.state) throw new Error(`${d.prefix}: this cell's op does not describe its state (inspect() needs it)`);
      run.onState(i, r.state);
    }
    // Bidirectional flips its second layer's sequence (as Keras does, whichever way that layer ran); a
    // lone go_backwards layer keeps its sequence reversed.
    return { ...r, sequence: wantSeq && i === 1 ? reverseTime(step, r.sequence, `${d.prefix} output reversed`) : r.sequence };
  });
  const pick = (r: (typeof results)[number]) => (wantSeq ? r.sequence : r.last);
  if (results.length === 1) return pick(results[0]!);
  const merge = run.merge ?? 'concat';
  const [a, b] = [pick(results[0]!), pick(results[1]!)];
  const both = merge === 'concat' ? concatFeatures(step, a, b, `${run.name} concat`) : mergeDirections(step, a, b, merge, `${run.name} ${merge}`);
  // Keras's Bidirectional returns zeros at masked timesteps of a sequence (a single layer carries its state there).
  return wantSeq && run.mask ? maskRows(step, both, run.mask, `${run.name} masked`) : both;
}

/** An LSTM layer (recurrentLayer with the LSTM cell). */
export function lstmLayer(step: Step, input: Tensor | OneHotInput, dirs: readonly RecurrentDirection[], run: LayerRun): Tensor {
  return recurrentLayer(step, { kind: 'lstm' }, input, dirs, run);
}
