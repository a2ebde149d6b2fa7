/**
 * A whole LSTM layer over a whole (time-major) sequence as one tape op with one fused backward.
 *
 * Forward:  Xp = X·Wx + b for all active timesteps (one GEMM + bias), then one fused dispatch per
 *           timestep. Backward: one fused dispatch per timestep in reverse producing dG for every step,
 *           then the weight and input gradients as four big operations over all rows:
 *           dWh = H_prevᵀ·dG, dWx = Xᵀ·dG, db = Σ dG, dX = dG·Wxᵀ. At the first processed timestep
 *           h_{t−1} is the zero initial state: its recurrent sum and its rows of dWh are skipped.
 *
 * The step kernels per tuning (stepKernels below): 'gpu' runs lstm_forward_step_wide /
 * lstm_backward_step_wide; 'cpu' runs lstm_forward_step_rows8 (over Wh interleaved by unit once per step,
 * lstm_interleave_gates; lstm_forward_step_vec4 for one row and for 16-bit weights) / lstm_backward_step_vec4
 * when H and Wh's offset divide by 4, else lstm_forward_step / lstm_backward_step. The cpu forwards round
 * alike (sums from Xp, one k at a time), so a batch and its 16-bit form agree bit for bit. All seven
 * share the cell arithmetic (shaders/lib/lstm_cell_math.wgsl) and the gate order (lib/lstm_gates.wgsl). On the gpu tuning
 * the recurrence may instead run as one dispatch per layer and direction (lstm_sequence_forward /
 * lstm_sequence_backward; lstm-schedule.ts decides): each schedule has its forward and backward encoder
 * at the end of this file. A schedule with the 'subgroups' reduction runs the forward as
 * lstm_sequence_forward_subgroups instead (devices with the `subgroups` feature only).
 *
 * One-hot input (OneHotInput: the index of the 1 in each row) skips both input GEMMs: X·Wx is then the
 * rows of Wx it picks (embedding_gather.wgsl) and Xᵀ·dG a segment sum of dG's rows per index
 * (embedding_backward.wgsl): the same numbers without the multiplications by zero. Such an input takes
 * no gradient.
 *
 * Prediction may read Wh as float16 or bfloat16 (opts.whHalf, packed by ops/half-weights.ts): every forward
 * kernel above has both forms (the same body, lib/lstm_wh*.wgsl for Wh's binding), except the scalar cpu one.
 *
 * Timesteps where every row of the batch is padding are skipped: a leading run (pre-padding) exactly,
 * since the state there stays at its zero initial value, and a trailing run (post-padding) when only the
 * final state is wanted, since it is then read at the last active step.
 */
import { grid1d, type Step } from '../engine/step';
import { Tensor, subSlice, type Slice } from '../engine/tensor';
import { addBiasInto, dropoutMaskSlice } from './elementwise';
import { EMBEDDING_KERNELS } from './embedding';
import { inputGrads, projectInput, recurrentWeightGrad, type HalfFormat, type OneHotInput, type RecurrentOptions, type RecurrentOutput } from './recurrence';
import { BOOLS, kernel, type TunedVariant } from '../kernels/variants';
import { ELEMENTWISE_KERNELS } from './elementwise';
import { GEMM_KERNELS, transposedCopy } from './matmul';
import { halfSequenceKernels, planLstmSequence, sequenceDevice, sequenceKernels, subgroupSequenceKernels, type SequencePlan } from './lstm-schedule';
import { GATE, GATE_ORDER } from './lstm-layout';

type Grid = readonly [number, number, number];
type LstmStepShader = 'lstm_forward_step' | 'lstm_forward_step_vec4' | 'lstm_forward_step_rows8' | 'lstm_forward_step_wide' | 'lstm_backward_step' | 'lstm_backward_step_vec4' | 'lstm_backward_step_wide';
const withRecurrentMask = (shader: LstmStepShader, only: 'cpu' | 'gpu') => BOOLS.map((m) => kernel(shader, only, { USE_RECURRENT_MASK: m }));

