/** Shared set-up for the reset-after GRU tests: random problems, the float64 reference, one GPU forward + backward. */
import { type Engine } from '../../src/engine/engine';
import { ParameterStore } from '../../src/engine/parameters';
import { oneHotIndices } from '../../src/layers/data';
import { backpropFrom } from '../../src/ops/elementwise';
import { gruResetAfter } from '../../src/ops/gru-reset-after';
import { cellOutputsRef, gruBackwardRef, gruForwardRef, type CellRefParams } from '../../src/reference/cells';
import { f32, randomArray } from './gpu';
import { Leaves } from './leaf';
import { maskTimeMajor, toBatchMajor, toTimeMajor } from './lstm';

export interface GruProblem {
  B: number;
  T: number;
  In: number;
  H: number;
  x: Float64Array; // batch-major [B, T, In]
  wx: Float64Array; // [In, 3H]
  wh: Float64Array; // [H, 3H]
  b: Float64Array; // [2·3H]: b_x, b_h
  mask: Uint8Array | null; // batch-major [B, T]
  rmask: Float64Array | null; // [B, H]
  dSeq: Float64Array | null; // [B, T, H]
  dLast: Float64Array; // [B, H]
}

export function randomGruProblem(
  r: () => number,
  d: { B: number; T: number; In: number; H: number },
  opts: { mask?: Uint8Array | null; rmaskRate?: number; withSeqGrad?: boolean } = {},
): GruProblem {
  const { B, T, In, H } = d;
  const s = 1 / Math.sqrt(H);
  let rmask: Float64Array | null = null;
  if (opts.rmaskRate) rmask = Float64Array.from({ length: B * H }, () => (r() < opts.rmaskRate! ? 0 : Math.fround(1 / (1 - opts.rmaskRate!))));
  return {
    ...d,
    x: randomArray(r, B * T * In),
    wx: randomArray(r, In * 3 * H, -s, s),
    wh: randomArray(r, H * 3 * H, -s, s),
    // Both biases well away from zero, so that a kernel dropping either one fails.
    b: randomArray(r, 6 * H, -0.5, 0.5),
    mask: opts.mask ?? null,
    rmask,
    dSeq: opts.withSeqGrad ? randomArray(r, B * T * H) : null,
    dLast: randomArray(r, B * H),
  };
}

/** The float64 reference (src/reference/cells.ts, resetAfter): outputs and every gradient. */
export function gruReference(p: GruProblem) {
  const params: CellRefParams = { wx: p.wx, wh: p.wh, b: p.b, In: p.In, H: p.H };
  const cache = gruForwardRef(params, true, p.x, p.B, p.T, p.mask, p.rmask);
  return { ...cellOutputsRef(cache, p.H), ...gruBackwardRef(params, true, cache, p.dSeq, p.dLast) };
}

export interface GpuGruResult {
  seq: Float64Array | null; // batch-major
  last: Float64Array;
  dWx: Float32Array;
  dWh: Float32Array;
  db: Float32Array;
  dX: Float64Array; // batch-major
  tStart: number;
  tEnd: number;
}

function upload(engine: Engine, p: GruProblem) {
  const { B, T, In, H } = p;
  const store = new ParameterStore(engine, [
    { name: 'wx', shape: [In, 3 * H], init: f32(p.wx) },
    { name: 'wh', shape: [H, 3 * H], init: f32(p.wh) },
    { name: 'b', shape: [6 * H], init: f32(p.b) },
  ]);
  const leaves = new Leaves(engine);
  const x = leaves.tensor([T, B, In], toTimeMajor(p.x, B, T, In), 'x');
  return { store, leaves, x, weights: { wx: store.get('wx'), wh: store.get('wh'), b: store.get('b') } };
}

function oneHotIds(p: GruProblem): Uint32Array {
  const ids = oneHotIndices(Float32Array.from(toTimeMajor(p.x, p.B, p.T, p.In)), p.In);
  if (!ids) throw new Error('oneHotIds: the problem input is not one-hot');
  return ids;
}

/**
 * One forward and backward of the layer. `oneHot`: the input goes in as the indices of its 1s (the
 * problem's x must be one-hot or zero per row), and dX is not computed (zeros). `kernels` collects the
 * shaders dispatched.
 */
export async function runGpuGru(engine: Engine, p: GruProblem, opts: { skipPadding?: boolean; oneHot?: boolean; kernels?: string[] } = {}): Promise<GpuGruResult> {
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
  const out = gruResetAfter(step, opts.oneHot ? { shape: [T, B, In], ids: oneHotIds(p) } : x, weights, {
    resetAfter: true,
    mask: p.mask ? maskTimeMajor(p.mask, B, T) : null,
    recurrentMask: p.rmask ? f32(p.rmask) : null,
    returnSequences,
    skipPadding: opts.skipPadding ?? true,
  });
  if (p.dSeq) backpropFrom(step, out.sequence, f32(toTimeMajor(p.dSeq, B, T, H)));
  backpropFrom(step, out.last, f32(p.dLast));
  const seqP = returnSequences ? step.read(out.sequence.data) : null;
  const lastP = step.read(out.last.data);
  step.backward();
  const dXP = opts.oneHot ? null : step.read(x.grad!);
  step.submit();
  const grads = await store.readGrads();
  const result: GpuGruResult = {
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

/** The layer's forward alone in an evaluation step (nothing recorded, nothing stored for a backward). */
export async function runGpuGruInference(engine: Engine, p: GruProblem, kernels?: string[]): Promise<{ seq: Float64Array; last: Float64Array }> {
  const { B, T, H } = p;
  const { store, leaves, x, weights } = upload(engine, p);
  const step = engine.beginStep({ grad: false });
  if (kernels) {
    const dispatch = step.dispatch.bind(step);
    step.dispatch = (shader, args) => {
      kernels.push(shader);
      return dispatch(shader, args);
    };
  }
  const out = gruResetAfter(step, x, weights, {
    resetAfter: true,
    mask: p.mask ? maskTimeMajor(p.mask, B, T) : null,
    recurrentMask: p.rmask ? f32(p.rmask) : null,
    returnSequences: true,
  });
  const seqP = step.read(out.sequence.data);
  const lastP = step.read(out.last.data);
  step.submit();
  const result = { seq: toBatchMajor(await seqP, B, T, H), last: Float64Array.from(await lastP) };
  store.destroy();
  leaves.free();
  return result;
}
