/**
 * A whole reset-after GRU layer (Keras's default GRU, cuDNN's) over a whole (time-major) sequence as one
 * tape op with one fused backward; the LSTM's structure (lstm.ts), with the GRU's cell.
 *
 *   z = σ(x·Wx_z + b_x,z + h̄·Wh_z + b_h,z)   r = σ(x·Wx_r + b_x,r + h̄·Wh_r + b_h,r)
 *   h̃ = tanh(x·Wx_h + b_x,h + r ⊙ (h̄·Wh_h + b_h,h))   h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃
 * with h̄ = h_{t−1} ⊙ rmask (recurrent dropout; the carry z ⊙ h_{t−1} sees the undropped state) and the
 * bias [2·3H] = b_x then b_h. Since the reset gate scales the candidate's recurrent sum after its matmul,
 * one [B, H]·[H, 3H] product per timestep serves all three gates.
 *
 * Forward:  Xp = X·Wx + b_x for all active timesteps (one GEMM + bias), then one fused dispatch per
 *           timestep: hp = h̄·Wh + b_h, the gates and h; it keeps z, r, h̃ and hp_h ([T, B, 4H]) and h by
 *           slot for the backward. Backward: one fused dispatch per timestep in reverse producing dGx (the
 *           gradient of Xp + b_x) and dGh (of hp, b_h included) for every step, then the weight and input
 *           gradients as big operations over all rows: dWh = H̄_prevᵀ·dGh, db_h = Σ dGh, dWx = Xᵀ·dGx,
 *           db_x = Σ dGx, dX = dGx·Wxᵀ (recurrence.ts). At the first processed timestep h_{t−1} is the
 *           zero initial state: its recurrent sums are b_h alone and its rows of dWh are skipped.
 *
 * The step kernels per tuning (stepKernels below): 'gpu' runs gru_ra_forward_step_wide /
 * gru_ra_backward_step_wide; 'cpu' runs gru_ra_forward_step_vec4 / gru_ra_backward_step_vec4 when H and
 * Wh's offset divide by 4, else gru_ra_forward_step / gru_ra_backward_step. On the gpu tuning the
 * recurrence may instead run as one dispatch per layer and direction (gru_ra_sequence_forward /
 * gru_ra_sequence_backward), planned by lstm-schedule.ts's table with this file's GRU_RESET_AFTER_SEQUENCE
 * capacities. All eight share the cell arithmetic and gate order (shaders/lib/gru_ra_cell.wgsl).
 *
 * Masking, skipped all-padding timesteps, recurrent dropout and one-hot input as indices work as the
 * LSTM's (recurrence.ts: projectInput, inputGrads, recurrentWeightGrad).
 */
import { type Step } from '../engine/step';
import { subSlice, type Slice } from '../engine/tensor';
import type { Tensor } from '../engine/tensor';
import { BOOLS, kernel, type SequenceRows, type TunedVariant } from '../kernels/variants';
import { ELEMENTWISE_KERNELS, addBiasInto, columnSumInto, dropoutMaskSlice } from './elementwise';
import { EMBEDDING_KERNELS } from './embedding';
import type { GruOptions, RecurrentWeights as GruWeights } from './recurrence';
import { planSequence, SEQUENCE_WORKGROUP_BYTES, type SequenceKernelShape, type SequencePlan } from './lstm-schedule';
import { GEMM_KERNELS, transposedCopy } from './matmul';
import { inputGrads, projectInput, recurrentWeightGrad, type OneHotInput, type RecurrentOutput } from './recurrence';

type GruRaStepShader =
  | 'gru_ra_forward_step' | 'gru_ra_forward_step_vec4' | 'gru_ra_forward_step_wide'
  | 'gru_ra_backward_step' | 'gru_ra_backward_step_vec4' | 'gru_ra_backward_step_wide';
