/**
 * What every recurrent cell op (lstm.ts, gru.ts, simple-rnn.ts) shares around its fused recurrence:
 * the input contract (time-major, dense or one-hot), the processed window (all-padding timesteps
 * skipped), the hoisted input projection Xp = X·Wx over that window, and in the backward pass the
 * gradients that are plain GEMMs over all rows: dWx = Xᵀ·dGx, db = Σ dGx, dX = dGx·Wxᵀ and
 * dWh = H_prevᵀ·dGh. A cell's own file keeps only its kernels and the order it dispatches them in.
 */
import { grid1d, type Step } from '../engine/step';
import { Tensor, subSlice, type Slice } from '../engine/tensor';
import { columnSumInto } from './elementwise';
import type { DropoutMask } from './dropout-key';
import { embeddingGradInto, gatherRowsInto } from './embedding';
import { gemm } from './matmul';

/** Which cell a layer runs, with the settings its op needs. */
/** The activations of a SimpleRNN (the one list: the layer spec, the op and the reference use it). */
export type SimpleRnnActivation = 'tanh' | 'relu' | 'sigmoid' | 'linear';
export type RecurrentCell = { kind: 'lstm' } | { kind: 'gru'; resetAfter: boolean } | { kind: 'simpleRnn'; activation: SimpleRnnActivation };

/** A direction's weights: kernel [in, G·H], recurrent kernel [H, G·H], bias (G·H values; a reset-after GRU's 2·3H). */
export interface RecurrentWeights {
  wx: Tensor;
  wh: Tensor;
  b: Tensor;
}

/**
 * A time-major [T, B, In] input whose every row is one-hot (a single 1, the rest 0) or all zeros, given
 * by the position of its 1: `ids[t·B + b]`, or In (or more) for a row of zeros. With `table`, the rows are
 * instead token ids into a table [V, G] whose row v is X·Wx of token v (an embedding's output projected
 * ahead: layers/token-tables.ts): ids of V or more give zeros. Such an input takes no gradient.
 */
export interface OneHotInput {
  shape: readonly [number, number, number];
  ids: Uint32Array;
  table?: Slice;
}

export function isOneHot(x: Tensor | OneHotInput): x is OneHotInput {
  return 'ids' in x;
}

/** A GRU's options: Keras's form (reset gate after the recurrent matmul, or before it). */
export interface GruOptions extends RecurrentOptions {
  resetAfter: boolean;
}

/** The 16-bit forms weights may be packed in for inference. */
export type HalfFormat = 'float16' | 'bfloat16';

export interface RecurrentOptions {
  /** Time-major [T·B] flags, 1 for a real token and 0 for padding (Keras mask_zero); omitted: all real. */
  mask?: Uint32Array | null;
  /**
   * Recurrent-dropout mask [B·H] applied to h_{t−1} at every step: a draw (filled on the GPU) or an
   * explicit pre-scaled mask (0 or 1/(1−rate)).
   */
  recurrentMask?: DropoutMask | null;
  returnSequences?: boolean;
  /** Skip timesteps where the whole batch is padding (default true; false runs them, for testing equivalence). */
  skipPadding?: boolean;
  /** Keep every timestep's gates and state on the GPU and describe them in `state` (inspect()), even in an evaluation step. */
  keepState?: boolean;
  /**
   * Inference only, LSTM only: Wh as 16-bit pairs packed in u32s (ops/half-weights.ts packHalf; [H, 2H]
   * u32s at an even offset) in `format`, read by the forward kernel's float16 or bfloat16 form instead of Wh.
   */
  whHalf?: { packed: Slice; format: HalfFormat };
  name?: string;
}

/**
 * What one direction of a recurrent layer computed at every timestep, left on the GPU by a step with
 * `keepState` (the gates and states the training forward keeps anyway): each named per-unit value of
 * timestep t, row b, unit j at `slice.offset + base + (t·B + b)·rowStride + j` within `slice`'s buffer.
 * Timesteps outside [tStart, tEnd), and masked rows, hold no computed value (the caller marks them).
 */
