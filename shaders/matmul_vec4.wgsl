// Register-tiled f32 matrix multiply, vectorised along N: the same product as matmul.wgsl,
//
//   C[M, N] = alpha · op(A)[M, K] · B[K, N]  (+ C when accumulate = 1)
//
// for the common case where B is not transposed and N, ldb, ldc, offB and offC are multiples of 4, so
// B and C can be read and written as vec4 (one load feeds 4 columns). op(A) = A or Aᵀ (TRANS_A).
//
// Thread mapping: each invocation owns a 4 × 8 block of C (rows gid.y·4…+3, columns gid.x·8…+7, as two
// vec4s) in registers for the whole K loop: 6 loads per 32 multiply-adds. No workgroup memory, no
// barriers. Out-of-range rows/columns are clamped on load and never stored.
// Dispatch: (ceil(N / 64), ceil(M / 32), 1) workgroups of 8×8.

override TRANS_A: bool = false;

struct Params {
  M: u32, N: u32, K: u32,
  lda: u32, ldb: u32, ldc: u32,
  offA: u32, offB: u32, offC: u32,
  accumulate: u32,
  alpha: f32,
}

@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> C: array<vec4f>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let row0 = gid.y * 4u;
  let n4 = p.N / 4u;
  let c0 = gid.x * 2u;            // first vec4 column
  if (row0 >= p.M || c0 >= n4) { return; }
  let c1 = min(c0 + 1u, n4 - 1u);

  var aBase: vec4u;
  for (var i = 0u; i < 4u; i++) {
    let m = min(row0 + i, p.M - 1u);
    if (TRANS_A) { aBase[i] = p.offA + m; } else { aBase[i] = p.offA + m * p.lda; }
  }
  var aStepK = 1u;
  if (TRANS_A) { aStepK = p.lda; }
  let ldb4 = p.ldb / 4u;
  var b0 = p.offB / 4u + c0;
  var b1 = p.offB / 4u + c1;

  var acc00 = vec4f(0.0); var acc01 = vec4f(0.0);
  var acc10 = vec4f(0.0); var acc11 = vec4f(0.0);
  var acc20 = vec4f(0.0); var acc21 = vec4f(0.0);
  var acc30 = vec4f(0.0); var acc31 = vec4f(0.0);
  var ka = 0u;
  for (var k = 0u; k < p.K; k++) {
    let x0 = B[b0];
    let x1 = B[b1];
    let a0 = A[aBase.x + ka];
    let a1 = A[aBase.y + ka];
    let a2 = A[aBase.z + ka];
    let a3 = A[aBase.w + ka];
    acc00 += a0 * x0; acc01 += a0 * x1;
    acc10 += a1 * x0; acc11 += a1 * x1;
    acc20 += a2 * x0; acc21 += a2 * x1;
    acc30 += a3 * x0; acc31 += a3 * x1;
    b0 += ldb4;
    b1 += ldb4;
    ka += aStepK;
  }

  let ldc4 = p.ldc / 4u;
  let accs = array<vec4f, 8>(acc00, acc01, acc10, acc11, acc20, acc21, acc30, acc31);
  for (var i = 0u; i < 4u; i++) {
    let m = row0 + i;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 2u; j++) {
      let c = c0 + j;
      if (c >= n4) { break; }
      let idx = p.offC / 4u + m * ldc4 + c;
      var v = p.alpha * accs[2u * i + j];
      if (p.accumulate != 0u) { v += C[idx]; }
      C[idx] = v;
    }
  }
}