const withRecurrentMask = (shader: GruRaStepShader, only: 'cpu' | 'gpu') => BOOLS.map((m) => kernel(shader, only, { USE_RECURRENT_MASK: m }));

const SEQUENCE_ROWS: readonly SequenceRows[] = [1, 2, 4];
const sized = (v: TunedVariant): TunedVariant => ({ ...v, workgroupBytes: SEQUENCE_WORKGROUP_BYTES });

/** Every variant `gruResetAfter` may dispatch, by direction (stepKernels below picks among the step kernels). */
export const GRU_RESET_AFTER_KERNELS: { forward: readonly TunedVariant[]; backward: readonly TunedVariant[] } = {
  forward: [
    ...GEMM_KERNELS,
    ...EMBEDDING_KERNELS.forward,
    ...ELEMENTWISE_KERNELS.addBias,
    ...withRecurrentMask('gru_ra_forward_step', 'cpu'),
    ...withRecurrentMask('gru_ra_forward_step_vec4', 'cpu'),
    ...withRecurrentMask('gru_ra_forward_step_wide', 'gpu'),
    ...SEQUENCE_ROWS.map((ROWS) => sized(kernel('gru_ra_sequence_forward', 'gpu', { ROWS }))),
  ],
  backward: [
    ...GEMM_KERNELS,
    ...EMBEDDING_KERNELS.backward,
    ...ELEMENTWISE_KERNELS.columnSum,
    ...ELEMENTWISE_KERNELS.dropout,
    ...withRecurrentMask('gru_ra_backward_step', 'cpu'),
    ...withRecurrentMask('gru_ra_backward_step_vec4', 'cpu'),
    ...withRecurrentMask('gru_ra_backward_step_wide', 'gpu'),
    kernel('transpose', 'gpu'),
    ...SEQUENCE_ROWS.map((ROWS) => sized(kernel('gru_ra_sequence_backward', 'gpu', { ROWS }))),
  ],
};

const THREADS = 256;
/** Capacities of the whole-sequence kernels' workgroup arrays, in vec4s (see their headers). */
const FORWARD_HW_VEC4 = 256;
const FORWARD_PART_VEC4 = 1792;
const BACKWARD_DG_VEC4 = 768;
const BACKWARD_PART_VEC4 = 1024;

/** The whole-sequence kernels (gru_ra_sequence_forward / gru_ra_sequence_backward) as planSequence sees them. */
export const GRU_RESET_AFTER_SEQUENCE: SequenceKernelShape = {
  cell: 'GRU',
  fits: (H, rows, offsets, workgroupStorage) =>
    H % 4 === 0 && offsets % 4 === 0 && H / 4 <= THREADS && (rows * H) / 4 <= FORWARD_HW_VEC4 && (rows * 3 * H) / 4 <= BACKWARD_DG_VEC4 &&
    workgroupStorage >= SEQUENCE_WORKGROUP_BYTES,
  plan: (H, rows) => {
    const Q = H / 4;
    return {
      rows,
      // The forward splits the H/4 quads of k (3 gates of partial sums each), the backward the 3H/4 quads of n.
      forwardSlices: Math.max(1, Math.min(Math.floor(THREADS / Q), Math.floor(FORWARD_PART_VEC4 / (rows * 3 * Q)), Q)),
      backwardSlices: Math.max(1, Math.min(Math.floor(THREADS / Q), Math.floor(BACKWARD_PART_VEC4 / (rows * Q)), 3 * Q)),
    };
  },
  needs: (rows) => `units divisible by 4, at most ${Math.min(4 * THREADS, (4 * FORWARD_HW_VEC4) / rows)} units, and ${SEQUENCE_WORKGROUP_BYTES} bytes of workgroup memory`,
};

/**
 * The per-timestep kernels for the engine's tuning and their grid (as the LSTM's): 'gpu' the wide
 * kernels (8 units × 4 rows per workgroup); 'cpu' the register-tiled ones, vec4 when H and Wh's offset
 * divide by 4 (each invocation then owns 4 units).
 */
