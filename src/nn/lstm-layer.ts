/**
 * One LSTM layer at run time: one direction, or two (Keras Bidirectional, merge_mode 'concat'), each
 * with its variational dropout masks and its time reversal (go_backwards), on a time-major input.
 */
import { type Step } from '../engine/engine';
import { type Tensor } from '../engine/tensor';
import { concatFeatures, dropout, reverseTime } from '../ops/elementwise';
import { lstm, type LstmWeights } from '../ops/lstm';

/** Reverse a time-major [T·B] mask. */
export function reverseMask(mask: Uint32Array, T: number, B: number): Uint32Array {
  const out = new Uint32Array(T * B);
  for (let t = 0; t < T; t++) out.set(mask.subarray(t * B, (t + 1) * B), (T - 1 - t) * B);
  return out;
}

/** One direction of an LSTM layer at run time: its weights and dropout masks. */
export interface LstmDirection {
  prefix: string;
  weights: LstmWeights;
  /** Runs on the time-reversed input (Keras go_backwards). */
  backward: boolean;
  inputMask: Float32Array | null;
  recurrentMask: Float32Array | null;
}

/**
 * One LSTM layer, one or two directions, on a time-major [T, B, in] input: [T, B, F] (returnSequences)
 * or [B, F], where two directions are concatenated along features (Keras Bidirectional, merge_mode
 * 'concat': the backward direction's sequence is re-reversed into input order), and a single backward
 * direction keeps its sequence in reversed order, as Keras's go_backwards does.
 */
export function lstmLayer(step: Step, input: Tensor, dirs: readonly LstmDirection[], run: { mask: Uint32Array | null; returnSequences: boolean; name: string }): Tensor {
  const [T, B] = input.shape as [number, number, number];
  const revMask = run.mask ? reverseMask(run.mask, T, B) : null;
  const wantSeq = run.returnSequences;
  const results = dirs.map((d, i) => {
    // Variational input dropout: one mask per (sequence, feature), the same at every timestep.
    const xin = d.inputMask ? dropout(step, input, d.inputMask, B, `${d.prefix} input dropout`) : input;
    if (!d.backward) {
      const r = lstm(step, xin, d.weights, { mask: run.mask, recurrentMask: d.recurrentMask, returnSequences: wantSeq, name: d.prefix });
      return { ...r, sequence: wantSeq && i === 1 ? reverseTime(step, r.sequence, `${d.prefix} output reversed`) : r.sequence };
    }
    const rev = reverseTime(step, xin, `${d.prefix} input reversed`);
    const r = lstm(step, rev, d.weights, { mask: revMask, recurrentMask: d.recurrentMask, returnSequences: wantSeq, name: d.prefix });
    // Bidirectional flips its second layer's sequence (as Keras does, whichever way that layer ran); a
    // lone go_backwards layer keeps its sequence reversed.
    return { ...r, sequence: wantSeq && i === 1 ? reverseTime(step, r.sequence, `${d.prefix} output reversed`) : r.sequence };
  });
  const pick = (r: (typeof results)[number]) => (wantSeq ? r.sequence : r.last);
  return results.length === 2 ? concatFeatures(step, pick(results[0]!), pick(results[1]!), `${run.name} concat`) : pick(results[0]!);
}
