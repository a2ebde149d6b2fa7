/**
 * A whole SimpleRNN layer (Keras 3 SimpleRNN) over a whole (time-major) sequence as one tape op with one
 * fused backward; the LSTM's structure (lstm.ts), with the simplest cell:
 *
 *   h_t = act(x_t·Wx + b + (h_{t−1} ⊙ rmask)·Wh)      Wx [in, H], Wh [H, H], b [H]
 *
 * act is 'tanh' (Keras's default), 'relu', 'sigmoid' or 'linear'; its slope is a function of its output
 * (tanh 1 − h², sigmoid h(1 − h), relu [h > 0], linear 1), so h is all the backward pass needs.
 *
 * Forward:  Xp = X·Wx + b for all active timesteps (one GEMM + bias), then one fused dispatch per
 *           timestep: the recurrent matmul and the activation, h by slot [T + 1, B, H]. Backward: one fused
 *           dispatch per timestep in reverse producing dG = dh ⊙ act′ for every step, then the weight
 *           and input gradients as big operations over all rows (recurrence.ts): dWh = H_prevᵀ·dG,
 *           dWx = Xᵀ·dG, db = Σ dG, dX = dG·Wxᵀ. At the first processed timestep h_{t−1} is the zero
 *           initial state: its recurrent sum and its rows of dWh are skipped.
 *
 * The step kernels per tuning (stepKernels below): 'gpu' runs rnn_forward_step_wide /
 * rnn_backward_step_wide; 'cpu' runs rnn_forward_step_vec4 / rnn_backward_step_vec4 when H and Wh's
 * offset divide by 4, else rnn_forward_step / rnn_backward_step. On the gpu tuning the recurrence may
 * instead run as one dispatch per layer and direction (rnn_sequence_forward / rnn_sequence_backward),
 * planned by lstm-schedule.ts's table with this file's SIMPLE_RNN_SEQUENCE capacities. All eight share
 * the activation and its slope (shaders/lib/rnn_cell.wgsl).
 *
 * The activation is a uniform of every kernel (`act`, SIMPLE_RNN_ACTIVATION_CODES), not an override: it
 * runs once per unit and timestep beside H multiply-adds, so a branch on a uniform costs nothing
 * measurable, while an override would make four pipelines of each kernel for every engine to compile up
 * front — 8 instead of 2 per step kernel and 12 instead of 3 per whole-sequence kernel, where SwiftShader
 * took about 2 s for each wide step pipeline and 30 s for each whole-sequence one (2 busy cores).
 *
 * Masking, skipped all-padding timesteps, recurrent dropout and one-hot input as indices work as the
 * LSTM's (recurrence.ts: projectInput, inputGrads, recurrentWeightGrad).
 */
import { type Step } from '../engine/step';
import { subSlice, type Slice } from '../engine/tensor';
import type { Tensor } from '../engine/tensor';
import { BOOLS, kernel, type SequenceRows, type TunedVariant } from '../kernels/variants';
import { ACTIVATION_CODES } from './activation';
import { ELEMENTWISE_KERNELS, addBiasInto, dropoutMaskSlice } from './elementwise';
import { EMBEDDING_KERNELS } from './embedding';
import { planSequence, SEQUENCE_WORKGROUP_BYTES, type SequenceKernelShape, type SequencePlan } from './lstm-schedule';
import { GEMM_KERNELS, transposedCopy } from './matmul';
import { inputGrads, projectInput, recurrentWeightGrad, type OneHotInput, type RecurrentOptions, type RecurrentOutput, type SimpleRnnActivation } from './recurrence';

export type { SimpleRnnActivation };

export interface SimpleRnnWeights {
  /** [in, H] */
  wx: Tensor;
  /** [H, H] */
  wh: Tensor;
  /** [H] */
  b: Tensor;
}

export interface SimpleRnnOptions extends RecurrentOptions {
  activation: SimpleRnnActivation;
}

/**
 * The activation codes of shaders/lib/rnn_cell.wgsl (ACT_SIGMOID …): the dense layers' codes
 * (ACTIVATION_CODES, shaders/lib/activations.wgsl) and linear after them.
 */
export const SIMPLE_RNN_ACTIVATION_CODES = { ...ACTIVATION_CODES, linear: 3 } as const satisfies Record<SimpleRnnActivation, number>;

type RnnStepShader =
  | 'rnn_forward_step' | 'rnn_forward_step_vec4' | 'rnn_forward_step_wide'
  | 'rnn_backward_step' | 'rnn_backward_step_vec4' | 'rnn_backward_step_wide';
