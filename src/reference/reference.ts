/**
 * Independent float64 references for every op, written as plain loops over batch-major data.
 *
 * They share nothing with the shaders but the mathematical definition (the GPU side is time-major,
 * register-tiled and fused; these are the textbook formulas), so a wrong formula in one does not make
 * the other agree. Their own gradients are checked against central finite differences in the tests.
 */
import { GATE } from '../ops/lstm-layout';

export type F64 = Float64Array;

export function matmulRef(A: F64, B: F64, M: number, N: number, K: number, transA = false, transB = false): F64 {
  const C = new Float64Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) {
        const a = transA ? A[k * M + m]! : A[m * K + k]!;
        const b = transB ? B[n * K + k]! : B[k * N + n]!;
        s += a * b;
      }
      C[m * N + n] = s;
    }
  }
  return C;
}

/** Gradients of C = op(A)·op(B) given dC, in A's and B's storage layouts. */
export function matmulBackwardRef(A: F64, B: F64, dC: F64, M: number, N: number, K: number, transA = false, transB = false): { dA: F64; dB: F64 } {
  const dA = new Float64Array(M * K);
  const dB = new Float64Array(K * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      const g = dC[m * N + n]!;
      for (let k = 0; k < K; k++) {
        const ai = transA ? k * M + m : m * K + k;
        const bi = transB ? n * K + k : k * N + n;
        dA[ai]! += g * B[bi]!;
        dB[bi]! += g * A[ai]!;
      }
    }
  }
  return { dA, dB };
}

export function addBiasRef(X: F64, bias: F64): F64 {
  const C = bias.length;
  return X.map((v, i) => v + bias[i % C]!);
}

export function addBiasBackwardRef(dY: F64, C: number): { dX: F64; dBias: F64 } {
  const dBias = new Float64Array(C);
  dY.forEach((g, i) => (dBias[i % C]! += g));
  return { dX: Float64Array.from(dY), dBias };
}

/** Batch-major gather: Y[b, t, :] = W[ids[b, t], :]. */
export function embeddingRef(W: F64, E: number, ids: ArrayLike<number>): F64 {
  const Y = new Float64Array(ids.length * E);
  for (let n = 0; n < ids.length; n++) for (let e = 0; e < E; e++) Y[n * E + e] = W[ids[n]! * E + e]!;
  return Y;
}

export function embeddingBackwardRef(dY: F64, V: number, E: number, ids: ArrayLike<number>, maskZero: boolean): F64 {
  const dW = new Float64Array(V * E);
  for (let n = 0; n < ids.length; n++) {
    const id = ids[n]!;
    if (maskZero && id === 0) continue;
    for (let e = 0; e < E; e++) dW[id * E + e]! += dY[n * E + e]!;
  }
  return dW;
}

/**
 * The embedding gradient's segments as embedding_segments.wgsl defines them, by plain loops: every
 * time-major row r = t·B + b whose id (ids batch-major [B, T]) is < V, and not 0 when `skipPadding`,
 * grouped by id ascending, rows ascending within an id.
 */
export function embeddingSegmentsRef(ids: ArrayLike<number>, B: number, T: number, V: number, skipPadding: boolean): { uniqueIds: number[]; segStart: number[]; rows: number[] } {
  const rowsOf = new Map<number, number[]>();
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const id = ids[b * T + t]!;
      if (id >= V || (skipPadding && id === 0)) continue;
      if (!rowsOf.has(id)) rowsOf.set(id, []);
      rowsOf.get(id)!.push(t * B + b);
    }
  }
  const uniqueIds = [...rowsOf.keys()].sort((x, y) => x - y);
  const rows: number[] = [];
  const segStart: number[] = [];
  for (const id of uniqueIds) {
    segStart.push(rows.length);
    rows.push(...rowsOf.get(id)!);
  }
  segStart.push(rows.length);
  return { uniqueIds, segStart, rows };
}

/** Batch-major [B, T, F] with mask [B, F] shared over t (spatial / variational dropout). */
export function spatialDropoutRef(X: F64, mask: ArrayLike<number>, B: number, T: number, F: number): F64 {
  const Y = new Float64Array(X.length);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) Y[(b * T + t) * F + f] = X[(b * T + t) * F + f]! * mask[b * F + f]!;
  return Y;
}

