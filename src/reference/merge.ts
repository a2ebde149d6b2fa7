/** Float64 reference of the Bidirectional merge modes (ops/merge.ts) and their gradients. */
type F64 = Float64Array;

export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';

/** The two directions' rows [R, F] merged: [R, 2F] for concat, [R, F] otherwise. */
export function mergeRef(A: F64, B: F64, R: number, F: number, mode: MergeMode): F64 {
  if (mode === 'concat') {
    const Y = new Float64Array(R * 2 * F);
    for (let r = 0; r < R; r++) {
      Y.set(A.subarray(r * F, (r + 1) * F), r * 2 * F);
      Y.set(B.subarray(r * F, (r + 1) * F), r * 2 * F + F);
    }
    return Y;
  }
  return A.map((a, i) => {
    const b = B[i]!;
    return mode === 'sum' ? a + b : mode === 'mul' ? a * b : (a + b) / 2;
  });
}

/** dL/dA and dL/dB of mergeRef given dL/dY. */
export function mergeBackwardRef(dY: F64, A: F64, B: F64, R: number, F: number, mode: MergeMode): { dA: F64; dB: F64 } {
  if (mode === 'concat') {
    const dA = new Float64Array(R * F);
    const dB = new Float64Array(R * F);
    for (let r = 0; r < R; r++) {
      dA.set(dY.subarray(r * 2 * F, r * 2 * F + F), r * F);
      dB.set(dY.subarray(r * 2 * F + F, (r + 1) * 2 * F), r * F);
    }
    return { dA, dB };
  }
  const scale = mode === 'ave' ? 0.5 : 1;
  return {
    dA: dY.map((g, i) => (mode === 'mul' ? g * B[i]! : g * scale)),
    dB: dY.map((g, i) => (mode === 'mul' ? g * A[i]! : g * scale)),
  };
}
