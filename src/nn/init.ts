/**
 * Keras's default initialisers, drawn from a seeded stream.
 *
 * - glorot_uniform: U(−l, l), l = sqrt(6 / (fan_in + fan_out)).
 * - orthogonal (recurrent kernels): for an [r, c] matrix with r < c, draw a [c, r] standard-normal
 *   matrix, orthonormalise its r columns (modified Gram–Schmidt, sign-fixed like QR with a positive
 *   diagonal), and transpose: the result has orthonormal rows. Work and memory are O(r·c) per vector,
 *   with no [r·c, r·c] intermediate.
 */
export function glorotUniform(rng: () => number, fanIn: number, fanOut: number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return Float32Array.from({ length: fanIn * fanOut }, () => (2 * rng() - 1) * limit);
}

/** Standard normal by Box–Muller. */
export function normal(rng: () => number): number {
  let u = 0;
  while (u === 0) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

export function orthogonal(rng: () => number, rows: number, cols: number, gain = 1): Float32Array {
  const n = Math.max(rows, cols); // vector length
  const k = Math.min(rows, cols); // number of orthonormal vectors
  const vecs: Float64Array[] = [];
  for (let v = 0; v < k; v++) {
    const x = Float64Array.from({ length: n }, () => normal(rng));
    for (const q of vecs) {
      let d = 0;
      for (let i = 0; i < n; i++) d += q[i]! * x[i]!;
      for (let i = 0; i < n; i++) x[i]! -= d * q[i]!;
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += x[i]! * x[i]!;
    norm = Math.sqrt(norm);
    if (norm < 1e-12) throw new Error('orthogonal init: degenerate draw');
    for (let i = 0; i < n; i++) x[i]! /= norm;
    vecs.push(x);
  }
  const out = new Float32Array(rows * cols);
  // rows ≤ cols: vector v is row v. rows > cols: vector v is column v.
  for (let v = 0; v < k; v++) {
    for (let i = 0; i < n; i++) {
      if (rows <= cols) out[v * cols + i] = gain * vecs[v]![i]!;
      else out[i * cols + v] = gain * vecs[v]![i]!;
    }
  }
  return out;
}

/** Zero bias with the forget-gate block set to 1 (Keras unit_forget_bias). Gate order i, f, c, o. */
export function lstmBias(units: number, forgetGate: number): Float32Array {
  const b = new Float32Array(4 * units);
  b.fill(1, forgetGate * units, (forgetGate + 1) * units);
  return b;
}