/** Mean softmax cross-entropy over the rows whose label is < C (others: masked timesteps, no part). */
export function softmaxXentRef(Z: F64, labels: ArrayLike<number>, B: number, C: number, weights?: ArrayLike<number>): { loss: number; correct: number; probs: F64; dZ: F64 } {
  const probs = new Float64Array(B * C);
  const dZ = new Float64Array(B * C);
  let loss = 0;
  let correct = 0;
  let rows = 0;
  for (let b = 0; b < B; b++) if (labels[b]! < C) rows++;
  for (let b = 0; b < B; b++) {
    let max = -Infinity;
    let arg = 0;
    for (let c = 0; c < C; c++) if (Z[b * C + c]! > max) { max = Z[b * C + c]!; arg = c; }
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(Z[b * C + c]! - max);
    for (let c = 0; c < C; c++) probs[b * C + c] = Math.exp(Z[b * C + c]! - max) / sum;
    const y = labels[b]!;
    if (y >= C) continue;
    const w = weights ? weights[y]! : 1;
    loss += (w * -Math.log(probs[b * C + y]!)) / rows;
    if (arg === y) correct++;
    for (let c = 0; c < C; c++) dZ[b * C + c] = (w * (probs[b * C + c]! - (c === y ? 1 : 0))) / rows;
  }
  return { loss, correct, probs, dZ };
}

export type ActivationName = 'sigmoid' | 'tanh' | 'relu' | 'linear';

export function activationRef(X: F64, act: ActivationName): F64 {
  return X.map((x) => (act === 'sigmoid' ? 1 / (1 + Math.exp(-x)) : act === 'tanh' ? Math.tanh(x) : act === 'relu' ? Math.max(x, 0) : x));
}

/** dX = dY ⊙ act′(X), the derivative taken at the input. */
export function activationBackwardRef(X: F64, dY: F64, act: ActivationName): F64 {
  return X.map((x, i) => {
    const s = 1 / (1 + Math.exp(-x));
    const slope = act === 'sigmoid' ? s * (1 - s) : act === 'tanh' ? 1 - Math.tanh(x) ** 2 : act === 'relu' ? (x > 0 ? 1 : 0) : 1;
    return dY[i]! * slope;
  });
}

export type PointwiseLossName = 'meanSquaredError' | 'meanAbsoluteError' | 'binaryCrossentropy';

/**
 * Keras's losses over [rows, cols] with per-row weights (0 = masked), averaged over the weighted elements.
 * Binary cross-entropy takes logits Z and is written in its textbook form −y·log σ(z) − (1−y)·log(1−σ(z)).
 */
export function pointwiseLossRef(Z: F64, Y: F64, cols: number, loss: PointwiseLossName, rowWeights?: ArrayLike<number>): { loss: number; pred: F64; mae: number; mse: number; accuracy: number; dZ: F64 } {
  const rows = Z.length / cols;
  const w = (r: number) => (rowWeights ? rowWeights[r]! : 1);
  let count = 0;
  for (let r = 0; r < rows; r++) count += w(r) * cols;
  const pred = new Float64Array(Z.length);
  const dZ = new Float64Array(Z.length);
  let total = 0, mae = 0, mse = 0, hits = 0;
  for (let i = 0; i < Z.length; i++) {
    const z = Z[i]!, y = Y[i]!, wr = w(Math.floor(i / cols));
    const s = 1 / (1 + Math.exp(-z));
    const p = loss === 'binaryCrossentropy' ? s : z;
    pred[i] = p;
    const l = loss === 'meanSquaredError' ? (z - y) ** 2 : loss === 'meanAbsoluteError' ? Math.abs(z - y) : -y * Math.log(s) - (1 - y) * Math.log(1 - s);
    const g = loss === 'meanSquaredError' ? 2 * (z - y) : loss === 'meanAbsoluteError' ? Math.sign(z - y) : s - y;
    total += wr * l;
    mae += wr * Math.abs(p - y);
    mse += wr * (p - y) ** 2;
    if (loss === 'binaryCrossentropy' && (p > 0.5) === (y > 0.5)) hits += wr;
    dZ[i] = (wr * g) / count;
  }
  return { loss: total / count, pred, mae: mae / count, mse: mse / count, accuracy: hits / count, dZ };
}

/** Keras's global-norm clipping factor: min(1, clipNorm / ‖g‖), 1 when clipNorm = 0. */
export function clipScaleRef(grad: F64, clipNorm: number): number {
  let sq = 0;
  for (const g of grad) sq += g * g;
  const norm = Math.sqrt(sq);
  return clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1;
}

