/**
 * Float64 references for the GRU (both of Keras's forms) and SimpleRNN layers: plain loops, batch-major,
 * one sequence at a time, textbook BPTT, written independently of the kernels (as the LSTM's in
 * reference.ts). Conventions as there: x [B, T, In], mask [B, T] (1 real, 0 padding: the row carries h
 * through), rmask [B, H] (recurrent dropout, pre-scaled, applied to h_{t−1} where it enters a recurrent
 * matmul; the GRU's carry z ⊙ h_{t−1} sees the undropped state, as Keras's GRUCell).
 *
 * GRU (Keras 3, gate order z, r, h̃; Wx [In, 3H], Wh [H, 3H]):
 *   resetAfter (bias [2·3H] = b_x then b_h):
 *     z = σ(x·Wx_z + b_x,z + h·Wh_z + b_h,z)   r = σ(x·Wx_r + b_x,r + h·Wh_r + b_h,r)
 *     h̃ = tanh(x·Wx_h + b_x,h + r ⊙ (h·Wh_h + b_h,h))
 *   resetBefore (bias [3H]):
 *     z = σ(x·Wx_z + b_z + h·Wh_z)   r = σ(x·Wx_r + b_r + h·Wh_r)   h̃ = tanh(x·Wx_h + b_h + (r ⊙ h)·Wh_h)
 *   h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃
 * SimpleRNN (Wx [In, H], Wh [H, H], b [H]):  h_t = act(x·Wx + b + h_{t−1}·Wh)
 */
import type { SimpleRnnActivation } from '../ops/recurrence';
export type F64 = Float64Array;

export interface CellRefParams { wx: F64; wh: F64; b: F64; In: number; H: number }

/** h by slot per row: index (b·(T+1) + t+1)·H holds h after step t (slot 0: the zero initial state). */
export interface CellRefCache {
  B: number;
  T: number;
  h: F64;
  /** Per (b, t) and gate block, what the backward needs (GRU: z, r, h̃, and the recurrent candidate sum; SimpleRNN: h). */
  act: F64;
  x: F64;
  mask: ArrayLike<number>;
  rmask: ArrayLike<number> | null;
}

export type { SimpleRnnActivation };

const sig = (v: number) => 1 / (1 + Math.exp(-v));

function dot(x: F64, xOff: number, w: F64, n: number, ld: number, col: number, scale?: (k: number) => number): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += x[xOff + k]! * (scale ? scale(k) : 1) * w[k * ld + col]!;
  return s;
}

/** GRU forward. act per (b, t): [z | r | h̃ | hRec] blocks of H, hRec = h·Wh_h + b_h,h (resetAfter) or unused. */
export function gruForwardRef(p: CellRefParams, resetAfter: boolean, x: F64, B: number, T: number, mask?: ArrayLike<number> | null, rmask?: ArrayLike<number> | null): CellRefCache {
  const { In, H } = p;
  const G = 3 * H;
  const h = new Float64Array(B * (T + 1) * H);
  const act = new Float64Array(B * T * 4 * H);
  const m = mask ?? new Array<number>(B * T).fill(1);
  const rm = (b: number) => (k: number) => (rmask ? rmask[b * H + k]! : 1);
  const bh = (col: number) => (resetAfter ? p.b[G + col]! : 0);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const prev = (b * (T + 1) + t) * H;
      const next = prev + H;
      if (!m[b * T + t]) {
        for (let j = 0; j < H; j++) h[next + j] = h[prev + j]!;
        continue;
      }
      const xOff = (b * T + t) * In;
      const a = (b * T + t) * 4 * H;
      const z = new Float64Array(H);
      const r = new Float64Array(H);
      for (let j = 0; j < H; j++) {
        z[j] = sig(p.b[j]! + dot(x, xOff, p.wx, In, G, j) + bh(j) + dot(h, prev, p.wh, H, G, j, rm(b)));
        r[j] = sig(p.b[H + j]! + dot(x, xOff, p.wx, In, G, H + j) + bh(H + j) + dot(h, prev, p.wh, H, G, H + j, rm(b)));
      }
      for (let j = 0; j < H; j++) {
        const col = 2 * H + j;
        const xh = p.b[col]! + dot(x, xOff, p.wx, In, G, col);
        let rec: number;
        let hRec = 0;
        if (resetAfter) {
          hRec = bh(col) + dot(h, prev, p.wh, H, G, col, rm(b));
          rec = r[j]! * hRec;
        } else {
          rec = dot(h, prev, p.wh, H, G, col, (k) => r[k]! * rm(b)(k));
        }
        const hh = Math.tanh(xh + rec);
        h[next + j] = z[j]! * h[prev + j]! + (1 - z[j]!) * hh;
        act[a + j] = z[j]!;
        act[a + H + j] = r[j]!;
        act[a + 2 * H + j] = hh;
        act[a + 3 * H + j] = hRec;
      }
    }
  }
  return { B, T, h, act, x, mask: m, rmask: rmask ?? null };
}

