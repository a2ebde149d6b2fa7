/** Shared set-up for the SimpleRNN tests: random problems, the float64 reference, one GPU forward + backward. */
import { type Engine } from '../../src/engine/engine';
import { ParameterStore } from '../../src/engine/parameters';
import type { Step } from '../../src/engine/step';
import { oneHotIndices } from '../../src/layers/data';
import { backpropFrom } from '../../src/ops/elementwise';
import type { RecurrentOutput } from '../../src/ops/recurrence';
import { simpleRnn, type SimpleRnnActivation } from '../../src/ops/simple-rnn';
import { cellOutputsRef, simpleRnnBackwardRef, simpleRnnForwardRef, type CellRefParams } from '../../src/reference/cells';
import { f32, randomArray } from './gpu';
import { Leaves } from './leaf';
import { maskTimeMajor, toBatchMajor, toTimeMajor } from './lstm';

export interface RnnProblem {
  B: number;
  T: number;
  In: number;
  H: number;
  activation: SimpleRnnActivation;
  x: Float64Array; // batch-major [B, T, In]
  wx: Float64Array; // [In, H]
  wh: Float64Array; // [H, H]
  b: Float64Array; // [H]
  mask: Uint8Array | null; // batch-major [B, T]
  rmask: Float64Array | null; // [B, H]
  dSeq: Float64Array | null; // [B, T, H]
  dLast: Float64Array; // [B, H]
}

export function randomRnnProblem(
  r: () => number,
  d: { B: number; T: number; In: number; H: number },
  activation: SimpleRnnActivation,
  opts: { mask?: Uint8Array | null; rmaskRate?: number; withSeqGrad?: boolean } = {},
): RnnProblem {
  const { B, T, In, H } = d;
  // Weights of ±1/√H keep relu and linear from growing over the sequence; a bias around zero leaves relu
  // units on both sides of its kink.
  const s = 1 / Math.sqrt(H);
  let rmask: Float64Array | null = null;
  if (opts.rmaskRate) rmask = Float64Array.from({ length: B * H }, () => (r() < opts.rmaskRate! ? 0 : Math.fround(1 / (1 - opts.rmaskRate!))));
  return {
    ...d,
    activation,
    x: randomArray(r, B * T * In),
    wx: randomArray(r, In * H, -s, s),
    wh: randomArray(r, H * H, -s, s),
    b: randomArray(r, H, -0.5, 0.5),
    mask: opts.mask ?? null,
    rmask,
    dSeq: opts.withSeqGrad ? randomArray(r, B * T * H) : null,
    dLast: randomArray(r, B * H),
  };
}

/** The float64 reference (src/reference/cells.ts): outputs and every gradient. */
export function rnnReference(p: RnnProblem) {
  const params: CellRefParams = { wx: p.wx, wh: p.wh, b: p.b, In: p.In, H: p.H };
  const cache = simpleRnnForwardRef(params, p.activation, p.x, p.B, p.T, p.mask, p.rmask);
  return { ...cellOutputsRef(cache, p.H), ...simpleRnnBackwardRef(params, p.activation, cache, p.dSeq, p.dLast) };
}

export interface GpuRnnResult {
  seq: Float64Array | null; // batch-major
  last: Float64Array;
  dWx: Float32Array;
  dWh: Float32Array;
  db: Float32Array;
  dX: Float64Array; // batch-major
  tStart: number;
  tEnd: number;
}

/** A dispatched kernel: its shader and override constants. */
export interface Dispatched {
  shader: string;
  overrides: Record<string, number | boolean>;
}

function upload(engine: Engine, p: RnnProblem) {
  const { B, T, In, H } = p;
  const store = new ParameterStore(engine, [
    { name: 'wx', shape: [In, H], init: f32(p.wx) },
    { name: 'wh', shape: [H, H], init: f32(p.wh) },
    { name: 'b', shape: [H], init: f32(p.b) },
  ]);
  const leaves = new Leaves(engine);
  const x = leaves.tensor([T, B, In], toTimeMajor(p.x, B, T, In), 'x');
  return { store, leaves, x, weights: { wx: store.get('wx'), wh: store.get('wh'), b: store.get('b') } };
}

function recordDispatches(step: Step, into: Dispatched[] | undefined): void {
  if (!into) return;
  const dispatch = step.dispatch.bind(step);
  step.dispatch = (shader, args) => {
    into.push({ shader, overrides: { ...(args.overrides ?? {}) } });
    return dispatch(shader, args);
  };
}

function oneHotIds(p: RnnProblem): Uint32Array {
  const ids = oneHotIndices(Float32Array.from(toTimeMajor(p.x, p.B, p.T, p.In)), p.In);
  if (!ids) throw new Error('oneHotIds: the problem input is not one-hot');
  return ids;
}

/**
 * One forward and backward of the layer. `oneHot`: the input goes in as the indices of its 1s (the
 * problem's x must be one-hot or zero per row), and dX is not computed (zeros). `kernels` collects the
 * kernels dispatched.
 */
export async function runGpuRnn(engine: Engine, p: RnnProblem, opts: { skipPadding?: boolean; oneHot?: boolean; kernels?: Dispatched[] } = {}): Promise<GpuRnnResult> {
  const { B, T, In, H } = p;
  const { store, leaves, x, weights } = upload(engine, p);
  const step = engine.beginStep({ grad: true });
  recordDispatches(step, opts.kernels);
  store.zeroGrads(step);
  const returnSequences = p.dSeq !== null;
  const out = simpleRnn(step, opts.oneHot ? { shape: [T, B, In], ids: oneHotIds(p) } : x, weights, {
    activation: p.activation,
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
  const result: GpuRnnResult = {
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

/**
 * The layer's forward alone in an evaluation step (nothing recorded, nothing stored for a backward),
 * optionally with `keepState` (then `state` is what the op described, and `kept` its h values read back
 * from where it says they are, batch-major [B, T, H]).
 */
export async function runGpuRnnInference(
  engine: Engine,
  p: RnnProblem,
  opts: { kernels?: Dispatched[]; keepState?: boolean } = {},
): Promise<{ seq: Float64Array; last: Float64Array; state: RecurrentOutput['state']; kept: Float64Array | null }> {
  const { B, T, H } = p;
  const { store, leaves, x, weights } = upload(engine, p);
  const step = engine.beginStep({ grad: false });
  recordDispatches(step, opts.kernels);
  const out = simpleRnn(step, x, weights, {
    activation: p.activation,
    mask: p.mask ? maskTimeMajor(p.mask, B, T) : null,
    recurrentMask: p.rmask ? f32(p.rmask) : null,
    returnSequences: true,
    ...(opts.keepState ? { keepState: true } : {}),
  });
  const seqP = step.read(out.sequence.data);
  const lastP = step.read(out.last.data);
  const v = out.state?.values[0];
  const keptP = v ? step.read({ buffer: v.slice.buffer, offset: v.slice.offset + v.base, length: T * B * H }) : null;
  step.submit();
  const result = {
    seq: toBatchMajor(await seqP, B, T, H),
    last: Float64Array.from(await lastP),
    state: out.state,
    kept: keptP ? toBatchMajor(await keptP, B, T, H) : null,
  };
  store.destroy();
  leaves.free();
  return result;
}