/** Plain SGD with global-norm clipping. */
export function sgdRef(theta: F64, grad: F64, lr: number, clipNorm: number): F64 {
  const scale = clipScaleRef(grad, clipNorm);
  return theta.map((t, i) => t - lr * grad[i]! * scale);
}

export interface AdamRefState { theta: F64; m: F64; v: F64; t: number }

/** Keras Adam with global-norm clipping. */
export function adamRef(s: AdamRefState, grad: F64, lr: number, beta1: number, beta2: number, eps: number, clipNorm: number): AdamRefState {
  const scale = clipScaleRef(grad, clipNorm);
  const t = s.t + 1;
  const theta = Float64Array.from(s.theta);
  const m = Float64Array.from(s.m);
  const v = Float64Array.from(s.v);
  const lrT = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
  for (let i = 0; i < theta.length; i++) {
    const g = grad[i]! * scale;
    m[i] = beta1 * m[i]! + (1 - beta1) * g;
    v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
    theta[i]! -= (lrT * m[i]!) / (Math.sqrt(v[i]!) + eps);
  }
  return { theta, m, v, t };
}

// ---------------------------------------------------------------------------------------------------
// LSTM, batch-major, one sequence at a time, textbook BPTT.

export interface LstmRefParams { wx: F64; wh: F64; b: F64; In: number; H: number }

export interface LstmRefCache {
  B: number;
  T: number;
  /** h[b][t] after step t (carried through masked steps); index (b·(T+1) + t+1)·H, slot 0 = h_{−1} = 0. */
  h: F64;
  c: F64;
  /** activated gates per (b, t): i, f, g, o blocks of H. */
  act: F64;
  x: F64;
  mask: ArrayLike<number>;
  rmask: ArrayLike<number> | null;
}

const sig = (z: number) => 1 / (1 + Math.exp(-z));

/** x: [B, T, In] batch-major; mask: [B, T] (1 real, 0 padding); rmask: [B, H] recurrent dropout. */
export function lstmForwardRef(p: LstmRefParams, x: F64, B: number, T: number, mask?: ArrayLike<number> | null, rmask?: ArrayLike<number> | null): LstmRefCache {
  const { In, H } = p;
  const G = 4 * H;
  const h = new Float64Array(B * (T + 1) * H);
  const c = new Float64Array(B * (T + 1) * H);
  const act = new Float64Array(B * T * G);
  const m = mask ?? new Array<number>(B * T).fill(1);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const prev = (b * (T + 1) + t) * H;
      const next = prev + H;
      if (!m[b * T + t]) {
        for (let j = 0; j < H; j++) { h[next + j] = h[prev + j]!; c[next + j] = c[prev + j]!; }
        continue;
      }
      for (let j = 0; j < H; j++) {
        const z = [0, 0, 0, 0];
        for (let g = 0; g < 4; g++) {
          const col = g * H + j;
          let s = p.b[col]!;
          for (let k = 0; k < In; k++) s += x[(b * T + t) * In + k]! * p.wx[k * G + col]!;
          for (let k = 0; k < H; k++) s += h[prev + k]! * (rmask ? rmask[b * H + k]! : 1) * p.wh[k * G + col]!;
          z[g] = s;
        }
        const i = sig(z[GATE.i]!);
        const f = sig(z[GATE.f]!);
        const gg = Math.tanh(z[GATE.c]!);
        const o = sig(z[GATE.o]!);
        const cc = f * c[prev + j]! + i * gg;
        c[next + j] = cc;
        h[next + j] = o * Math.tanh(cc);
        const a = (b * T + t) * G;
        act[a + GATE.i * H + j] = i;
        act[a + GATE.f * H + j] = f;
        act[a + GATE.c * H + j] = gg;
        act[a + GATE.o * H + j] = o;
      }
    }
  }
  return { B, T, h, c, act, x, mask: m, rmask: rmask ?? null };
}

/** Output sequence [B, T, H] and final state [B, H] of a cache. */
export function lstmOutputsRef(cache: LstmRefCache, H: number): { seq: F64; last: F64 } {
  const { B, T } = cache;
  const seq = new Float64Array(B * T * H);
  const last = new Float64Array(B * H);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) for (let j = 0; j < H; j++) seq[(b * T + t) * H + j] = cache.h[(b * (T + 1) + t + 1) * H + j]!;
    for (let j = 0; j < H; j++) last[b * H + j] = cache.h[(b * (T + 1) + T) * H + j]!;
  }
  return { seq, last };
}

