// Register-tiled f32 matrix multiply with transpose flags and accumulate-into-output.
//
//   C[M, N] = alpha · op(A)[M, K] · op(B)[K, N]            (accumulate = 0)
//   C[M, N] = alpha · op(A)[M, K] · op(B)[K, N] + C        (accumulate = 1)
//
// op(A) = A (row-major, row stride lda) or Aᵀ when TRANS_A; likewise B. Matrices may start anywhere in
// their buffers (offA, offB, offC in elements), so a GEMM can run on a window of a larger tensor, such
// as the non-skipped timesteps of a time-major sequence.
//
// Thread mapping: each invocation owns a 4×4 block of C (rows gid.y·4…+3, columns gid.x·4…+3) and keeps
// it in registers for the whole K loop; no workgroup memory and no barriers, which is what a CPU
// (SwiftShader) adapter runs fastest and what keeps the kernel simple. Loads of rows or columns past the
// edge are clamped to the last valid one (their results are computed but never stored), so the K loop
// has no branches.
//
// Dispatch: (ceil(N / 32), ceil(M / 32), 1) workgroups of 8×8.

override TRANS_A: bool = false;
override TRANS_B: bool = false;

#include "gemm_params"

@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let row0 = gid.y * 4u;
  let col0 = gid.x * 4u;
  if (row0 >= p.M || col0 >= p.N) { return; }

  // Element index of op(A)[m, k] is aBase[m] + k · aStepK; of op(B)[k, n] is bBase[n] + k · bStepK.
  var aBase: vec4u;
  var bBase: vec4u;
  var aStepK: u32;
  var bStepK: u32;
  for (var i = 0u; i < 4u; i++) {
    let m = min(row0 + i, p.M - 1u);
    let n = min(col0 + i, p.N - 1u);
    if (TRANS_A) { aBase[i] = p.offA + m; } else { aBase[i] = p.offA + m * p.lda; }
    if (TRANS_B) { bBase[i] = p.offB + n * p.ldb; } else { bBase[i] = p.offB + n; }
  }
  if (TRANS_A) { aStepK = p.lda; } else { aStepK = 1u; }
  if (TRANS_B) { bStepK = 1u; } else { bStepK = p.ldb; }

  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var k = 0u; k < p.K; k++) {
    let a = vec4f(A[aBase.x + k * aStepK], A[aBase.y + k * aStepK], A[aBase.z + k * aStepK], A[aBase.w + k * aStepK]);
    let b = vec4f(B[bBase.x + k * bStepK], B[bBase.y + k * bStepK], B[bBase.z + k * bStepK], B[bBase.w + k * bStepK]);
    acc0 += a.x * b;
    acc1 += a.y * b;
    acc2 += a.z * b;
    acc3 += a.w * b;
  }

  var acc = array<vec4f, 4>(acc0, acc1, acc2, acc3);
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
