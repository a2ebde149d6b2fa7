/** Shared set-up for LSTM tests: random problems, layout conversions, and one GPU forward+backward. */
import { type Engine } from '../../src/engine/engine';
import { ParameterStore } from '../../src/engine/parameters';
import { backpropFrom } from '../../src/ops/elementwise';
import { lstm } from '../../src/ops/lstm';
import { packHalf } from '../../src/ops/half-weights';
import type { HalfFormat } from '../../src/ops/recurrence';
import { prepareHalfWeights } from '../../src/ops/create-engine';
import { oneHotIndices } from '../../src/layers/data';
import { f32, randomArray } from './gpu';
import { Leaves } from './leaf';

export interface LstmProblem {
  B: number;
  T: number;
  In: number;
  H: number;
  x: Float64Array; // batch-major [B, T, In]
  wx: Float64Array;
  wh: Float64Array;
  b: Float64Array;
  mask: Uint8Array | null; // batch-major [B, T]
  rmask: Float64Array | null; // [B, H]
  dSeq: Float64Array | null; // [B, T, H]
  dLast: Float64Array; // [B, H]
}

export function toTimeMajor(x: ArrayLike<number>, B: number, T: number, F: number): Float64Array {
  const y = new Float64Array(B * T * F);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) y[(t * B + b) * F + f] = x[(b * T + t) * F + f]!;
  return y;
}

export function toBatchMajor(y: ArrayLike<number>, B: number, T: number, F: number): Float64Array {
  const x = new Float64Array(B * T * F);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) x[(b * T + t) * F + f] = y[(t * B + b) * F + f]!;
  return x;
}

export function maskTimeMajor(mask: Uint8Array, B: number, T: number): Uint32Array {
  const m = new Uint32Array(B * T);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) m[t * B + b] = mask[b * T + t]!;
  return m;
}

/** Lengths per row; padding 'pre' puts the real tokens last (Keras's default), 'post' first. */
export function lengthMask(lengths: number[], T: number, padding: 'pre' | 'post'): Uint8Array {
  const m = new Uint8Array(lengths.length * T);
  lengths.forEach((len, b) => {
    for (let t = 0; t < T; t++) m[b * T + t] = padding === 'pre' ? (t >= T - len ? 1 : 0) : t < len ? 1 : 0;
  });
  return m;
}

export function randomProblem(
  r: () => number,
  d: { B: number; T: number; In: number; H: number },
  opts: { mask?: Uint8Array | null; rmaskRate?: number; withSeqGrad?: boolean } = {},
): LstmProblem {
  const { B, T, In, H } = d;
  const s = 1 / Math.sqrt(H);
  let rmask: Float64Array | null = null;
  if (opts.rmaskRate) rmask = Float64Array.from({ length: B * H }, () => (r() < opts.rmaskRate! ? 0 : Math.fround(1 / (1 - opts.rmaskRate!))));
  return {
    ...d,
    x: randomArray(r, B * T * In),
    wx: randomArray(r, In * 4 * H, -s, s),
    wh: randomArray(r, H * 4 * H, -s, s),
    b: randomArray(r, 4 * H, -0.5, 0.5),
    mask: opts.mask ?? null,
    rmask,
    dSeq: opts.withSeqGrad ? randomArray(r, B * T * H) : null,
    dLast: randomArray(r, B * H),
  };
}

export interface GpuLstmResult {
  seq: Float64Array | null; // batch-major
  last: Float64Array;
  dWx: Float32Array;
  dWh: Float32Array;
  db: Float32Array;
  dX: Float64Array; // batch-major
  tStart: number;
  tEnd: number;
}

/** The problem's weights as parameters and its input as a time-major leaf tensor. */
function upload(engine: Engine, p: LstmProblem) {
  const { B, T, In, H } = p;
  const store = new ParameterStore(engine, [
    { name: 'wx', shape: [In, 4 * H], init: f32(p.wx) },
    { name: 'wh', shape: [H, 4 * H], init: f32(p.wh) },
    { name: 'b', shape: [4 * H], init: f32(p.b) },
  ]);
  const leaves = new Leaves(engine);
  const x = leaves.tensor([T, B, In], toTimeMajor(p.x, B, T, In), 'x');
  return { store, leaves, x, weights: { wx: store.get('wx'), wh: store.get('wh'), b: store.get('b') } };
}