/** BPTT given dL/d(seq) [B, T, H] and dL/d(last) [B, H]. */
export function lstmBackwardRef(p: LstmRefParams, cache: LstmRefCache, dSeq: F64 | null, dLast: F64 | null): { dWx: F64; dWh: F64; db: F64; dX: F64 } {
  const { In, H } = p;
  const G = 4 * H;
  const { B, T, h, c, act, x, mask, rmask } = cache;
  const dWx = new Float64Array(In * G);
  const dWh = new Float64Array(H * G);
  const db = new Float64Array(G);
  const dX = new Float64Array(B * T * In);
  for (let b = 0; b < B; b++) {
    const dh = new Float64Array(H);
    const dc = new Float64Array(H);
    if (dLast) for (let j = 0; j < H; j++) dh[j] = dLast[b * H + j]!;
    for (let t = T - 1; t >= 0; t--) {
      if (dSeq) for (let j = 0; j < H; j++) dh[j]! += dSeq[(b * T + t) * H + j]!;
      if (!mask[b * T + t]) continue; // h_t = h_{t−1}, c_t = c_{t−1}: dh, dc flow through unchanged
      const prev = (b * (T + 1) + t) * H;
      const next = prev + H;
      const a = (b * T + t) * G;
      const dz = new Float64Array(G);
      for (let j = 0; j < H; j++) {
        const i = act[a + GATE.i * H + j]!;
        const f = act[a + GATE.f * H + j]!;
        const g = act[a + GATE.c * H + j]!;
        const o = act[a + GATE.o * H + j]!;
        const tc = Math.tanh(c[next + j]!);
        const dct = dc[j]! + dh[j]! * o * (1 - tc * tc);
        dz[GATE.i * H + j] = dct * g * i * (1 - i);
        dz[GATE.f * H + j] = dct * c[prev + j]! * f * (1 - f);
        dz[GATE.c * H + j] = dct * i * (1 - g * g);
        dz[GATE.o * H + j] = dh[j]! * tc * o * (1 - o);
        dc[j] = dct * f;
      }
      const dhPrev = new Float64Array(H);
      for (let n = 0; n < G; n++) {
        const g = dz[n]!;
        db[n]! += g;
        for (let k = 0; k < In; k++) {
          dWx[k * G + n]! += x[(b * T + t) * In + k]! * g;
          dX[(b * T + t) * In + k]! += p.wx[k * G + n]! * g;
        }
        for (let k = 0; k < H; k++) {
          const r = rmask ? rmask[b * H + k]! : 1;
          dWh[k * G + n]! += h[prev + k]! * r * g;
          dhPrev[k]! += p.wh[k * G + n]! * r * g;
        }
      }
      dh.set(dhPrev);
    }
  }
  return { dWx, dWh, db, dX };
}

/** Time reversal of batch-major [B, T, F] (its own adjoint: the backward is the same reversal). */
export function reverseTimeRef(X: F64, B: number, T: number, F: number): F64 {
  const Y = new Float64Array(X.length);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) Y[(b * T + (T - 1 - t)) * F + f] = X[(b * T + t) * F + f]!;
  return Y;
}

/** [R, F1] ‖ [R, F2]; the backward splits the gradient back. */
export function concatRef(A: F64, Bm: F64, R: number, F1: number, F2: number): F64 {
  const Y = new Float64Array(R * (F1 + F2));
  for (let r = 0; r < R; r++) {
    for (let f = 0; f < F1; f++) Y[r * (F1 + F2) + f] = A[r * F1 + f]!;
    for (let f = 0; f < F2; f++) Y[r * (F1 + F2) + F1 + f] = Bm[r * F2 + f]!;
  }
  return Y;
}

export function concatBackwardRef(dY: F64, R: number, F1: number, F2: number): { dA: F64; dB: F64 } {
  const dA = new Float64Array(R * F1);
  const dB = new Float64Array(R * F2);
  for (let r = 0; r < R; r++) {
    for (let f = 0; f < F1; f++) dA[r * F1 + f] = dY[r * (F1 + F2) + f]!;
    for (let f = 0; f < F2; f++) dB[r * F2 + f] = dY[r * (F1 + F2) + F1 + f]!;
  }
  return { dA, dB };
}

export function addRef(A: F64, Bm: F64): F64 {
  return A.map((v, i) => v + Bm[i]!);
}