/**
 * Invocations per workgroup of the one-row vec4 forward (lstm_forward_step_vec4 with ONE_ROW): at the
 * recipe's 196 units, 2 workgroups (32 + 17 unit groups), one per core of a 2-core SwiftShader; 64 (one
 * workgroup, one core) was the slowest, 16, 8 and 4 no faster than 32 on a loaded 2-core machine
 * (bench/latency.ts; bench/RESULTS.md, "One sentence").
 */
const ONE_ROW_WG = 32;
const ONE_ROW = { ONE_ROW: true, WG: ONE_ROW_WG } as const;

/** Every variant `lstm` may dispatch, by direction (stepKernels below picks among the step kernels). */
export const LSTM_KERNELS: { forward: readonly TunedVariant[]; backward: readonly TunedVariant[] } = {
  forward: [
    ...GEMM_KERNELS,
    ...EMBEDDING_KERNELS.forward,
    ...ELEMENTWISE_KERNELS.addBias,
    ...withRecurrentMask('lstm_forward_step', 'cpu'),
    // A batch: 2 units of 8 rows per invocation over Wh interleaved by unit; one row: the vec4 kernel (stepKernels).
    ...withRecurrentMask('lstm_forward_step_rows8', 'cpu'),
    kernel('lstm_interleave_gates', 'cpu'),
    // One row (a batch of 1), with or without recurrent dropout (stepKernels).
    ...BOOLS.map((m) => kernel('lstm_forward_step_vec4', 'cpu', { USE_RECURRENT_MASK: m, ...ONE_ROW })),
    ...withRecurrentMask('lstm_forward_step_wide', 'gpu'),
    ...sequenceKernels([1, 2, 4]).forward,
    // Compiled only on a device with the `subgroups` feature, for a schedule that asks for them (lstm-schedule.ts).
    ...subgroupSequenceKernels(),
  ],
  backward: [
    ...GEMM_KERNELS,
    ...EMBEDDING_KERNELS.backward,
    ...ELEMENTWISE_KERNELS.columnSum,
    ...ELEMENTWISE_KERNELS.dropout,
    ...withRecurrentMask('lstm_backward_step', 'cpu'),
    ...withRecurrentMask('lstm_backward_step_vec4', 'cpu'),
    ...withRecurrentMask('lstm_backward_step_wide', 'gpu'),
    ...sequenceKernels([1, 2, 4]).backward,
  ],
};

/**
 * The forwards with Wh as float16 and as bfloat16 (inference only: no recurrent dropout), every tuning's,
 * batches and one row: compiled when a model first predicts with 16-bit recurrent weights
 * (prepareHalfWeights), not by every engine.
 */
export const LSTM_HALF_WEIGHT_KERNELS: readonly TunedVariant[] = (['_f16', '_bf16'] as const).flatMap((f) => [
  kernel(`lstm_forward_step_vec4${f}`, 'cpu', { USE_RECURRENT_MASK: false }),
  kernel(`lstm_forward_step_vec4${f}`, 'cpu', { USE_RECURRENT_MASK: false, ...ONE_ROW }),
  kernel(`lstm_forward_step_wide${f}`, 'gpu', { USE_RECURRENT_MASK: false }),
  ...halfSequenceKernels([1, 2, 4], f),
]);

/** A forward shader's form for Wh packed in `format` (the shader files' suffix). */
const halfSuffix = (format: HalfFormat) => (format === 'float16' ? '_f16' : '_bf16');

export interface LstmWeights {
  /** [in, 4H] */
  wx: Tensor;
  /** [H, 4H] */
  wh: Tensor;
  /** [4H] */
  b: Tensor;
}

export { activeRange, isOneHot, type OneHotInput } from './recurrence';
export type LstmOptions = RecurrentOptions;
export type LstmOutput = RecurrentOutput;

/**
 * The per-timestep kernels for the engine's tuning (see EngineOptions.tuning) and their grid. 'gpu': the
 * wide kernels (8 units × 4 rows per workgroup, the dot products split across the workgroup). 'cpu': the
 * register-tiled ones, vec4 when H (and Wh's offset: the arena aligns parameters to 64) divide by 4, so
 * that each invocation owns several units and rows and issues a fraction of the loads per multiply-add.
 */
