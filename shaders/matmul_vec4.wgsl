// Register-tiled f32 matrix multiply, vectorised along N: the same product as matmul.wgsl,
//
//   C[M, N] = alpha · op(A)[M, K] · B[K, N]  (+ C when accumulate = 1)
//
// for the common case where B is not transposed and N, ldb, ldc, offB and offC are multiples of 4, so
// B and C can be read and written as vec4 (one load feeds 4 columns). op(A) = A or Aᵀ (TRANS_A).
//
// Thread mapping: each invocation owns an 8 × 8 block of C (rows gid.y·8…+7, columns gid.x·8…+7, as two
// vec4s per row) in 16 vec4 registers for the whole K loop: 10 loads per 64 multiply-adds (measured
// ~25% faster on SwiftShader than a 4 × 8 block). No workgroup memory, no barriers. Out-of-range
// rows/columns are clamped on load and never stored.
//
// ROW_INDEX (A not transposed): the M rows are rows[offI…offI + M) of A and of C, which hold more; the
// rows not listed are neither read nor written. A recurrent layer's input GEMMs skip its padding rows
// this way (ops/recurrence.ts). Each row's sum is the same as without the list, bit for bit.
// Dispatch: (ceil(N / 64), ceil(M / 64), 1) workgroups of 8×8.

override TRANS_A: bool = false;
override ROW_INDEX: bool = false;

#include "gemm_params"

@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> C: array<vec4f>;
@group(0) @binding(3) var<uniform> p: Params;
// With ROW_INDEX the rows' list; otherwise a placeholder, never read.
@group(0) @binding(4) var<storage, read> rows: array<u32>;

// Row m of the product is row cRow(m) of C and of A.
fn cRow(m: u32) -> u32 {
  if (ROW_INDEX) { return rows[p.offI + m]; }
  return m;
}

#include "gemm_store_vec4"

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let row0 = gid.y * 8u;
  let n4 = p.N / 4u;
  let c0 = gid.x * 2u;            // first vec4 column
  if (row0 >= p.M || c0 >= n4) { return; }
  let c1 = min(c0 + 1u, n4 - 1u);

  var aLo: vec4u;
  var aHi: vec4u;
  for (var i = 0u; i < 4u; i++) {
    let m0 = cRow(min(row0 + i, p.M - 1u));
    let m1 = cRow(min(row0 + 4u + i, p.M - 1u));
    if (TRANS_A) { aLo[i] = p.offA + m0; aHi[i] = p.offA + m1; } else { aLo[i] = p.offA + m0 * p.lda; aHi[i] = p.offA + m1 * p.lda; }
  }
  var aStepK = 1u;
  if (TRANS_A) { aStepK = p.lda; }
  let ldb4 = p.ldb / 4u;
  var b0 = p.offB / 4u + c0;
  var b1 = p.offB / 4u + c1;

  var s0 = vec4f(0.0); var s1 = vec4f(0.0); var s2 = vec4f(0.0); var s3 = vec4f(0.0);
  var s4 = vec4f(0.0); var s5 = vec4f(0.0); var s6 = vec4f(0.0); var s7 = vec4f(0.0);
  var s8 = vec4f(0.0); var s9 = vec4f(0.0); var s10 = vec4f(0.0); var s11 = vec4f(0.0);
  var s12 = vec4f(0.0); var s13 = vec4f(0.0); var s14 = vec4f(0.0); var s15 = vec4f(0.0);
  var ka = 0u;
  for (var k = 0u; k < p.K; k++) {
    let x0 = B[b0];
    let x1 = B[b1];
    let a0 = A[aLo.x + ka]; let a1 = A[aLo.y + ka]; let a2 = A[aLo.z + ka]; let a3 = A[aLo.w + ka];
    let a4 = A[aHi.x + ka]; let a5 = A[aHi.y + ka]; let a6 = A[aHi.z + ka]; let a7 = A[aHi.w + ka];
    s0 += a0 * x0; s1 += a0 * x1; s2 += a1 * x0; s3 += a1 * x1;
    s4 += a2 * x0; s5 += a2 * x1; s6 += a3 * x0; s7 += a3 * x1;
    s8 += a4 * x0; s9 += a4 * x1; s10 += a5 * x0; s11 += a5 * x1;
    s12 += a6 * x0; s13 += a6 * x1; s14 += a7 * x0; s15 += a7 * x1;
    b0 += ldb4;
    b1 += ldb4;
    ka += aStepK;
  }
  storeBlock8x8(row0, c0, n4, array<vec4f, 16>(s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15));
}
