/**
 * Shared set-up for the reset-before GRU tests: random problems (the LSTM helper's layout conventions,
 * with the GRU's weight shapes), the float64 reference, and one GPU forward (+ backward).
 */
import { type Engine } from '../../src/engine/engine';
import { ParameterStore } from '../../src/engine/parameters';
import { backpropFrom } from '../../src/ops/elementwise';
import { gruResetBefore } from '../../src/ops/gru-reset-before';
import { cellOutputsRef, gruBackwardRef, gruForwardRef, type CellRefParams } from '../../src/reference/cells';
import { f32, randomArray } from './gpu';
import { Leaves } from './leaf';
import { maskTimeMajor, oneHotIds, toBatchMajor, toTimeMajor, type LstmProblem } from './lstm';

/** The LSTM problem's shape with GRU weights: wx [In, 3H], wh [H, 3H], b [3H]. */
export type GruProblem = LstmProblem;

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
    // Larger recurrent weights than Keras's init, so that the reset path's share of every gradient matters.
    wh: randomArray(r, H * 3 * H, -2 * s, 2 * s),
    b: randomArray(r, 3 * H, -0.5, 0.5),
    mask: opts.mask ?? null,
    rmask,
    dSeq: opts.withSeqGrad ? randomArray(r, B * T * H) : null,
    dLast: randomArray(r, B * H),
  };
}

/** The float64 reference's outputs and gradients (batch-major). */
export function gruReference(p: GruProblem) {
  const params: CellRefParams = { wx: p.wx, wh: p.wh, b: p.b, In: p.In, H: p.H };
  const cache = gruForwardRef(params, false, p.x, p.B, p.T, p.mask, p.rmask);
  return { ...cellOutputsRef(cache, p.H), ...gruBackwardRef(params, false, cache, p.dSeq, p.dLast) };
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
    { name: 'b', shape: [3 * H], init: f32(p.b) },
  ]);
  const leaves = new Leaves(engine);
  const x = leaves.tensor([T, B, In], toTimeMajor(p.x, B, T, In), 'x');
  return { store, leaves, x, weights: { wx: store.get('wx'), wh: store.get('wh'), b: store.get('b') } };
}

/**
 * One forward and backward of the layer. `oneHot`: the input goes in as the indices of its 1s (dX is
 * then not computed: zeros). `kernels` collects the name of every dispatched shader.
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
  const out = gruResetBefore(step, opts.oneHot ? { shape: [T, B, In], ids: oneHotIds(p) } : x, weights, {
    resetAfter: false,
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

/** The layer's forward alone in an evaluation step (nothing recorded). `kernels` as in runGpuGru. */
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
  const out = gruResetBefore(step, x, weights, {
    resetAfter: false,
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