function stepKernels(step: Step, H: number, B: number, whOffset: number): { forward: GruRaStepShader; backward: GruRaStepShader; vec4: boolean; workgroups: readonly [number, number, number] } {
  const rowGroups = Math.ceil(B / 4);
  if (step.engine.tuning === 'gpu') {
    return { forward: 'gru_ra_forward_step_wide', backward: 'gru_ra_backward_step_wide', vec4: false, workgroups: [Math.ceil(H / 8), rowGroups, 1] as const };
  }
  if (H % 4 === 0 && whOffset % 4 === 0) {
    return { forward: 'gru_ra_forward_step_vec4', backward: 'gru_ra_backward_step_vec4', vec4: true, workgroups: [Math.ceil(H / 256), rowGroups, 1] as const };
  }
  return { forward: 'gru_ra_forward_step', backward: 'gru_ra_backward_step', vec4: false, workgroups: [Math.ceil(H / 64), rowGroups, 1] as const };
}

export function gruResetAfter(step: Step, x: Tensor | OneHotInput, w: GruWeights, opts: GruOptions): RecurrentOutput {
  const name = opts.name ?? 'gru';
  if (!opts.resetAfter) throw new Error(`${name}: gruResetAfter runs the reset-after GRU only (resetAfter: true)`);
  const p = projectInput(step, x, w, 3, (H) => 6 * H, opts, name);
  const { T, B, H, G, tStart, tEnd, rows, xp, xpWin, dense } = p;
  const useRMask = !!opts.recurrentMask;

  const needGrad = !!dense?.requiresGrad || w.wx.requiresGrad || w.wh.requiresGrad || w.b.requiresGrad;
  // keepState (inspect()) keeps what a training forward keeps, without a gradient.
  const store = (needGrad && step.tape.recording) || !!opts.keepState;
  const engine = step.engine;
  const seq = planSequence(
    engine.lstmSchedule, engine.tuning,
    { B, H, whOffset: w.wh.data.offset, bOffset: w.b.data.offset, training: store },
    engine.device.limits.maxComputeWorkgroupStorageSize, name, GRU_RESET_AFTER_SEQUENCE,
  );

  // The whole-sequence kernel adds b_x itself as it reads Xp; b_h enters the recurrent sums in every kernel.
  if (rows > 0 && !seq) addBiasInto(step, xpWin, subSlice(w.b.data, 0, G), rows, G);

  const hsT = step.output([T + 1, B, H], `${name} h`, needGrad);
  // The whole-sequence forward of an evaluation step stores no gates: a vec4 placeholder is bound instead.
  const keep = store || !seq;
  const gates = step.scratch(keep ? T * B * 4 * H : 4, `${name} gates`);
  step.clear(subSlice(hsT.data, 0, (tStart + 1) * B * H));
  const mask = step.upload(opts.mask ?? new Uint32Array(T * B).fill(1), `${name} mask`);
  // Without recurrent dropout a placeholder of one vec4 (the kernels read it only with USE_RECURRENT_MASK).
  const rmask = opts.recurrentMask ? dropoutMaskSlice(step, opts.recurrentMask, B * H, `${name} recurrent mask`) : step.scratch(4, `${name} recurrent mask placeholder`);
  // With recurrent dropout the per-timestep kernels keep h ⊙ rmask beside h (as the LSTM's): the
  // recurrent sums read it without a multiply, and it is dWh's H̄_prev. Unused otherwise: one vec4.
  const hm = useRMask && !seq ? step.scratch((T + 1) * B * H, `${name} masked h`) : null;
  if (hm) step.clear(subSlice(hm, 0, (tStart + 1) * B * H));
  const hmBinding = hm ?? step.scratch(4, `${name} masked h placeholder`);
  const layer: Recurrence = { B, H, tStart, tEnd, w, xp, mask, rmask, useRMask, hs: hsT.data, gates, name };
  if (seq) encodeSequenceForward(step, layer, seq, store);
  else encodeStepwiseForward(step, layer, hmBinding);

  step.tape.record(name, () => {
    if (rows === 0) return;
    const dHs = hsT.grad!;
    const dGx = step.scratch(T * B * G, `${name} dGx`);
    const dGh = step.scratch(T * B * G, `${name} dGh`);
    if (seq) encodeSequenceBackward(step, layer, seq, dHs, dGx, dGh);
    else encodeStepwiseBackward(step, layer, dHs, dGx, dGh);
    if (w.wh.grad) recurrentWeightGrad(step, p, { hs: hsT.data, hm, rmask: useRMask ? rmask : null }, dGh, w.wh.grad, name);
    inputGrads(step, p, dGx, w.wx, w.b.grad ? subSlice(w.b.grad, 0, G) : null, name);
    // db_h = Σ dGh over the window (the first step's too: b_h enters its sums although h_{t−1} is zero).
    if (w.b.grad) columnSumInto(step, subSlice(dGh, tStart * B * G, rows * G), subSlice(w.b.grad, G, G), rows, G);
  });

  return {
    sequence: hsT.rows(1, T, `${name} sequence`),
    last: hsT.rows(tEnd, 1, `${name} last`).reshape([B, H]),
    tStart,
    tEnd,
    // z, r and the candidate h̃ by block of the gates buffer; h by slot (slot t + 1 is timestep t).
    ...(opts.keepState
      ? {
          state: {
            T, B, H, tStart, tEnd,
            mask: opts.mask ?? null,
            values: [
              ...(['z', 'r', 'candidate'] as const).map((name, k) => ({ name, slice: gates, base: k * H, rowStride: 4 * H })),
              { name: 'h', slice: hsT.data, base: B * H, rowStride: H },
            ],
          },
        }
      : {}),
  };
}