function stepKernels(step: Step, H: number, B: number, whOffset: number, halfWeights = false): { forward: LstmStepShader; backward: LstmStepShader; vec4: boolean; forwardOverrides?: typeof ONE_ROW; workgroups: Grid; backwardWorkgroups?: Grid; interleaved?: boolean } {
  const rowGroups = Math.ceil(B / 4);
  if (step.engine.tuning === 'gpu') {
    return { forward: 'lstm_forward_step_wide', backward: 'lstm_backward_step_wide', vec4: false, workgroups: [Math.ceil(H / 8), rowGroups, 1] as const };
  }
  if (H % 4 === 0 && whOffset % 4 === 0) {
    // One row (a single sentence predicted): each invocation owns 4 units of that row only, and the H / 4
    // unit groups are spread over workgroups of ONE_ROW_WG, so that a software adapter's cores share them.
    // The backward's invocations own 8 units of 4 rows, in workgroups of 8 × 8 (lstm_backward_step_vec4.wgsl).
    const backwardWorkgroups = [Math.ceil(H / 64), Math.ceil(B / 32), 1] as const;
    if (B === 1) return { forward: 'lstm_forward_step_vec4', backward: 'lstm_backward_step_vec4', vec4: true, forwardOverrides: ONE_ROW, workgroups: [Math.ceil(H / (4 * ONE_ROW_WG)), 1, 1] as const, backwardWorkgroups };
    // A batch with 16-bit weights (prediction): the vec4 kernel's 16-bit form, 4 units of 4 rows per invocation.
    if (halfWeights) return { forward: 'lstm_forward_step_vec4', backward: 'lstm_backward_step_vec4', vec4: true, workgroups: [Math.ceil(H / 256), rowGroups, 1] as const, backwardWorkgroups };
    // A batch: 2 units of 8 rows per invocation, workgroups of 8 × 8, over Wh interleaved by unit
    // (lstm_forward_step_rows8.wgsl, lstm_interleave_gates.wgsl).
    return { forward: 'lstm_forward_step_rows8', backward: 'lstm_backward_step_vec4', vec4: true, workgroups: [Math.ceil(H / 16), Math.ceil(B / 64), 1] as const, backwardWorkgroups, interleaved: true };
  }
  return { forward: 'lstm_forward_step', backward: 'lstm_backward_step', vec4: false, workgroups: [Math.ceil(H / 64), rowGroups, 1] as const };
}

/**
 * Wh as float16 or bfloat16 (opts.whHalf) replaces Wh only in a forward that stores nothing for a
 * backward and has no recurrent dropout (prediction), on the kernels that have 16-bit forms: every
 * gpu-tuned forward, and the cpu tuning's vec4 one (H divisible by 4). Anything else is an error (before anything is encoded when
 * the options tell), never a quiet float32 run.
 */
function halfWeightsRefusal(step: Step, whHalf: Slice, w: LstmWeights, opts: LstmOptions): string | null {
  const H = w.wh.shape[0]!;
  if (opts.recurrentMask) return 'recurrent dropout is for training';
  if (opts.keepState) return 'a forward that keeps its state (inspect()) needs the float32 weights';
  if (step.engine.tuning === 'cpu' && (H % 4 !== 0 || w.wh.data.offset % 4 !== 0)) return `16-bit recurrent weights on the cpu tuning need the units (${H}) to divide by 4`;
  if (whHalf.offset % 2 !== 0 || whHalf.length !== 2 * H * H) return `the packed weights are ${whHalf.length} u32s at offset ${whHalf.offset}, not ${2 * H * H} at an even offset`;
  return null;
}

