/**
 * A whole reset-before GRU layer (Keras's GRU with reset_after = False; the form TF.js runs) over a whole
 * (time-major) sequence as one tape op with one fused backward; the LSTM's structure (lstm.ts), with this
 * cell's two dependent phases per timestep.
 *
 *   z = σ(x·Wx_z + b_z + h̄·Wh_z)   r = σ(x·Wx_r + b_r + h̄·Wh_r)   rh = r ⊙ h̄
 *   h̃ = tanh(x·Wx_h + b_h + rh·Wh_h)   h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃
 * with h̄ = h_{t−1} ⊙ rmask (recurrent dropout; the carry z ⊙ h_{t−1} sees the undropped state) and the
 * bias [3H]. The reset gate scales h̄ before the candidate's matmul, so the candidate's sum needs r of
 * every unit: each timestep is (A) z, r, rh from h̄·Wh_zr, then (B) h̃ and h from rh·Wh_h.
 *
 * Forward:  Xp = X·Wx + b for all active timesteps (one GEMM + bias), then per timestep the two phases;
 *           it keeps z, r, h̃ ([T, B, 3H]), rh ([T, B, H]) and h by slot for the backward.
 * Backward: per timestep in reverse, phase 1 (dh_t, dGz, da_h) and phase 2 (d(rh) = da_h·Wh_hᵀ, dGr),
 *           carrying dh_t's pointwise parts in one buffer; then the weight and input gradients as big
 *           operations over all rows: dWh_zr = H̄_prevᵀ·dG_zr, dWh_h = RHᵀ·da_h, dWx = Xᵀ·dG, db = Σ dG,
 *           dX = dG·Wxᵀ (dG = [dGz, dGr, da_h]). At the first processed timestep h_{t−1} is the zero
 *           initial state: its recurrent sums and its rows of dWh are skipped.
 *
 * The kernels per tuning (stepKernels below): 'cpu' runs gru_rb_forward_gates / gru_rb_forward_candidate
 * and gru_rb_backward_state / gru_rb_backward_reset, or their _vec4 forms when H and Wh's offset divide
 * by 4; 'gpu' runs their _wide forms, or the recurrence as one dispatch per layer and direction
 * (gru_rb_sequence_forward / gru_rb_sequence_backward), planned by lstm-schedule.ts's table with this
 * file's GRU_RESET_BEFORE_SEQUENCE capacities. All share the cell arithmetic and gate order
 * (shaders/lib/gru_rb_cell.wgsl).
 *
 * Masking, skipped all-padding timesteps, recurrent dropout and one-hot input as indices work as the
 * LSTM's (recurrence.ts: projectInput, inputGrads, recurrentWeightGrad).
 */
import { type Step } from '../engine/step';
import { subSlice, type Slice, type Tensor } from '../engine/tensor';
import { BOOLS, kernel, type SequenceRows, type TunedVariant } from '../kernels/variants';
import { ELEMENTWISE_KERNELS, addBiasInto, dropoutMaskSlice } from './elementwise';
import { EMBEDDING_KERNELS } from './embedding';
import type { GruOptions, RecurrentWeights as GruWeights } from './recurrence';
import { planSequence, SEQUENCE_WORKGROUP_BYTES, type SequenceKernelShape, type SequencePlan } from './lstm-schedule';
import { GEMM_KERNELS, gemm, transposedCopy } from './matmul';
import { inputGrads, projectInput, recurrentWeightGrad, type InputProjection, type OneHotInput, type RecurrentOutput } from './recurrence';

type GruRbStepShader =
  | 'gru_rb_forward_gates' | 'gru_rb_forward_candidate' | 'gru_rb_backward_state' | 'gru_rb_backward_reset'
  | 'gru_rb_forward_gates_vec4' | 'gru_rb_forward_candidate_vec4' | 'gru_rb_backward_state_vec4' | 'gru_rb_backward_reset_vec4'
  | 'gru_rb_forward_gates_wide' | 'gru_rb_forward_candidate_wide' | 'gru_rb_backward_state_wide' | 'gru_rb_backward_reset_wide';
const withRecurrentMask = (shader: GruRbStepShader, only: 'cpu' | 'gpu') => BOOLS.map((m) => kernel(shader, only, { USE_RECURRENT_MASK: m }));