export interface RecurrentState {
  T: number;
  B: number;
  H: number;
  tStart: number;
  tEnd: number;
  /** The padding mask this direction ran with (time-major [T·B], in its own time order), or null. */
  mask: Uint32Array | null;
  values: Array<{ name: string; slice: Slice; base: number; rowStride: number }>;
}

export interface RecurrentOutput {
  /** h_t for every t: [T, B, H] (rows before the first active step are zeros). */
  sequence: Tensor;
  /** The final state h at the last processed step: [B, H]. */
  last: Tensor;
  /** Processed timesteps [tStart, tEnd). */
  tStart: number;
  tEnd: number;
  /** With `keepState`: where each timestep's gates and states are. */
  state?: RecurrentState;
}

/** The range of timesteps that must run: leading all-padding steps always skipped, trailing ones when only the last state is needed. */
export function activeRange(mask: Uint32Array | null | undefined, T: number, B: number, returnSequences: boolean): [number, number] {
  if (!mask) return [0, T];
  const active = (t: number) => {
    for (let b = 0; b < B; b++) if (mask[t * B + b]) return true;
    return false;
  };
  let tStart = 0;
  while (tStart < T && !active(tStart)) tStart++;
  if (tStart === T) return returnSequences ? [T, T] : [0, 0];
  let tEnd = T;
  if (!returnSequences) while (tEnd > tStart && !active(tEnd - 1)) tEnd--;
  return [tStart, tEnd];
}

/** A recurrent op's input after checking, its processed window, and Xp = X·Wx (no bias) over that window. */
export interface InputProjection {
  T: number;
  B: number;
  In: number;
  H: number;
  /** Columns of Xp: gates × H. */
  G: number;
  tStart: number;
  tEnd: number;
  /** (tEnd − tStart)·B */
  rows: number;
  /** X·Wx for every timestep, [T, B, G] (only the window is written). */
  xp: Slice;
  /** The window of xp. */
  xpWin: Slice;
  /** The dense input (null for one-hot), and its window. */
  dense: Tensor | null;
  xWin: Slice | null;
  /** The one-hot indices of the window, uploaded (null for a dense input). */
  idsWin: Slice | null;
  returnSequences: boolean;
  /** The window's real-token rows when its GEMMs skip the padding rows (realRows below), else null. */
  real: RealRows | null;
}

/**
 * The rows of a window that hold real tokens, ascending, as offsets from the window's first row
 * ((t − tStart)·B + b), uploaded; the first `first` of them are at tStart. A masked row's Xp is never
 * read (the step kernels carry the state through it) and its dG rows are zero, so the input projection,
 * dX, dWx and dWh can run over these rows only (GemmArgs.rows): the same numbers, bit for bit, with the
 * padding's share of the work left out.
 */
export interface RealRows {
  list: Slice;
  count: number;
  first: number;
}

/**
 * The window's real rows when the GEMMs should skip padding: on the cpu tuning (whose vec4 GEMMs take a
 * row list; a GPU is not FLOP-bound at these sizes), for a dense input with a mask that leaves some row
 * of the window out, with the input and gate widths in whole vec4s. Null otherwise (every row is computed).
 */
function realRows(step: Step, mask: Uint32Array | null | undefined, dense: boolean, p: { B: number; In: number; G: number; tStart: number; tEnd: number }, name: string): RealRows | null {
  if (!mask || !dense || step.engine.tuning !== 'cpu' || p.In % 4 !== 0 || p.G % 4 !== 0) return null;
  const from = p.tStart * p.B;
  const rows = (p.tEnd - p.tStart) * p.B;
  const list = new Uint32Array(rows);
  let count = 0;
  let first = 0;
  for (let r = 0; r < rows; r++) {
    if (mask[from + r] === 0) continue;
    if (r < p.B) first++;
    list[count++] = r;
  }
  if (count === rows) return null;
  return { list: step.upload(list.subarray(0, Math.max(count, 1)), `${name} real rows`), count, first };
}