/** One layer's recurrence as the per-schedule encoders below see it: its sizes, window and buffers. */
interface Recurrence {
  B: number;
  H: number;
  /** The processed timesteps [tStart, tEnd). */
  tStart: number;
  tEnd: number;
  w: GruWeights;
  /** X·Wx for every timestep, [T, B, 3H]; the per-timestep schedule has added b_x already. */
  xp: Slice;
  /** Time-major [T·B] real-token flags. */
  mask: Slice;
  /** The recurrent-dropout mask [B·H], or a one-vec4 placeholder without recurrent dropout. */
  rmask: Slice;
  useRMask: boolean;
  /** h by slot, [(T + 1), B, H]: slot t + 1 holds h_t, slot 0 the zero initial state. */
  hs: Slice;
  /** z, r, h̃ and hp_h, [T, B, 4H]: a one-vec4 placeholder in a whole-sequence evaluation step. */
  gates: Slice;
  name: string;
}

/**
 * The whole-sequence forward (gru_ra_sequence_forward): one dispatch for every timestep, each workgroup
 * owning `seq.rows` batch rows; it adds both biases itself, and stores the gates only when `store`.
 */
function encodeSequenceForward(step: Step, l: Recurrence, seq: SequencePlan, store: boolean): void {
  if (l.tEnd <= l.tStart) return;
  const { B, H, w } = l;
  step.dispatch('gru_ra_sequence_forward', {
    overrides: { ROWS: seq.rows },
    buffers: { xp: l.xp, wh: w.wh.data, mask: l.mask, rmask: l.rmask, hs: l.hs, gates: l.gates, bias: w.b.data },
    params: { B, H, tStart: l.tStart, tEnd: l.tEnd, offWh: w.wh.data.offset, offB: w.b.data.offset, slices: seq.forwardSlices, useRMask: Number(l.useRMask), store: Number(store) },
    workgroups: [Math.ceil(B / seq.rows), 1, 1],
  });
}