/** Output sequence [B, T, H] and final state [B, H] of a cache (any cell). */
export function cellOutputsRef(cache: CellRefCache, H: number): { seq: F64; last: F64 } {
  const { B, T } = cache;
  const seq = new Float64Array(B * T * H);
  const last = new Float64Array(B * H);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) for (let j = 0; j < H; j++) seq[(b * T + t) * H + j] = cache.h[(b * (T + 1) + t + 1) * H + j]!;
    for (let j = 0; j < H; j++) last[b * H + j] = cache.h[(b * (T + 1) + T) * H + j]!;
  }
  return { seq, last };
}

export interface CellRefGrads { dWx: F64; dWh: F64; db: F64; dX: F64 }

/** dL/dh flowing into each step from outside: dSeq [B, T, H] and dLast [B, H] (added at step T−1). */
function outsideGrad(dSeq: F64 | null, dLast: F64 | null, b: number, t: number, T: number, H: number, j: number): number {
  let g = dSeq ? dSeq[(b * T + t) * H + j]! : 0;
  if (dLast && t === T - 1) g += dLast[b * H + j]!;
  return g;
}

/** GRU BPTT given dL/d(seq) and dL/d(last); db has the forward's bias layout ([2·3H] with resetAfter). */
export function gruBackwardRef(p: CellRefParams, resetAfter: boolean, cache: CellRefCache, dSeq: F64 | null, dLast: F64 | null): CellRefGrads {
  const { In, H } = p;
  const G = 3 * H;
  const { B, T, h, act, x, mask, rmask } = cache;
  const dWx = new Float64Array(In * G);
  const dWh = new Float64Array(H * G);
  const db = new Float64Array(p.b.length);
  const dX = new Float64Array(B * T * In);
  for (let b = 0; b < B; b++) {
    const rm = (k: number) => (rmask ? rmask[b * H + k]! : 1);
    let dh = new Float64Array(H); // carried into h_t from step t + 1
    for (let t = T - 1; t >= 0; t--) {
      for (let j = 0; j < H; j++) dh[j] = dh[j]! + outsideGrad(dSeq, dLast, b, t, T, H, j);
      if (!mask[b * T + t]) continue; // h_t = h_{t−1}: dh flows on unchanged
      const prev = (b * (T + 1) + t) * H;
      const a = (b * T + t) * 4 * H;
      const xOff = (b * T + t) * In;
      const dPrev = new Float64Array(H);
      const dAx = new Float64Array(G); // gradient of the input-side pre-activations (x·Wx + b_x)
      const dAh = new Float64Array(G); // gradient of the recurrent sums h·Wh (+ b_h)
      for (let j = 0; j < H; j++) {
        const z = act[a + j]!;
        const hh = act[a + 2 * H + j]!;
        dPrev[j] += dh[j]! * z;
        const dz = dh[j]! * (h[prev + j]! - hh);
        const dCand = dh[j]! * (1 - z) * (1 - hh * hh);
        dAx[j] = dz * z * (1 - z);
        dAh[j] = dAx[j]!;
        dAx[2 * H + j] = dCand;
      }
      if (resetAfter) {
        for (let j = 0; j < H; j++) {
          const r = act[a + H + j]!;
          const dr = dAx[2 * H + j]! * act[a + 3 * H + j]!;
          dAx[H + j] = dr * r * (1 - r);
          dAh[H + j] = dAx[H + j]!;
          dAh[2 * H + j] = dAx[2 * H + j]! * r;
        }
      } else {
        // rh = r ⊙ h̄ (h̄ = h_{t−1} ⊙ rmask) enters h̃ through Wh_h: d(rh) = dCand · Wh_hᵀ.
        for (let k = 0; k < H; k++) {
          let drh = 0;
          for (let j = 0; j < H; j++) drh += dAx[2 * H + j]! * p.wh[k * G + 2 * H + j]!;
          const r = act[a + H + k]!;
          const hbar = h[prev + k]! * rm(k);
          dAx[H + k] = drh * hbar * r * (1 - r);
          dAh[H + k] = dAx[H + k]!;
          dPrev[k] += drh * r * rm(k);
          for (let j = 0; j < H; j++) dWh[k * G + 2 * H + j] += r * hbar * dAx[2 * H + j]!;
        }
      }
      // Recurrent sums: blocks whose input is h̄ = h_{t−1} ⊙ rmask (all three with resetAfter, z and r without).
      const recBlocks = resetAfter ? G : 2 * H;
      for (let k = 0; k < H; k++) {
        const hbar = h[prev + k]! * rm(k);
        let s = 0;
        for (let c = 0; c < recBlocks; c++) {
          dWh[k * G + c] += hbar * dAh[c]!;
          s += dAh[c]! * p.wh[k * G + c]!;
        }
        dPrev[k] += s * rm(k);
      }
      for (let c = 0; c < G; c++) {
        db[c] += dAx[c]!;
        if (resetAfter) db[G + c] += dAh[c]!;
        for (let k = 0; k < In; k++) {
          dWx[k * G + c] += x[xOff + k]! * dAx[c]!;
          dX[xOff + k] += dAx[c]! * p.wx[k * G + c]!;
        }
      }
      dh = dPrev;
    }
  }
  return { dWx, dWh, db, dX };
}