/**
 * Check a recurrent op's input, weights and options (`gates` blocks of H columns in Wx and Wh, a bias of
 * `biasSize` values), pick the processed window, and encode Xp = X·Wx over it: one GEMM, or for one-hot
 * rows a gather of Wx's rows (embedding_gather.wgsl), or of a token table's. The caller adds its bias.
 */
export function projectInput(step: Step, x: Tensor | OneHotInput, w: { wx: Tensor; wh: Tensor; b: Tensor }, gates: number, biasSize: (H: number) => number, opts: RecurrentOptions, name: string): InputProjection {
  if (x.shape.length !== 3) throw new Error(`${name}: input must be time-major [T, B, in], got [${x.shape.join(', ')}]`);
  const [T, B, In] = x.shape as [number, number, number];
  const oneHot = isOneHot(x) ? x.ids : null;
  if (oneHot && oneHot.length !== T * B) throw new Error(`${name}: one-hot input has ${oneHot.length} indices, expected T·B = ${T * B}`);
  const dense = oneHot ? null : (x as Tensor);
  const H = w.wh.shape[0]!;
  const G = gates * H;
  if (w.wx.shape[0] !== In || w.wx.shape[1] !== G) throw new Error(`${name}: Wx must be [${In}, ${G}], got [${w.wx.shape.join(', ')}]`);
  if (w.wh.shape[1] !== G) throw new Error(`${name}: Wh must be [${H}, ${G}], got [${w.wh.shape.join(', ')}]`);
  if (w.b.size !== biasSize(H)) throw new Error(`${name}: b must have ${biasSize(H)} values, got ${w.b.size}`);
  if (opts.mask && opts.mask.length !== T * B) throw new Error(`${name}: mask has ${opts.mask.length} entries, expected T·B = ${T * B}`);
  if (opts.recurrentMask instanceof Float32Array && opts.recurrentMask.length !== B * H) {
    throw new Error(`${name}: recurrent mask has ${opts.recurrentMask.length} entries, expected B·H = ${B * H}`);
  }
  const returnSequences = opts.returnSequences ?? false;
  const [tStart, tEnd] = (opts.skipPadding ?? true) ? activeRange(opts.mask, T, B, returnSequences) : [0, T];
  const rows = (tEnd - tStart) * B;

  const xp = step.scratch(T * B * G, `${name} Xp`);
  const xpWin = subSlice(xp, tStart * B * G, rows * G);
  // One-hot: the window's indices as a one-row batch of `rows` timesteps (time-major order kept).
  const idsWin = oneHot && rows > 0 ? step.upload(oneHot.subarray(tStart * B, tEnd * B), `${name} one-hot indices`) : null;
  const xWin = dense ? subSlice(dense.data, tStart * B * In, rows * In) : null;
  const table = isOneHot(x) ? x.table : undefined;
  if (table && step.tape.recording) throw new Error(`${name}: a projected-token input takes no gradient (a step that records the tape needs the embedding's output)`);
  if (table && table.length % G !== 0) throw new Error(`${name}: a token table of ${table.length} values is not a whole number of rows of ${G}`);
  const real = rows > 0 ? realRows(step, opts.mask, !!dense, { B, In, G, tStart, tEnd }, name) : null;
  if (xWin) gemm(step, { a: xWin, b: w.wx.data, c: xpWin, M: real?.count ?? rows, N: G, K: In, ...(real ? { rows: { list: real.list, on: 'm', within: rows } } : {}) });
  else if (idsWin) gatherRowsInto(step, table ?? w.wx.data, table ? table.length / G : In, G, idsWin, 1, rows, xpWin);
  return { T, B, In, H, G, tStart, tEnd, rows, xp, xpWin, dense, xWin, idsWin, returnSequences, real };
}

/**
 * The input side's gradients from dGx (the gradient of Xp + b_x, [T, B, G]; only the window is read):
 * dWx = Xᵀ·dGx (or a segment sum per one-hot index), db += Σ dGx into `biasGrad` (a slice of the
 * bias's gradient, or null), dX = dGx·Wxᵀ.
 */