const SEQUENCE_ROWS: readonly SequenceRows[] = [1, 2, 4];
const sized = (v: TunedVariant): TunedVariant => ({ ...v, workgroupBytes: SEQUENCE_WORKGROUP_BYTES });

/** Every variant `gruResetBefore` may dispatch, by direction (stepKernels below picks among the step kernels). */
export const GRU_RESET_BEFORE_KERNELS: { forward: readonly TunedVariant[]; backward: readonly TunedVariant[] } = {
  forward: [
    ...GEMM_KERNELS,
    ...EMBEDDING_KERNELS.forward,
    ...ELEMENTWISE_KERNELS.addBias,
    ...withRecurrentMask('gru_rb_forward_gates', 'cpu'),
    ...withRecurrentMask('gru_rb_forward_candidate', 'cpu'),
    ...withRecurrentMask('gru_rb_forward_gates_vec4', 'cpu'),
    ...withRecurrentMask('gru_rb_forward_candidate_vec4', 'cpu'),
    ...withRecurrentMask('gru_rb_forward_gates_wide', 'gpu'),
    ...withRecurrentMask('gru_rb_forward_candidate_wide', 'gpu'),
    ...SEQUENCE_ROWS.map((ROWS) => sized(kernel('gru_rb_sequence_forward', 'gpu', { ROWS }))),
  ],
  backward: [
    ...GEMM_KERNELS,
    ...EMBEDDING_KERNELS.backward,
    ...ELEMENTWISE_KERNELS.columnSum,
    ...ELEMENTWISE_KERNELS.dropout,
    ...withRecurrentMask('gru_rb_backward_state', 'cpu'),
    ...withRecurrentMask('gru_rb_backward_reset', 'cpu'),
    ...withRecurrentMask('gru_rb_backward_state_vec4', 'cpu'),
    ...withRecurrentMask('gru_rb_backward_reset_vec4', 'cpu'),
    ...withRecurrentMask('gru_rb_backward_state_wide', 'gpu'),
    ...withRecurrentMask('gru_rb_backward_reset_wide', 'gpu'),
    kernel('transpose', 'gpu'),
    ...SEQUENCE_ROWS.map((ROWS) => sized(kernel('gru_rb_sequence_backward', 'gpu', { ROWS }))),
  ],
};

const THREADS = 256;
/** Capacities of the whole-sequence kernels' workgroup arrays, in vec4s (see their headers). */
const FORWARD_HW_VEC4 = 256;
const FORWARD_PART_VEC4 = 1792;
const BACKWARD_PART_VEC4 = 1536;

/**
 * The whole-sequence kernels (gru_rb_sequence_forward / gru_rb_sequence_backward) as planSequence sees
 * them. The forward keeps h̄ (then rh) of its rows in workgroup memory (ROWS·H/4 vec4s) and splits the
 * H/4 quads of k, two gates of partial sums each; the backward's dG rows (2·ROWS·H/4 vec4s) fit whenever
 * the forward's do, and it splits the quads of j (H/4) and n (2H/4), one partial sum per unit quad.
 */
export const GRU_RESET_BEFORE_SEQUENCE: SequenceKernelShape = {
  cell: 'GRU (reset before)',
  fits: (H, rows, offsets, workgroupStorage) =>
    H % 4 === 0 && offsets % 4 === 0 && H / 4 <= THREADS && (rows * H) / 4 <= FORWARD_HW_VEC4 && workgroupStorage >= SEQUENCE_WORKGROUP_BYTES,
  plan: (H, rows) => {
    const Q = H / 4;
    return {
      rows,
      forwardSlices: Math.max(1, Math.min(Math.floor(THREADS / Q), Math.floor(FORWARD_PART_VEC4 / (rows * 2 * Q)), Q)),
      backwardSlices: Math.max(1, Math.min(Math.floor(THREADS / Q), Math.floor(BACKWARD_PART_VEC4 / (rows * Q)), Q)),
    };
  },
  needs: (rows) => `units divisible by 4, at most ${Math.min(4 * THREADS, (4 * FORWARD_HW_VEC4) / rows)} units, and ${SEQUENCE_WORKGROUP_BYTES} bytes of workgroup memory`,
};

type Grid = readonly [number, number, number];