export function lstm(step: Step, x: Tensor | OneHotInput, w: LstmWeights, opts: LstmOptions = {}): LstmOutput {
  const name = opts.name ?? 'lstm';
  const refusal = opts.whHalf ? halfWeightsRefusal(step, opts.whHalf.packed, w, opts) : null;
  if (refusal) throw new Error(`LSTM "${name}": ${refusal}`);
  const p = projectInput(step, x, w, 4, (H) => 4 * H, opts, name);
  const { T, B, H, G, tStart, tEnd, rows, xp, xpWin, dense } = p;
  const useRMask = !!opts.recurrentMask;

  const needGrad = !!dense?.requiresGrad || w.wx.requiresGrad || w.wh.requiresGrad || w.b.requiresGrad;
  // keepState (inspect()) keeps what a training forward keeps, without a gradient.
  const store = (needGrad && step.tape.recording) || !!opts.keepState;
  const engine = step.engine;
  const seq = planLstmSequence(engine.lstmSchedule, engine.tuning, { B, H, whOffset: w.wh.data.offset, bOffset: w.b.data.offset, training: store }, sequenceDevice(engine.device), name);

  // The whole-sequence kernel adds the bias itself as it reads Xp.
  if (rows > 0 && !seq) addBiasInto(step, xpWin, w.b.data, rows, G);

  const hsT = step.output([T + 1, B, H], `${name} h`, needGrad);
  // The whole-sequence forward of an evaluation step stores neither c nor the gates: a vec4 placeholder
  // is bound in their place (at batch 512 the gates alone would be 45 MB).
  const keep = store || !seq;
  const cs = step.scratch(keep ? (T + 1) * B * H : 4, `${name} c`);
  const gates = step.scratch(keep ? T * B * G : 4, `${name} gates`);
  step.clear(subSlice(hsT.data, 0, (tStart + 1) * B * H));
  if (keep) step.clear(subSlice(cs, 0, (tStart + 1) * B * H));
  const mask = step.upload(opts.mask ?? new Uint32Array(T * B).fill(1), `${name} mask`);
  // Without recurrent dropout a placeholder of one vec4 (the kernels read it only with USE_RECURRENT_MASK).
  const rmask = opts.recurrentMask ? dropoutMaskSlice(step, opts.recurrentMask, B * H, `${name} recurrent mask`) : step.scratch(4, `${name} recurrent mask placeholder`);
  // With recurrent dropout the per-timestep kernels keep h ⊙ rmask beside h: the recurrent sum reads it
  // without a multiply, and it is dWh's H_prev (no dropout pass in the backward). Its slots up to tStart
  // hold the zero initial state (a padding row at tStart copies it on). Unused otherwise: one vec4.
  const hm = useRMask && !seq ? step.scratch((T + 1) * B * H, `${name} masked h`) : null;
  if (hm) step.clear(subSlice(hm, 0, (tStart + 1) * B * H));
  const hmBinding = hm ?? step.scratch(4, `${name} masked h placeholder`);
  const whHalf = opts.whHalf ?? null;
  if (whHalf && store) throw new Error(`LSTM "${name}": a forward that keeps its state for a backward (training) needs the float32 weights`);
  const layer: Recurrence = { B, H, tStart, tEnd, w, xp, mask, rmask, useRMask, hs: hsT.data, cs, gates, name, whHalf };
  if (seq) encodeSequenceForward(step, layer, seq, store);
  else encodeStepwiseForward(step, layer, hmBinding);

  step.tape.record(name, () => {
    if (rows === 0) return;
    const dHs = hsT.grad!;
    const dG = step.scratch(T * B * G, `${name} dG`);
    if (seq) encodeSequenceBackward(step, layer, seq, dHs, dG);
    else encodeStepwiseBackward(step, layer, dHs, dG);
    if (w.wh.grad) recurrentWeightGrad(step, p, { hs: hsT.data, hm, rmask: useRMask ? rmask : null }, dG, w.wh.grad, name);
    inputGrads(step, p, dG, w.wx, w.b.grad, name);
  });

  return {
    sequence: hsT.rows(1, T, `${name} sequence`),
    last: hsT.rows(tEnd, 1, `${name} last`).reshape([B, H]),
    tStart,
    tEnd,
    // The activated gates i, f, c̃ (the candidate, "g"), o by block of [T, B, 4H]; c and h by slot (slot t + 1 is timestep t).
    ...(opts.keepState
      ? {
          state: {
            T, B, H, tStart, tEnd,
            mask: opts.mask ?? null,
            values: [
              ...GATE_ORDER.map((g) => ({ name: g === 'c' ? 'candidate' : g, slice: gates, base: GATE[g] * H, rowStride: G })),
              { name: 'c', slice: cs, base: B * H, rowStride: H },
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
  w: LstmWeights;
  /** X·Wx for every timestep, [T, B, 4H]; the per-timestep schedule has added the bias already. */
  xp: Slice;
  /** Time-major [T·B] real-token flags. */
  mask: Slice;
  /** The recurrent-dropout mask [B·H], or a one-vec4 placeholder without recurrent dropout. */
  rmask: Slice;
  useRMask: boolean;
  /** h by slot, [(T + 1), B, H]: slot t + 1 holds h_t, slot 0 the zero initial state. */
  hs: Slice;
  /** c by slot like hs, and the gates [T, B, 4H]: one-vec4 placeholders in a whole-sequence evaluation step. */
  cs: Slice;
  gates: Slice;
  name: string;
  /** Wh as 16-bit pairs for the forward (inference), or null: Wh itself. */
  whHalf: { packed: Slice; format: HalfFormat } | null;
}

/**
 * The whole-sequence forward (lstm_sequence_forward, or lstm_sequence_forward_subgroups when the plan
 * says so: same bindings and uniforms): one dispatch for every timestep, each workgroup owning `seq.rows`
 * batch rows; it adds the bias as it reads Xp, and stores c and the gates only when `store` (a step that
 * will run the backward).
 */
function encodeSequenceForward(step: Step, l: Recurrence, seq: SequencePlan, store: boolean): void {
  if (l.tEnd <= l.tStart) return;
  const { B, H, w, whHalf } = l;
  const sg = seq.subgroups;
  // Wh packed as 16-bit pairs: the same kernel's _f16 or _bf16 form (offWh counts floats: 2 per packed u32).
  const buffers = { xp: l.xp, wh: whHalf?.packed ?? w.wh.data, mask: l.mask, rmask: l.rmask, hs: l.hs, cs: l.cs, gates: l.gates, bias: w.b.data };
  const params = { B, H, tStart: l.tStart, tEnd: l.tEnd, offWh: whHalf ? 2 * whHalf.packed.offset : w.wh.data.offset, offB: w.b.data.offset, slices: sg ? sg.slices : seq.forwardSlices, useRMask: Number(l.useRMask), store: Number(store) };
  const workgroups = [Math.ceil(B / seq.rows), 1, 1] as const;
  const suffix = whHalf ? halfSuffix(whHalf.format) : '';
  if (sg) step.dispatch(`lstm_sequence_forward_subgroups${suffix}`, { overrides: { ROWS: seq.rows, THREADS: sg.THREADS, HW_VEC4: sg.HW_VEC4 }, buffers, params, workgroups });
  else step.dispatch(`lstm_sequence_forward${suffix}`, { overrides: { ROWS: seq.rows }, buffers, params, workgroups });
}

/** The packed-Wh form of a per-timestep forward (halfWeightsRefusal has ruled out the scalar cpu one). */
function halfForward(shader: LstmStepShader, format: HalfFormat): `${'lstm_forward_step_vec4' | 'lstm_forward_step_wide'}${'_f16' | '_bf16'}` {
  if (shader === 'lstm_forward_step_vec4' || shader === 'lstm_forward_step_wide') return `${shader}${halfSuffix(format)}`;
  throw new Error(`${shader} has no ${format} form`);
}

/**
 * The per-timestep forward: one dispatch of the tuning's step kernel (stepKernels) per timestep, which
 * writes h, c and the gates of slot t + 1 and, with recurrent dropout, h ⊙ rmask into `hm`.
 */

function encodeStepwiseForward(step: Step, l: Recurrence, hm: Slice): void {
  const { B, H, w, whHalf } = l;
  const k = stepKernels(step, H, B, w.wh.data.offset, !!whHalf);
  if (k.interleaved) {
    // Each unit's four gates side by side, once per layer per step (the weights change every step).
    const whI = step.scratch(4 * H * H, `${l.name} Wh interleaved`);
    step.dispatch('lstm_interleave_gates', { buffers: { wh: w.wh.data, whI }, params: { H, offWh: w.wh.data.offset }, workgroups: grid1d(H * H) });
    for (let t = l.tStart; t < l.tEnd; t++) {
      step.dispatch(k.forward, {
        overrides: { USE_RECURRENT_MASK: l.useRMask },
        buffers: { xp: l.xp, whI, mask: l.mask, rmask: l.rmask, hs: l.hs, cs: l.cs, gates: l.gates, hm },
        params: { B, H, t, kEnd: t === l.tStart ? 0 : H },
        workgroups: k.workgroups,
      });
    }
    return;
  }
  // Wh packed as 16-bit pairs: the same kernel's _f16 or _bf16 form (offWh counts floats: 2 per packed u32).
  const shader = whHalf ? halfForward(k.forward, whHalf.format) : k.forward;
  const wh = whHalf?.packed ?? w.wh.data;
  const offWh = whHalf ? 2 * whHalf.packed.offset : w.wh.data.offset;
  for (let t = l.tStart; t < l.tEnd; t++) {
    step.dispatch(shader, {
      overrides: { USE_RECURRENT_MASK: l.useRMask, ...k.forwardOverrides },
      buffers: { xp: l.xp, wh, mask: l.mask, rmask: l.rmask, hs: l.hs, cs: l.cs, gates: l.gates, hm },
      // At tStart h_{t−1} is the zero initial state: no recurrent sum.
      params: { B, H, t, offWh, kEnd: t === l.tStart ? 0 : H },
      workgroups: k.workgroups,
    });
  }
}

/**
 * The whole-sequence backward (lstm_sequence_backward): dG for every processed timestep in one dispatch
 * that carries dh and dc from timestep to timestep itself; it reads Wh transposed (a copy per layer).
 */
function encodeSequenceBackward(step: Step, l: Recurrence, seq: SequencePlan, dHs: Slice, dG: Slice): void {
  const { B, H, w } = l;
  const G = 4 * H;
  const whT = step.scratch(G * H, `${l.name} Wh transposed`);
  step.dispatch('transpose', { buffers: { X: w.wh.data, Y: whT }, params: { rows: H, cols: G, offX: w.wh.data.offset }, workgroups: [Math.ceil(G / 16), Math.ceil(H / 16), 1] });
  step.dispatch('lstm_sequence_backward', {
    overrides: { ROWS: seq.rows },
    buffers: { whT, mask: l.mask, rmask: l.rmask, gates: l.gates, cs: l.cs, dHs, dG },
    params: { B, H, tStart: l.tStart, tEnd: l.tEnd, slices: seq.backwardSlices, useRMask: Number(l.useRMask) },
    workgroups: [Math.ceil(B / seq.rows), 1, 1],
  });
}

/**
 * The per-timestep backward: one dispatch of the tuning's step kernel per timestep in reverse, writing
 * that timestep's dG and carrying dh and dc to the one before through two zeroed buffers.
 */
function encodeStepwiseBackward(step: Step, l: Recurrence, dHs: Slice, dG: Slice): void {
  const { B, H, w, name } = l;
  const G = 4 * H;
  const k = stepKernels(step, H, B, w.wh.data.offset);
  const dhCarry = step.zeros(B * H, `${name} dh carry`);
  const dcCarry = step.zeros(B * H, `${name} dc carry`);
  // The vec4 kernel also reads rmask as vec4s: without recurrent dropout it is a one-vec4
  // placeholder, so give it a buffer of the full size. It reads Wh transposed (a copy per layer).
  const rmask = k.vec4 && !l.useRMask ? step.zeros(B * H, `${name} recurrent mask placeholder`) : l.rmask;
  const weights: Record<string, Slice> = k.vec4 ? { whT: transposedCopy(step, w.wh.data, H, G, G, `${name} Wh transposed`) } : { wh: w.wh.data };
  for (let t = l.tEnd - 1; t >= l.tStart; t--) {
    step.dispatch(k.backward, {
      overrides: { USE_RECURRENT_MASK: l.useRMask },
      buffers: { ...weights, mask: l.mask, rmask, gates: l.gates, cs: l.cs, dHs, dG, dhCarry, dcCarry },
      params: k.vec4 ? { B, H, t, tEnd: l.tEnd } : { B, H, t, tEnd: l.tEnd, offWh: w.wh.data.offset },
      workgroups: k.backwardWorkgroups ?? k.workgroups,
    });
  }
}
