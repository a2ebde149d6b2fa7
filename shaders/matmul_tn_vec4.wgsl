// Register-tiled f32 matrix multiply of the transpose of A by B, vectorised along M and N:
//
//   C[M, N] = alpha · A[K, M]ᵀ · B[K, N]  (+ C when accumulate = 1),   i.e. C[m, n] = Σ_k A[k, m]·B[k, n]
//
// for M, N, lda, ldb, ldc and every offset multiples of 4, so A, B and C are all read as vec4 (a weight
// gradient dW = Xᵀ·dG over the rows of a sequence has exactly this form). The same product as
// matmul_vec4.wgsl with TRANS_A, whose A loads are 8 scalars per k; here they are 2 vec4s.
//
// Thread mapping: each invocation owns an 8 × 8 block of C (rows gid.y·8…+7, columns gid.x·8…+7, as two
// vec4s per row) in 16 vec4 registers for the whole K loop: per k-step 4 vec4 loads feed 64
// multiply-adds. Out-of-range rows/columns are clamped on load and never stored.
//
// K_INDEX: the sum runs over k in rows[offI…offI + K) (rows of A and of B, which hold more), in that
// order. A weight gradient over a sequence skips its padding rows this way (ops/recurrence.ts): their dG
// rows are zero, so with the list in ascending order every sum is the one over all rows, bit for bit.
// Dispatch: (ceil(N / 64), ceil(M / 64), 1) workgroups of 8×8.

override K_INDEX: bool = false;

#include "gemm_params"

@group(0) @binding(0) var<storage, read> A: array<vec4f>;
@group(0) @binding(1) var<storage, read> B: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> C: array<vec4f>;
@group(0) @binding(3) var<uniform> p: Params;
// With K_INDEX the rows' list; otherwise a placeholder, never read.
@group(0) @binding(4) var<storage, read> rows: array<u32>;

fn cRow(m: u32) -> u32 { return m; }

#include "gemm_store_vec4"

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let row0 = gid.y * 8u;
  let m4 = p.M / 4u;
  let n4 = p.N / 4u;
  let r0 = gid.y * 2u;            // first vec4 of rows
  let c0 = gid.x * 2u;            // first vec4 column
  if (r0 >= m4 || c0 >= n4) { return; }
  let r1 = min(r0 + 1u, m4 - 1u);
  let c1 = min(c0 + 1u, n4 - 1u);

  let lda4 = p.lda / 4u;
  let ldb4 = p.ldb / 4u;
  var a0 = p.offA / 4u + r0;
  var a1 = p.offA / 4u + r1;
  var b0 = p.offB / 4u + c0;
  var b1 = p.offB / 4u + c1;

  var s0 = vec4f(0.0); var s1 = vec4f(0.0); var s2 = vec4f(0.0); var s3 = vec4f(0.0);
  var s4 = vec4f(0.0); var s5 = vec4f(0.0); var s6 = vec4f(0.0); var s7 = vec4f(0.0);
  var s8 = vec4f(0.0); var s9 = vec4f(0.0); var s10 = vec4f(0.0); var s11 = vec4f(0.0);
  var s12 = vec4f(0.0); var s13 = vec4f(0.0); var s14 = vec4f(0.0); var s15 = vec4f(0.0);
  for (var k = 0u; k < p.K; k++) {
    if (K_INDEX) {
      let r = rows[p.offI + k];
      a0 = p.offA / 4u + r * lda4 + r0;
      a1 = p.offA / 4u + r * lda4 + r1;
      b0 = p.offB / 4u + r * ldb4 + c0;
      b1 = p.offB / 4u + r * ldb4 + c1;
    }
    let x0 = B[b0];
    let x1 = B[b1];
    let lo = A[a0];
    let hi = A[a1];
    s0 += lo.x * x0; s1 += lo.x * x1; s2 += lo.y * x0; s3 += lo.y * x1;
    s4 += lo.z * x0; s5 += lo.z * x1; s6 += lo.w * x0; s7 += lo.w * x1;
    s8 += hi.x * x0; s9 += hi.x * x1; s10 += hi.y * x0; s11 += hi.y * x1;
    s12 += hi.z * x0; s13 += hi.z * x1; s14 += hi.w * x0; s15 += hi.w * x1;
    a0 += lda4;
    a1 += lda4;
    b0 += ldb4;
    b1 += ldb4;
  }
  storeBlock8x8(row0, c0, n4, array<vec4f, 16>(s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15));
}