export function inputGrads(step: Step, p: InputProjection, dGx: Slice, wx: Tensor, biasGrad: Slice | null, name: string): void {
  const { rows, G, In, tStart, B } = p;
  if (rows === 0) return;
  const dGWin = subSlice(dGx, tStart * B * G, rows * G);
  // Over the real rows only when the forward listed them (the padding rows of dGx are zero).
  const real = p.real;
  const listed = (on: 'm' | 'k') => (real ? { rows: { list: real.list, on, within: rows } } : {});
  const n = real?.count ?? rows;
  if (wx.grad && p.xWin) gemm(step, { a: p.xWin, b: dGWin, c: wx.grad, M: In, N: G, K: n, transA: true, accumulate: true, ...listed('k') });
  if (wx.grad && p.idsWin) embeddingGradInto(step, p.idsWin, 1, rows, In, false, dGWin, wx.grad, G, `${name} one-hot`);
  if (biasGrad) columnSumInto(step, dGWin, biasGrad, rows, G);
  if (p.dense?.grad) {
    gemm(step, { a: dGWin, b: wx.data, c: subSlice(p.dense.grad, tStart * B * In, rows * In), M: n, N: In, K: G, transB: true, accumulate: true, ...listed('m') });
  }
}

/**
 * dWh += H_prevᵀ·dGh over the timesteps after tStart (at tStart h_{t−1} is the zero initial state, so
 * its rows add nothing). `hs` holds h by slot ([T + 1, B, H], slot t is h_{t−1}); with recurrent dropout
 * the recurrence saw h_{t−1} ⊙ rmask: `hm` (kept by a per-timestep forward) or, when null, a dropout pass
 * over hs. `dGh` is [T, B, G] (only the window is read); `cols` picks G columns of it starting at `col0`
 * into the same columns of dWh (a cell whose recurrent blocks see different inputs runs one per block).
 */
export function recurrentWeightGrad(
  step: Step,
  p: Pick<InputProjection, 'B' | 'H' | 'G' | 'tStart' | 'rows' | 'real'>,
  hPrev: { hs: Slice; hm: Slice | null; rmask: Slice | null },
  dGh: Slice,
  whGrad: Slice,
  name: string,
  cols: { col0: number; count: number } = { col0: 0, count: p.G },
): void {
  const { B, H, G, tStart } = p;
  const recRows = p.rows - B;
  if (recRows <= 0) return;
  const real = p.real;
  if (real && (hPrev.hm || !hPrev.rmask) && H % 4 === 0 && cols.col0 % 4 === 0 && cols.count % 4 === 0) {
    // The real rows after tStart (the list's entries past `first`), addressed from the window's first
    // row: row r of the window reads h by slot tStart + r / B (h_{t−1}) and dGh's row r.
    const list = subSlice(real.list, real.first, real.count - real.first);
    const a = subSlice(hPrev.hm ?? hPrev.hs, tStart * B * H, p.rows * H);
    const b = subSlice(dGh, tStart * B * G + cols.col0, (p.rows - 1) * G + cols.count);
    const c = subSlice(whGrad, cols.col0, (H - 1) * G + cols.count);
    gemm(step, { a, b, c, M: H, N: cols.count, K: real.count - real.first, transA: true, ldb: G, ldc: G, accumulate: true, rows: { list, on: 'k', within: p.rows } });
    return;
  }
  let a: Slice = subSlice(hPrev.hm ?? hPrev.hs, (tStart + 1) * B * H, recRows * H);
  if (hPrev.rmask && !hPrev.hm) {
    const dropped = step.scratch(recRows * H, `${name} masked h_prev`);
    step.dispatch('dropout', {
      buffers: { X: a, mask: hPrev.rmask, Y: dropped },
      params: { rows: recRows, cols: H, maskRows: B, offX: a.offset, offY: 0, accumulate: 0 },
      workgroups: grid1d(recRows * H),
    });
    a = dropped;
  }
  const b = subSlice(dGh, (tStart + 1) * B * G + cols.col0, (recRows - 1) * G + cols.count);
  const c = subSlice(whGrad, cols.col0, (H - 1) * G + cols.count);
  gemm(step, { a, b, c, M: H, N: cols.count, K: recRows, transA: true, ldb: G, ldc: G, accumulate: true });
}