/** The per-timestep kernels of one tuning: two phases per direction, each with its grid. */
interface StepKernels {
  /** Forward phase A (z, r, rh) and phase B (h̃, h). */
  gates: { shader: GruRbStepShader; grid: Grid };
  candidate: { shader: GruRbStepShader; grid: Grid };
  /** Backward phase 1 (dh_t, dGz, da_h) and phase 2 (d(rh), dGr). */
  state: { shader: GruRbStepShader; grid: Grid };
  reset: { shader: GruRbStepShader; grid: Grid };
  /** The vec4 kernels: the backward phases read Wh transposed. */
  vec4: boolean;
}

/**
 * The per-timestep kernels for the engine's tuning (as the LSTM's): 'gpu' the wide kernels (a workgroup
 * per 16, 32 or 8 units of 4 rows, the dot products split across it); 'cpu' the register-tiled ones,
 * vec4 when H and Wh's offset divide by 4 (each invocation then owns 4 units of 4 rows), else one unit
 * of 4 rows per invocation.
 */
function stepKernels(step: Step, H: number, B: number, whOffset: number): StepKernels {
  const rowGroups = Math.ceil(B / 4);
  const per = (shader: GruRbStepShader, units: number) => ({ shader, grid: [Math.ceil(H / units), rowGroups, 1] as const });
  if (step.engine.tuning === 'gpu') {
    return {
      gates: per('gru_rb_forward_gates_wide', 16),
      candidate: per('gru_rb_forward_candidate_wide', 32),
      state: per('gru_rb_backward_state_wide', 8),
      reset: per('gru_rb_backward_reset_wide', 8),
      vec4: false,
    };
  }
  if (H % 4 === 0 && whOffset % 4 === 0) {
    return {
      gates: per('gru_rb_forward_gates_vec4', 256),
      candidate: per('gru_rb_forward_candidate_vec4', 256),
      state: per('gru_rb_backward_state_vec4', 256),
      reset: per('gru_rb_backward_reset_vec4', 256),
      vec4: true,
    };
  }
  return {
    gates: per('gru_rb_forward_gates', 64),
    candidate: per('gru_rb_forward_candidate', 64),
    state: per('gru_rb_backward_state', 64),
    reset: per('gru_rb_backward_reset', 64),
    vec4: false,
  };
}

export function gruResetBefore(step: Step, x: Tensor | OneHotInput, w: GruWeights, opts: GruOptions): RecurrentOutput {
  const name = opts.name ?? 'gru';
  if (opts.resetAfter) throw new Error(`${name}: gruResetBefore runs the reset-before GRU only (resetAfter: false)`);
  const p = projectInput(step, x, w, 3, (H) => 3 * H, opts, name);
  const { T, B, H, G, tStart, tEnd, rows, xp, xpWin, dense } = p;
  const useRMask = !!opts.recurrentMask;

  const needGrad = !!dense?.requiresGrad || w.wx.requiresGrad || w.wh.requiresGrad || w.b.requiresGrad;
  // keepState (inspect()) keeps what a training forward keeps, without a gradient.
  const store = (needGrad && step.tape.recording) || !!opts.keepState;
  const engine = step.engine;
  const seq = planSequence(
    engine.lstmSchedule, engine.tuning,
    { B, H, whOffset: w.wh.data.offset, bOffset: w.b.data.offset, training: store },
    engine.device.limits.maxComputeWorkgroupStorageSize, name, GRU_RESET_BEFORE_SEQUENCE,
  );

  // The whole-sequence kernel adds the bias itself as it reads Xp.
  if (rows > 0 && !seq) addBiasInto(step, xpWin, w.b.data, rows, G);

  const hsT = step.output([T + 1, B, H], `${name} h`, needGrad);
  // The whole-sequence forward of an evaluation step stores neither the activations nor rh: vec4
  // placeholders are bound instead. The per-timestep phases pass z and rh between them through these.
  const keep = store || !seq;
  const gates = step.scratch(keep ? T * B * G : 4, `${name} gates`);
  const rh = step.scratch(keep ? T * B * H : 4, `${name} rh`);
  step.clear(subSlice(hsT.data, 0, (tStart + 1) * B * H));
  const mask = step.upload(opts.mask ?? new Uint32Array(T * B).fill(1), `${name} mask`);
  // Without recurrent dropout a placeholder of one vec4 (the kernels read it only with USE_RECURRENT_MASK).
  const rmask = opts.recurrentMask ? dropoutMaskSlice(step, opts.recurrentMask, B * H, `${name} recurrent mask`) : step.scratch(4, `${name} recurrent mask placeholder`);
  // With recurrent dropout the per-timestep kernels keep h̄ = h ⊙ rmask beside h (as the LSTM's): the
  // recurrent sums read it without a multiply, and it is dWh_zr's H̄_prev. Unused otherwise: one vec4.
  const hm = useRMask && !seq ? step.scratch((T + 1) * B * H, `${name} masked h`) : null;
  if (hm) step.clear(subSlice(hm, 0, (tStart + 1) * B * H));
  const hmBinding = hm ?? step.scratch(4, `${name} masked h placeholder`);
  const layer: Recurrence = { B, H, tStart, tEnd, w, xp, mask, rmask, useRMask, hs: hsT.data, gates, rh, name };
  if (seq) encodeSequenceForward(step, layer, seq, store);
  else encodeStepwiseForward(step, layer, hmBinding);

  step.tape.record(name, () => {
    if (rows === 0 || !store) return;
    const dG = step.scratch(T * B * G, `${name} dG`);
    if (seq) encodeSequenceBackward(step, layer, seq, hsT.grad!, dG);
    else encodeStepwiseBackward(step, layer, hsT.grad!, dG);
    if (w.wh.grad) {
      recurrentWeightGrad(step, p, { hs: hsT.data, hm, rmask: useRMask ? rmask : null }, dG, w.wh.grad, name, { col0: 0, count: 2 * H });
      candidateWeightGrad(step, p, rh, dG, w.wh.grad);
    }
    inputGrads(step, p, dG, w.wx, w.b.grad, name);
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
              ...(['z', 'r', 'candidate'] as const).map((name, k) => ({ name, slice: gates, base: k * H, rowStride: G })),
              { name: 'h', slice: hsT.data, base: B * H, rowStride: H },
            ],
          },
        }
      : {}),
  };
}