function activate(v: number, a: SimpleRnnActivation): number {
  return a === 'tanh' ? Math.tanh(v) : a === 'relu' ? Math.max(0, v) : a === 'sigmoid' ? sig(v) : v;
}

/** d act / d pre-activation from the activated value y. */
function activationSlope(y: number, a: SimpleRnnActivation): number {
  return a === 'tanh' ? 1 - y * y : a === 'relu' ? (y > 0 ? 1 : 0) : a === 'sigmoid' ? y * (1 - y) : 1;
}

/** SimpleRNN forward: h_t = act(x·Wx + b + (h_{t−1} ⊙ rmask)·Wh). act holds nothing beyond h (its block is h_t). */
export function simpleRnnForwardRef(p: CellRefParams, activation: SimpleRnnActivation, x: F64, B: number, T: number, mask?: ArrayLike<number> | null, rmask?: ArrayLike<number> | null): CellRefCache {
  const { In, H } = p;
  const h = new Float64Array(B * (T + 1) * H);
  const m = mask ?? new Array<number>(B * T).fill(1);
  for (let b = 0; b < B; b++) {
    const rm = (k: number) => (rmask ? rmask[b * H + k]! : 1);
    for (let t = 0; t < T; t++) {
      const prev = (b * (T + 1) + t) * H;
      const next = prev + H;
      if (!m[b * T + t]) {
        for (let j = 0; j < H; j++) h[next + j] = h[prev + j]!;
        continue;
      }
      const xOff = (b * T + t) * In;
      for (let j = 0; j < H; j++) h[next + j] = activate(p.b[j]! + dot(x, xOff, p.wx, In, H, j) + dot(h, prev, p.wh, H, H, j, rm), activation);
    }
  }
  return { B, T, h, act: new Float64Array(0), x, mask: m, rmask: rmask ?? null };
}

export function simpleRnnBackwardRef(p: CellRefParams, activation: SimpleRnnActivation, cache: CellRefCache, dSeq: F64 | null, dLast: F64 | null): CellRefGrads {
  const { In, H } = p;
  const { B, T, h, x, mask, rmask } = cache;
  const dWx = new Float64Array(In * H);
  const dWh = new Float64Array(H * H);
  const db = new Float64Array(H);
  const dX = new Float64Array(B * T * In);
  for (let b = 0; b < B; b++) {
    const rm = (k: number) => (rmask ? rmask[b * H + k]! : 1);
    let dh = new Float64Array(H);
    for (let t = T - 1; t >= 0; t--) {
      for (let j = 0; j < H; j++) dh[j] = dh[j]! + outsideGrad(dSeq, dLast, b, t, T, H, j);
      if (!mask[b * T + t]) continue;
      const prev = (b * (T + 1) + t) * H;
      const xOff = (b * T + t) * In;
      const dA = new Float64Array(H);
      for (let j = 0; j < H; j++) dA[j] = dh[j]! * activationSlope(h[prev + H + j]!, activation);
      const dPrev = new Float64Array(H);
      for (let k = 0; k < H; k++) {
        let s = 0;
        for (let j = 0; j < H; j++) {
          dWh[k * H + j] += h[prev + k]! * rm(k) * dA[j]!;
          s += dA[j]! * p.wh[k * H + j]!;
        }
        dPrev[k] = s * rm(k);
      }
      for (let j = 0; j < H; j++) {
        db[j] += dA[j]!;
        for (let k = 0; k < In; k++) {
          dWx[k * H + j] += x[xOff + k]! * dA[j]!;
          dX[xOff + k] += dA[j]! * p.wx[k * H + j]!;
        }
      }
      dh = dPrev;
    }
  }
  return { dWx, dWh, db, dX };
}