/** A step kernel's pipelines: with and without recurrent dropout (the activation is a uniform). */
const stepVariants = (shader: RnnStepShader, only: 'cpu' | 'gpu') => BOOLS.map((m) => kernel(shader, only, { USE_RECURRENT_MASK: m }));

const SEQUENCE_ROWS: readonly SequenceRows[] = [1, 2, 4];
const sized = (v: TunedVariant): TunedVariant => ({ ...v, workgroupBytes: SEQUENCE_WORKGROUP_BYTES });

/** Every variant `simpleRnn` may dispatch, by direction (stepKernels below picks among the step kernels). */
export const SIMPLE_RNN_KERNELS: { forward: readonly TunedVariant[]; backward: readonly TunedVariant[] } = {
  forward: [
    ...GEMM_KERNELS,
    ...EMBEDDING_KERNELS.forward,
    ...ELEMENTWISE_KERNELS.addBias,
    ...stepVariants('rnn_forward_step', 'cpu'),
    ...stepVariants('rnn_forward_step_vec4', 'cpu'),
    ...stepVariants('rnn_forward_step_wide', 'gpu'),
    ...SEQUENCE_ROWS.map((ROWS) => sized(kernel('rnn_sequence_forward', 'gpu', { ROWS }))),
  ],
  backward: [
    ...GEMM_KERNELS,
    ...EMBEDDING_KERNELS.backward,
    ...ELEMENTWISE_KERNELS.columnSum,
    ...ELEMENTWISE_KERNELS.dropout,
    ...stepVariants('rnn_backward_step', 'cpu'),
    ...stepVariants('rnn_backward_step_vec4', 'cpu'),
    ...stepVariants('rnn_backward_step_wide', 'gpu'),
    kernel('transpose', 'gpu'),
    ...SEQUENCE_ROWS.map((ROWS) => sized(kernel('rnn_sequence_backward', 'gpu', { ROWS }))),
  ],
};

const THREADS = 256;
/** Capacities of the whole-sequence kernels' workgroup arrays, in vec4s (see their headers): h (forward) or dG (backward) of the rows, and the partial sums. */
const ROWS_VEC4 = 256;
const PART_VEC4 = 1792;

/** The whole-sequence kernels (rnn_sequence_forward / rnn_sequence_backward) as planSequence sees them. */
export const SIMPLE_RNN_SEQUENCE: SequenceKernelShape = {
  cell: 'SimpleRNN',
  fits: (H, rows, offsets, workgroupStorage) =>
    H % 4 === 0 && offsets % 4 === 0 && H / 4 <= THREADS && (rows * H) / 4 <= ROWS_VEC4 && workgroupStorage >= SEQUENCE_WORKGROUP_BYTES,
  plan: (H, rows) => {
    const Q = H / 4;
    // Both kernels split the H/4 quads of their sum (k forward, j backward) into slices of Q invocations
    // each, as many as 256 invocations hold and the partial sums' array fits.
    const slices = Math.max(1, Math.min(Math.floor(THREADS / Q), Math.floor(PART_VEC4 / (rows * Q)), Q));
    return { rows, forwardSlices: slices, backwardSlices: slices };
  },
  needs: (rows) => `units divisible by 4, at most ${Math.min(4 * THREADS, (4 * ROWS_VEC4) / rows)} units, and ${SEQUENCE_WORKGROUP_BYTES} bytes of workgroup memory`,
};

/**
 * The per-timestep kernels for the engine's tuning and their grid: 'gpu' the wide kernels (16 units × 4
 * rows per workgroup); 'cpu' the register-tiled ones, vec4 when H and Wh's offset divide by 4 (each
 * invocation then owns 4 units).
 */
function stepKernels(step: Step, H: number, B: number, whOffset: number): { forward: RnnStepShader; backward: RnnStepShader; vec4: boolean; workgroups: readonly [number, number, number] } {
  const rowGroups = Math.ceil(B / 4);
  if (step.engine.tuning === 'gpu') {
    return { forward: 'rnn_forward_step_wide', backward: 'rnn_backward_step_wide', vec4: false, workgroups: [Math.ceil(H / 16), rowGroups, 1] as const };
  }
  if (H % 4 === 0 && whOffset % 4 === 0) {
    return { forward: 'rnn_forward_step_vec4', backward: 'rnn_backward_step_vec4', vec4: true, workgroups: [Math.ceil(H / 256), rowGroups, 1] as const };
  }
  return { forward: 'rnn_forward_step', backward: 'rnn_backward_step', vec4: false, workgroups: [Math.ceil(H / 64), rowGroups, 1] as const };
}