/**
 * dWh_h += RHᵀ·da_h over the timesteps after tStart (at tStart rh = r ⊙ 0): the candidate's columns of
 * dWh, read and written with the row stride 3H of dG and dWh.
 */
function candidateWeightGrad(step: Step, p: InputProjection, rh: Slice, dG: Slice, whGrad: Slice): void {
  const { B, H, G, tStart } = p;
  const recRows = p.rows - B;
  if (recRows <= 0) return;
  const col0 = 2 * H;
  gemm(step, {
    a: subSlice(rh, (tStart + 1) * B * H, recRows * H),
    b: subSlice(dG, (tStart + 1) * B * G + col0, (recRows - 1) * G + H),
    c: subSlice(whGrad, col0, (H - 1) * G + H),
    M: H, N: H, K: recRows, transA: true, ldb: G, ldc: G, accumulate: true,
  });
}

/** One layer's recurrence as the per-schedule encoders below see it: its sizes, window and buffers. */
interface Recurrence {
  B: number;
  H: number;
  /** The processed timesteps [tStart, tEnd). */
  tStart: number;
  tEnd: number;
  w: GruWeights;
  /** X·Wx for every timestep, [T, B, 3H]; the per-timestep schedule has added the bias already. */
  xp: Slice;
  /** Time-major [T·B] real-token flags. */
  mask: Slice;
  /** The recurrent-dropout mask [B·H], or a one-vec4 placeholder without recurrent dropout. */
  rmask: Slice;
  useRMask: boolean;
  /** h by slot, [(T + 1), B, H]: slot t + 1 holds h_t, slot 0 the zero initial state. */
  hs: Slice;
  /** z, r, h̃ [T, B, 3H] and rh [T, B, H]: one-vec4 placeholders in a whole-sequence evaluation step. */
  gates: Slice;
  rh: Slice;
  name: string;
}

/**
 * The whole-sequence forward (gru_rb_sequence_forward): one dispatch for every timestep, each workgroup
 * owning `seq.rows` batch rows; it adds the bias as it reads Xp, and stores the activations and rh only
 * when `store` (a step that will run the backward).
 */