/** The index of the 1 in each time-major row of a one-hot (or all-zero: In) problem input. */
export function oneHotIds(p: LstmProblem): Uint32Array {
  const ids = oneHotIndices(Float32Array.from(toTimeMajor(p.x, p.B, p.T, p.In)), p.In);
  if (!ids) throw new Error('oneHotIds: the problem input is not one-hot');
  return ids;
}

/**
 * One forward and backward of the layer. `oneHot`: the input goes in as the indices of its 1s (the
 * problem's x must be one-hot or zero per row), and dX is not computed (zeros).
 */
export async function runGpuLstm(engine: Engine, p: LstmProblem, opts: { skipPadding?: boolean; oneHot?: boolean; kernels?: string[] } = {}): Promise<GpuLstmResult> {
  const { B, T, In, H } = p;
  const { store, leaves, x, weights } = upload(engine, p);
  const step = engine.beginStep({ grad: true });
  if (opts.kernels) {
    const dispatch = step.dispatch.bind(step);
    step.dispatch = (shader, args) => {
      opts.kernels!.push(shader);
      return dispatch(shader, args);
    };
  }
  store.zeroGrads(step);
  const returnSequences = p.dSeq !== null;
  const out = lstm(
    step,
    opts.oneHot ? { shape: [T, B, In], ids: oneHotIds(p) } : x,
    weights,
    {
      mask: p.mask ? maskTimeMajor(p.mask, B, T) : null,
      recurrentMask: p.rmask ? f32(p.rmask) : null,
      returnSequences,
      skipPadding: opts.skipPadding ?? true,
    },
  );
  if (p.dSeq) backpropFrom(step, out.sequence, f32(toTimeMajor(p.dSeq, B, T, H)));
  backpropFrom(step, out.last, f32(p.dLast));
  const seqP = returnSequences ? step.read(out.sequence.data) : null;
  const lastP = step.read(out.last.data);
  step.backward();
  const dXP = opts.oneHot ? null : step.read(x.grad!);
  step.submit();
  const grads = await store.readGrads();
  const result: GpuLstmResult = {
    seq: seqP ? toBatchMajor(await seqP, B, T, H) : null,
    last: Float64Array.from(await lastP),
    dWx: grads.get('wx')!,
    dWh: grads.get('wh')!,
    db: grads.get('b')!,
    dX: dXP ? toBatchMajor(await dXP, B, T, In) : new Float64Array(B * T * In),
    tStart: out.tStart,
    tEnd: out.tEnd,
  };
  store.destroy();
  leaves.free();
  return result;
}

/** The layer's forward alone in an evaluation step (nothing recorded, nothing stored for backward). */
export async function runGpuLstmInference(engine: Engine, p: LstmProblem, opts: { half?: HalfFormat } = {}): Promise<{ seq: Float64Array; last: Float64Array; whHalf: Uint32Array | null }> {
  const { B, T, H } = p;
  const { store, leaves, x, weights } = upload(engine, p);
  // With `half`, Wh packed as 16-bit pairs on the GPU (pack_half.wgsl) and read by that form of the forward.
  const packed = opts.half ? engine.allocate(2 * H * H, `Wh ${opts.half}`) : null;
  if (packed) await prepareHalfWeights(engine);
  const step = engine.beginStep({ grad: false });
  if (packed) packHalf(step, weights.wh.data, packed, opts.half!);
  const out = lstm(step, x, weights, {
    mask: p.mask ? maskTimeMajor(p.mask, B, T) : null,
    recurrentMask: p.rmask ? f32(p.rmask) : null,
    returnSequences: true,
    ...(packed ? { whHalf: { packed, format: opts.half! } } : {}),
  });
  const seqP = step.read(out.sequence.data);
  const lastP = step.read(out.last.data);
  const packedP = packed ? step.read(packed) : null;
  step.submit();
  const result = { seq: toBatchMajor(await seqP, B, T, H), last: Float64Array.from(await lastP), whHalf: packedP ? new Uint32Array((await packedP).buffer) : null };
  if (packed) engine.release(packed);
  store.destroy();
  leaves.free();
  return result;
}
