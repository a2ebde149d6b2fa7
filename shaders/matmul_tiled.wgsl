// Workgroup-tiled f32 matrix multiply for hardware GPUs: the same contract as matmul.wgsl (read its
// header: C = alpha · op(A) · op(B) (+ C), transpose overrides, strides and element offsets).
//
// The register-tiled kernels give each invocation a large block of C and the whole K loop: the right
// shape for a CPU adapter, but at this engine's sizes (C of 196 × 784 with K = 896 for a weight
// gradient) it runs a few thousand long serial loops and leaves a GPU mostly idle. Here each invocation
// owns one element of C and a 16 × 16 workgroup steps through K in chunks of 16: it stages a 16 × 16
// tile of op(A) and of op(B) in workgroup memory (each load coalesced along the operand's contiguous
// axis, whichever way it is transposed), then every invocation reads its row and column of the tiles.
// Out-of-range rows, columns and k are loaded as zeros, so edge tiles need no special case.
//
// Dispatch: (ceil(N / 16), ceil(M / 16), 1) workgroups of 16×16.

override TRANS_A: bool = false;
override TRANS_B: bool = false;

const TILE: u32 = 16u;

struct Params {
  M: u32, N: u32, K: u32,
  lda: u32, ldb: u32, ldc: u32,
  offA: u32, offB: u32, offC: u32,
  accumulate: u32,
  alpha: f32,
}

@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

var<workgroup> tileA: array<array<f32, 16>, 16>; // [m][k]
var<workgroup> tileB: array<array<f32, 16>, 16>; // [k][n]

// op(A)[m, k], or 0 outside the matrix.
fn loadA(m: u32, k: u32) -> f32 {
  if (m >= p.M || k >= p.K) { return 0.0; }
  if (TRANS_A) { return A[p.offA + k * p.lda + m]; }
  return A[p.offA + m * p.lda + k];
}

// op(B)[k, n], or 0 outside the matrix.
fn loadB(k: u32, n: u32) -> f32 {
  if (k >= p.K || n >= p.N) { return 0.0; }
  if (TRANS_B) { return B[p.offB + n * p.ldb + k]; }
  return B[p.offB + k * p.ldb + n];
}

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let m0 = wg.y * TILE;
  let n0 = wg.x * TILE;
  var acc = 0.0;
  for (var k0 = 0u; k0 < p.K; k0 += TILE) {
    // Adjacent invocations (lid.x) read adjacent addresses: along k for A, along m for Aᵀ; along n for
    // B, along k for Bᵀ.
    if (TRANS_A) { tileA[lid.x][lid.y] = loadA(m0 + lid.x, k0 + lid.y); }
    else { tileA[lid.y][lid.x] = loadA(m0 + lid.y, k0 + lid.x); }
    if (TRANS_B) { tileB[lid.x][lid.y] = loadB(k0 + lid.x, n0 + lid.y); }
    else { tileB[lid.y][lid.x] = loadB(k0 + lid.y, n0 + lid.x); }
    workgroupBarrier();
    for (var kk = 0u; kk < TILE; kk++) { acc += tileA[lid.y][kk] * tileB[kk][lid.x]; }
    workgroupBarrier();
  }
  let m = m0 + lid.y;
  let n = n0 + lid.x;
  if (m >= p.M || n >= p.N) { return; }
  let idx = p.offC + m * p.ldc + n;
  var v = p.alpha * acc;
  if (p.accumulate != 0u) { v += C[idx]; }
  C[idx] = v;
}