/**
 * The per-timestep forward: one dispatch of the tuning's step kernel per timestep, which writes h and the
 * gates of slot t + 1 and, with recurrent dropout, h ⊙ rmask into `hm`.
 */
function encodeStepwiseForward(step: Step, l: Recurrence, hm: Slice): void {
  const { B, H, w } = l;
  const k = stepKernels(step, H, B, w.wh.data.offset);
  for (let t = l.tStart; t < l.tEnd; t++) {
    step.dispatch(k.forward, {
      overrides: { USE_RECURRENT_MASK: l.useRMask },
      buffers: { xp: l.xp, wh: w.wh.data, mask: l.mask, rmask: l.rmask, hs: l.hs, gates: l.gates, hm, bias: w.b.data },
      // At tStart h_{t−1} is the zero initial state: the recurrent sums are b_h alone.
      params: { B, H, t, offWh: w.wh.data.offset, offBh: w.b.data.offset + 3 * H, kEnd: t === l.tStart ? 0 : H },
      workgroups: k.workgroups,
    });
  }
}

/**
 * The whole-sequence backward (gru_ra_sequence_backward): dGx and dGh for every processed timestep in one
 * dispatch that carries dh from timestep to timestep itself; it reads Wh transposed (a copy per layer).
 */
function encodeSequenceBackward(step: Step, l: Recurrence, seq: SequencePlan, dHs: Slice, dGx: Slice, dGh: Slice): void {
  const { B, H, w } = l;
  const G = 3 * H;
  const whT = step.scratch(G * H, `${l.name} Wh transposed`);
  step.dispatch('transpose', { buffers: { X: w.wh.data, Y: whT }, params: { rows: H, cols: G, offX: w.wh.data.offset }, workgroups: [Math.ceil(G / 16), Math.ceil(H / 16), 1] });
  step.dispatch('gru_ra_sequence_backward', {
    overrides: { ROWS: seq.rows },
    buffers: { whT, mask: l.mask, rmask: l.rmask, gates: l.gates, hs: l.hs, dHs, dGx, dGh },
    params: { B, H, tStart: l.tStart, tEnd: l.tEnd, slices: seq.backwardSlices, useRMask: Number(l.useRMask) },
    workgroups: [Math.ceil(B / seq.rows), 1, 1],
  });
}

/**
 * The per-timestep backward: one dispatch of the tuning's step kernel per timestep in reverse, writing
 * that timestep's dGx and dGh and carrying the carry's share of dh to the one before through a zeroed buffer.
 */
function encodeStepwiseBackward(step: Step, l: Recurrence, dHs: Slice, dGx: Slice, dGh: Slice): void {
  const { B, H, w, name } = l;
  const G = 3 * H;
  const k = stepKernels(step, H, B, w.wh.data.offset);
  const dhCarry = step.zeros(B * H, `${name} dh carry`);
  // The vec4 kernel reads rmask as vec4s: without recurrent dropout it is a one-vec4 placeholder, so give
  // it a buffer of the full size. It reads Wh transposed (a copy per layer).
  const rmask = k.vec4 && !l.useRMask ? step.zeros(B * H, `${name} recurrent mask placeholder`) : l.rmask;
  const weights: Record<string, Slice> = k.vec4 ? { whT: transposedCopy(step, w.wh.data, H, G, G, `${name} Wh transposed`) } : { wh: w.wh.data };
  for (let t = l.tEnd - 1; t >= l.tStart; t--) {
    step.dispatch(k.backward, {
      overrides: { USE_RECURRENT_MASK: l.useRMask },
      buffers: { ...weights, mask: l.mask, rmask, gates: l.gates, hs: l.hs, dHs, dGx, dGh, dhCarry },
      params: k.vec4 ? { B, H, t, tEnd: l.tEnd } : { B, H, t, tEnd: l.tEnd, offWh: w.wh.data.offset },
      workgroups: k.workgroups,
    });
  }
}
