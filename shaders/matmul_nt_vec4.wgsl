// Register-tiled f32 matrix multiply of A by the transpose of B, vectorised along K:
//
//   C[M, N] = alpha · A[M, K] · B[N, K]ᵀ  (+ C when accumulate = 1),   i.e. C[m, n] = Σ_k A[m, k]·B[n, k]
//
// for K, lda, ldb, offA and offB multiples of 4, so both operands are read as vec4 along k (an input
// gradient dX = dG·Wxᵀ has exactly this form). The same product as matmul.wgsl with TRANS_B.
//
// Thread mapping: each invocation owns a 4×4 block of C (rows gid.y·4…+3, columns gid.x·4…+3) and keeps
// 16 vec4 partial sums (one per output, over k mod 4): per k-step 8 vec4 loads feed 64 multiply-adds.
// Out-of-range rows/columns are clamped on load and never stored.
// Dispatch: (ceil(N / 32), ceil(M / 32), 1) workgroups of 8×8.

#include "gemm_params"

@group(0) @binding(0) var<storage, read> A: array<vec4f>;
@group(0) @binding(1) var<storage, read> B: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

const ONE = vec4f(1.0);

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let row0 = gid.y * 4u;
  let col0 = gid.x * 4u;
  if (row0 >= p.M || col0 >= p.N) { return; }
  let lda4 = p.lda / 4u;
  let ldb4 = p.ldb / 4u;
  let r0 = p.offA / 4u + row0 * lda4;
  let r1 = p.offA / 4u + min(row0 + 1u, p.M - 1u) * lda4;
  let r2 = p.offA / 4u + min(row0 + 2u, p.M - 1u) * lda4;
  let r3 = p.offA / 4u + min(row0 + 3u, p.M - 1u) * lda4;
  let s0 = p.offB / 4u + col0 * ldb4;
  let s1 = p.offB / 4u + min(col0 + 1u, p.N - 1u) * ldb4;
  let s2 = p.offB / 4u + min(col0 + 2u, p.N - 1u) * ldb4;
  let s3 = p.offB / 4u + min(col0 + 3u, p.N - 1u) * ldb4;

  var a00 = vec4f(0.0); var a01 = vec4f(0.0); var a02 = vec4f(0.0); var a03 = vec4f(0.0);
  var a10 = vec4f(0.0); var a11 = vec4f(0.0); var a12 = vec4f(0.0); var a13 = vec4f(0.0);
  var a20 = vec4f(0.0); var a21 = vec4f(0.0); var a22 = vec4f(0.0); var a23 = vec4f(0.0);
  var a30 = vec4f(0.0); var a31 = vec4f(0.0); var a32 = vec4f(0.0); var a33 = vec4f(0.0);
  let K4 = p.K / 4u;
  for (var k = 0u; k < K4; k++) {
    let x0 = A[r0 + k]; let x1 = A[r1 + k]; let x2 = A[r2 + k]; let x3 = A[r3 + k];
    let y0 = B[s0 + k]; let y1 = B[s1 + k]; let y2 = B[s2 + k]; let y3 = B[s3 + k];
    a00 += x0 * y0; a01 += x0 * y1; a02 += x0 * y2; a03 += x0 * y3;
    a10 += x1 * y0; a11 += x1 * y1; a12 += x1 * y2; a13 += x1 * y3;
    a20 += x2 * y0; a21 += x2 * y1; a22 += x2 * y2; a23 += x2 * y3;
    a30 += x3 * y0; a31 += x3 * y1; a32 += x3 * y2; a33 += x3 * y3;
  }
  let acc = array<vec4f, 4>(
    vec4f(dot(a00, ONE), dot(a01, ONE), dot(a02, ONE), dot(a03, ONE)),
    vec4f(dot(a10, ONE), dot(a11, ONE), dot(a12, ONE), dot(a13, ONE)),
    vec4f(dot(a20, ONE), dot(a21, ONE), dot(a22, ONE), dot(a23, ONE)),
    vec4f(dot(a30, ONE), dot(a31, ONE), dot(a32, ONE), dot(a33, ONE)),
  );
  for (var i = 0u; i < 4u; i++) {
    let m = row0 + i;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = col0 + j;
      if (n >= p.N) { break; }
      let idx = p.offC + m * p.ldc + n;
      var v = p.alpha * acc[i][j];
      if (p.accumulate != 0u) { v += C[idx]; }
      C[idx] = v;
    }
  }
}
