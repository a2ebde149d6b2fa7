// Workgroup-tiled f32 matrix multiply for hardware GPUs and large outputs: the same contract as
// matmul.wgsl (read its header: C = alpha · op(A) · op(B) (+ C), transpose overrides, strides and element
// offsets), with the same staging as matmul_tiled.wgsl but a 64 × 64 tile of C per workgroup and a 4 × 4
// block per invocation: each value read from workgroup memory serves 4 multiply-adds instead of 1. It
// needs enough tiles to fill the GPU (the engine uses it from 128 tiles up, e.g. the input projection of a
// batch of 512 sequences), below that matmul_tiled's 16 × 16 tiles give more parallelism.
//
// Invocation (x, y) owns rows y, y + 16, y + 32, y + 48 and columns x, x + 16, x + 32, x + 48 of the
// tile, so adjacent invocations read adjacent words of the staged tile of op(B) and store adjacent
// columns of C. Each K chunk of 16 stages a 64 × 16 tile of op(A) and a 16 × 64 tile of op(B), 4 values
// per invocation, each load coalesced along the operand's contiguous axis whichever way it is transposed.
// Out-of-range rows, columns and k are loaded as zeros.
//
// Dispatch: (ceil(N / 64), ceil(M / 64), 1) workgroups of 16×16.

override TRANS_A: bool = false;
override TRANS_B: bool = false;

const TILE: u32 = 64u;
const BK: u32 = 16u;

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

var<workgroup> tileA: array<array<f32, 16>, 64>; // [m][k]
var<workgroup> tileB: array<array<f32, 64>, 16>; // [k][n]

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
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) tid: u32) {
  let m0 = wg.y * TILE;
  let n0 = wg.x * TILE;
  var acc: array<vec4f, 4>; // acc[i][j]: row lid.y + 16·i, column lid.x + 16·j
  for (var k0 = 0u; k0 < p.K; k0 += BK) {
    for (var r = 0u; r < 4u; r++) {
      let e = tid + 256u * r;
      // op(A) tile element (m, k): consecutive tid run along k for A, along m for Aᵀ.
      if (TRANS_A) { tileA[e % TILE][e / TILE] = loadA(m0 + e % TILE, k0 + e / TILE); }
      else { tileA[e / BK][e % BK] = loadA(m0 + e / BK, k0 + e % BK); }
      // op(B) tile element (k, n): consecutive tid run along n for B, along k for Bᵀ.
      if (TRANS_B) { tileB[e % BK][e / BK] = loadB(k0 + e % BK, n0 + e / BK); }
      else { tileB[e / TILE][e % TILE] = loadB(k0 + e / TILE, n0 + e % TILE); }
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      let a = vec4f(tileA[lid.y][kk], tileA[lid.y + 16u][kk], tileA[lid.y + 32u][kk], tileA[lid.y + 48u][kk]);
      let b = vec4f(tileB[kk][lid.x], tileB[kk][lid.x + 16u], tileB[kk][lid.x + 32u], tileB[kk][lid.x + 48u]);
      acc[0] += a.x * b;
      acc[1] += a.y * b;
      acc[2] += a.z * b;
      acc[3] += a.w * b;
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + lid.y + 16u * i;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = n0 + lid.x + 16u * j;
      if (n >= p.N) { continue; }
      let idx = p.offC + m * p.ldc + n;
      var v = p.alpha * acc[i][j];
      if (p.accumulate != 0u) { v += C[idx]; }
      C[idx] = v;
    }
  }
}