export function simpleRnn(step: Step, x: Tensor | OneHotInput, w: SimpleRnnWeights, opts: SimpleRnnOptions): RecurrentOutput {
  const name = opts.name ?? 'simple_rnn';
  if (!Object.hasOwn(SIMPLE_RNN_ACTIVATION_CODES, opts.activation)) {
    throw new Error(`${name}: unknown activation ${JSON.stringify(opts.activation)} (known: ${Object.keys(SIMPLE_RNN_ACTIVATION_CODES).join(', ')})`);
  }
  const act = SIMPLE_RNN_ACTIVATION_CODES[opts.activation];
  const p = projectInput(step, x, w, 1, (H) => H, opts, name);
  const { T, B, H, tStart, tEnd, rows, xp, xpWin, dense } = p;
  const useRMask = !!opts.recurrentMask;

  const needGrad = !!dense?.requiresGrad || w.wx.requiresGrad || w.wh.requiresGrad || w.b.requiresGrad;
  const engine = step.engine;
  const seq = planSequence(
    engine.lstmSchedule, engine.tuning,
    { B, H, whOffset: w.wh.data.offset, bOffset: w.b.data.offset, training: needGrad && step.tape.recording },
    engine.device.limits.maxComputeWorkgroupStorageSize, name, SIMPLE_RNN_SEQUENCE,
  );

  // The whole-sequence kernel adds the bias itself as it reads Xp.
  if (rows > 0 && !seq) addBiasInto(step, xpWin, w.b.data, rows, H);

  // h by slot is the layer's output and all that the backward pass reads, in training and inference alike.
  const hsT = step.output([T + 1, B, H], `${name} h`, needGrad);
  step.clear(subSlice(hsT.data, 0, (tStart + 1) * B * H));
  const mask = step.upload(opts.mask ?? new Uint32Array(T * B).fill(1), `${name} mask`);
  // Without recurrent dropout a placeholder of one vec4 (the kernels read it only with recurrent dropout).
  const rmask = opts.recurrentMask ? dropoutMaskSlice(step, opts.recurrentMask, B * H, `${name} recurrent mask`) : step.scratch(4, `${name} recurrent mask placeholder`);
  // With recurrent dropout the per-timestep kernels keep h ⊙ rmask beside h (as the LSTM's): the
  // recurrent sum reads it without a multiply, and it is dWh's H_prev. Unused otherwise: one vec4.
  const hm = useRMask && !seq ? step.scratch((T + 1) * B * H, `${name} masked h`) : null;
  if (hm) step.clear(subSlice(hm, 0, (tStart + 1) * B * H));
  const layer: Recurrence = { B, H, tStart, tEnd, w, act, xp, mask, rmask, useRMask, hs: hsT.data, name };
  if (seq) encodeSequenceForward(step, layer, seq);
  else encodeStepwiseForward(step, layer, hm ?? step.scratch(4, `${name} masked h placeholder`));

  step.tape.record(name, () => {
    if (rows === 0) return;
    const dHs = hsT.grad!;
    const dG = step.scratch(T * B * H, `${name} dG`);
    if (seq) encodeSequenceBackward(step, layer, seq, dHs, dG);
    else encodeStepwiseBackward(step, layer, dHs, dG);
    if (w.wh.grad) recurrentWeightGrad(step, p, { hs: hsT.data, hm, rmask: useRMask ? rmask : null }, dG, w.wh.grad, name);
    inputGrads(step, p, dG, w.wx, w.b.grad, name);
  });

  const out: RecurrentOutput = {
    sequence: hsT.rows(1, T, `${name} sequence`),
    last: hsT.rows(tEnd, 1, `${name} last`).reshape([B, H]),
    tStart,
    tEnd,
  };
  // h by slot (slot t + 1 is timestep t): the cell keeps nothing else.
  if (opts.keepState) out.state = { T, B, H, tStart, tEnd, mask: opts.mask ?? null, values: [{ name: 'h', slice: hsT.data, base: B * H, rowStride: H }] };
  return out;
}

/** One layer's recurrence as the per-schedule encoders below see it: its sizes, window and buffers. */
interface Recurrence {
  B: number;
  H: number;
  /** The processed timesteps [tStart, tEnd). */
  tStart: number;
  tEnd: number;
  w: SimpleRnnWeights;
  /** The activation's code (SIMPLE_RNN_ACTIVATION_CODES). */
  act: number;
  /** X·Wx for every timestep, [T, B, H]; the per-timestep schedule has added the bias already. */
  xp: Slice;
  /** Time-major [T·B] real-token flags. */
  mask: Slice;
  /** The recurrent-dropout mask [B·H], or a one-vec4 placeholder without recurrent dropout. */
  rmask: Slice;
  useRMask: boolean;
  /** h by slot, [(T + 1), B, H]: slot t + 1 holds h_t, slot 0 the zero initial state. */
  hs: Slice;
  name: string;
}