function encodeSequenceForward(step: Step, l: Recurrence, seq: SequencePlan, store: boolean): void {
  if (l.tEnd <= l.tStart) return;
  const { B, H, w } = l;
  step.dispatch('gru_rb_sequence_forward', {
    overrides: { ROWS: seq.rows },
    buffers: { xp: l.xp, wh: w.wh.data, mask: l.mask, rmask: l.rmask, hs: l.hs, gates: l.gates, rh: l.rh, bias: w.b.data },
    params: { B, H, tStart: l.tStart, tEnd: l.tEnd, offWh: w.wh.data.offset, offB: w.b.data.offset, slices: seq.forwardSlices, useRMask: Number(l.useRMask), store: Number(store) },
    workgroups: [Math.ceil(B / seq.rows), 1, 1],
  });
}

/**
 * The whole-sequence backward (gru_rb_sequence_backward): dG for every processed timestep in one
 * dispatch that carries dh from timestep to timestep itself; it reads Wh transposed (a copy per layer).
 */
function encodeSequenceBackward(step: Step, l: Recurrence, seq: SequencePlan, dHs: Slice, dG: Slice): void {
  const { B, H, w } = l;
  const G = 3 * H;
  const whT = step.scratch(G * H, `${l.name} Wh transposed`);
  step.dispatch('transpose', { buffers: { X: w.wh.data, Y: whT }, params: { rows: H, cols: G, offX: w.wh.data.offset }, workgroups: [Math.ceil(G / 16), Math.ceil(H / 16), 1] });
  step.dispatch('gru_rb_sequence_backward', {
    overrides: { ROWS: seq.rows },
    buffers: { whT, mask: l.mask, rmask: l.rmask, gates: l.gates, hs: l.hs, dHs, dG },
    params: { B, H, tStart: l.tStart, tEnd: l.tEnd, slices: seq.backwardSlices, useRMask: Number(l.useRMask) },
    workgroups: [Math.ceil(B / seq.rows), 1, 1],
  });
}

/**
 * The per-timestep forward: per timestep, phase A (z, r, rh) then phase B (h̃, h; with recurrent
 * dropout also h ⊙ rmask into `hm`), one dispatch each.
 */
function encodeStepwiseForward(step: Step, l: Recurrence, hm: Slice): void {
  const { B, H, w } = l;
  const k = stepKernels(step, H, B, w.wh.data.offset);
  const buffers = { xp: l.xp, wh: w.wh.data, mask: l.mask, rmask: l.rmask, hs: l.hs, gates: l.gates, rh: l.rh, hm };
  for (let t = l.tStart; t < l.tEnd; t++) {
    // At tStart h_{t−1} is the zero initial state: no recurrent sums.
    const params = { B, H, t, offWh: w.wh.data.offset, kEnd: t === l.tStart ? 0 : H };
    step.dispatch(k.gates.shader, { overrides: { USE_RECURRENT_MASK: l.useRMask }, buffers, params, workgroups: k.gates.grid });
    step.dispatch(k.candidate.shader, { overrides: { USE_RECURRENT_MASK: l.useRMask }, buffers, params, workgroups: k.candidate.grid });
  }
}

/**
 * The per-timestep backward: per timestep in reverse, phase 1 (dh_t, dGz, da_h) then phase 2 (d(rh),
 * dGr), one dispatch each, carrying dh's pointwise parts to the timestep before through a zeroed buffer.
 */
function encodeStepwiseBackward(step: Step, l: Recurrence, dHs: Slice, dG: Slice): void {
  const { B, H, w, name } = l;
  const k = stepKernels(step, H, B, w.wh.data.offset);
  const dhCarry = step.zeros(B * H, `${name} dh carry`);
  // The vec4 kernels read Wh transposed (a copy per layer).
  const weights: Record<string, Slice> = k.vec4 ? { whT: transposedCopy(step, w.wh.data, H, 3 * H, 3 * H, `${name} Wh transposed`) } : { wh: w.wh.data };
  const buffers = { ...weights, mask: l.mask, rmask: l.rmask, gates: l.gates, hs: l.hs, dHs, dG, dhCarry };
  for (let t = l.tEnd - 1; t >= l.tStart; t--) {
    const at = { B, H, t, tStart: l.tStart, tEnd: l.tEnd };
    const params = k.vec4 ? at : { ...at, offWh: w.wh.data.offset };
    step.dispatch(k.state.shader, { overrides: { USE_RECURRENT_MASK: l.useRMask }, buffers, params, workgroups: k.state.grid });
    step.dispatch(k.reset.shader, { overrides: { USE_RECURRENT_MASK: l.useRMask }, buffers, params, workgroups: k.reset.grid });
  }
}