/**
 * The whole-sequence forward (rnn_sequence_forward): one dispatch for every timestep, each workgroup
 * owning `seq.rows` batch rows; it adds the bias itself and stores h only.
 */
function encodeSequenceForward(step: Step, l: Recurrence, seq: SequencePlan): void {
  if (l.tEnd <= l.tStart) return;
  const { B, H, w } = l;
  step.dispatch('rnn_sequence_forward', {
    overrides: { ROWS: seq.rows },
    buffers: { xp: l.xp, wh: w.wh.data, mask: l.mask, rmask: l.rmask, hs: l.hs, bias: w.b.data },
    params: { B, H, tStart: l.tStart, tEnd: l.tEnd, offWh: w.wh.data.offset, offB: w.b.data.offset, slices: seq.forwardSlices, useRMask: Number(l.useRMask), act: l.act },
    workgroups: [Math.ceil(B / seq.rows), 1, 1],
  });
}

/**
 * The per-timestep forward: one dispatch of the tuning's step kernel per timestep, which writes h of
 * slot t + 1 and, with recurrent dropout, h ⊙ rmask into `hm`.
 */
function encodeStepwiseForward(step: Step, l: Recurrence, hm: Slice): void {
  const { B, H, w } = l;
  const k = stepKernels(step, H, B, w.wh.data.offset);
  for (let t = l.tStart; t < l.tEnd; t++) {
    step.dispatch(k.forward, {
      overrides: { USE_RECURRENT_MASK: l.useRMask },
      buffers: { xp: l.xp, wh: w.wh.data, mask: l.mask, rmask: l.rmask, hs: l.hs, hm },
      // At tStart h_{t−1} is the zero initial state: no recurrent sum.
      params: { B, H, t, offWh: w.wh.data.offset, kEnd: t === l.tStart ? 0 : H, act: l.act },
      workgroups: k.workgroups,
    });
  }
}

/**
 * The whole-sequence backward (rnn_sequence_backward): dG for every processed timestep in one dispatch
 * that carries dh from timestep to timestep itself; it reads Wh transposed (a copy per layer).
 */
function encodeSequenceBackward(step: Step, l: Recurrence, seq: SequencePlan, dHs: Slice, dG: Slice): void {
  const { B, H, w } = l;
  const whT = step.scratch(H * H, `${l.name} Wh transposed`);
  step.dispatch('transpose', { buffers: { X: w.wh.data, Y: whT }, params: { rows: H, cols: H, offX: w.wh.data.offset }, workgroups: [Math.ceil(H / 16), Math.ceil(H / 16), 1] });
  step.dispatch('rnn_sequence_backward', {
    overrides: { ROWS: seq.rows },
    buffers: { whT, mask: l.mask, rmask: l.rmask, hs: l.hs, dHs, dG },
    params: { B, H, tStart: l.tStart, tEnd: l.tEnd, slices: seq.backwardSlices, useRMask: Number(l.useRMask), act: l.act },
    workgroups: [Math.ceil(B / seq.rows), 1, 1],
  });
}

/**
 * The per-timestep backward: one dispatch of the tuning's step kernel per timestep in reverse, writing
 * that timestep's dG and carrying the dh of rows that were padding to the step before through a zeroed buffer.
 */
function encodeStepwiseBackward(step: Step, l: Recurrence, dHs: Slice, dG: Slice): void {
  const { B, H, w, name } = l;
  const k = stepKernels(step, H, B, w.wh.data.offset);
  const dhCarry = step.zeros(B * H, `${name} dh carry`);
  // The vec4 kernel reads Wh transposed (a copy per layer).
  const weights: Record<string, Slice> = k.vec4 ? { whT: transposedCopy(step, w.wh.data, H, H, H, `${name} Wh transposed`) } : { wh: w.wh.data };
  for (let t = l.tEnd - 1; t >= l.tStart; t--) {
    step.dispatch(k.backward, {
      overrides: { USE_RECURRENT_MASK: l.useRMask },
      buffers: { ...weights, mask: l.mask, rmask: l.rmask, hs: l.hs, dHs, dG, dhCarry },
      params: k.vec4 ? { B, H, t, tEnd: l.tEnd, act: l.act } : { B, H, t, tEnd: l.tEnd, offWh: w.wh.data.offset, act: l.act },
      workgroups: k.workgroups,
    });
  }
}
