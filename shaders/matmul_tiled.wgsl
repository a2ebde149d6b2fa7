// Workgroup-tiled f32 matrix multiply for hardware GPUs: the same contract as matmul.wgsl (read its
// header: C = alpha · op(A) · op(B) (+ C), transpose overrides, strides and element offsets).
//
// The register-tiled kernels give each invocation a large block of C and the whole K loop: the right
// shape for a CPU adapter, but at this engine's sizes (C of 196 × 784 with K = 896 for a weight
// gradient) it runs a few thousand long serial loops and leaves a GPU mostly idle. Here a 16 × 16
// workgroup owns a (16·BLOCK) × (16·BLOCK) tile of C and steps through K in chunks of 16: it stages the
// matching tiles of op(A) and op(B) in workgroup memory (each load coalesced along the operand's
// contiguous axis, whichever way it is transposed), then each invocation multiplies its rows and columns
// of the tiles. BLOCK = 1: one element of C per invocation, the most workgroups (the engine's choice for
// small outputs such as weight gradients). BLOCK = 4: a 4 × 4 block per invocation (rows y, y + 16, …,
// columns x, x + 16, …), each staged value serving 4 multiply-adds (its choice from 128 such tiles up,
// e.g. the input projection of a large batch). Out-of-range rows, columns and k are loaded as zeros, so
// edge tiles need no special case.
//
// Dispatch: (ceil(N / (16·BLOCK)), ceil(M / (16·BLOCK)), 1) workgroups of 16×16.

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override BLOCK: u32 = 1u;   // 1 or 4

const BK: u32 = 16u;        // K chunk

#include "gemm_params"

@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

// Sized for BLOCK = 4 (a 64-row tile × 16 k); BLOCK = 1 uses the first quarter.
var<workgroup> tileA: array<f32, 1024>; // op(A)[m0 + m, k0 + k] at m · BK + k
var<workgroup> tileB: array<f32, 1024>; // op(B)[k0 + k, n0 + n] at k · TILE + n

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
  let TILE = 16u * BLOCK;
  let m0 = wg.y * TILE;
  let n0 = wg.x * TILE;
  var acc: array<vec4f, 4>; // acc[i][j]: row lid.y + 16·i, column lid.x + 16·j of the tile
  for (var k0 = 0u; k0 < p.K; k0 += BK) {
    // TILE × BK values of each operand, BLOCK per invocation; consecutive tid run along k for A, along m
    // for Aᵀ, along n for B, along k for Bᵀ.
    for (var r = 0u; r < BLOCK; r++) {
      let e = tid + 256u * r;
      if (TRANS_A) { tileA[(e % TILE) * BK + e / TILE] = loadA(m0 + e % TILE, k0 + e / TILE); }
      else { tileA[e] = loadA(m0 + e / BK, k0 + e % BK); }
      if (TRANS_B) { tileB[(e % BK) * TILE + e / BK] = loadB(k0 + e % BK, n0 + e / BK); }
      else { tileB[e] = loadB(k0 + e / TILE, n0 + e % TILE); }
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      var a = vec4f(0.0);
      var b = vec4f(0.0);
      for (var i = 0u; i < BLOCK; i++) {
        a[i] = tileA[(lid.y + 16u * i) * BK + kk];
        b[i] = tileB[kk * TILE + lid.x + 16u * i];
      }
      for (var i = 0u; i < BLOCK; i++) { acc[i] += a[i] * b; }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < BLOCK; i++) {
    let m = m0 + lid.y + 16u * i;
    if (m >= p.M) { break; }
    for (var j = 0u; j < BLOCK; j++) {
      let n = n0 + lid.x + 16u * j;
      if (n >= p.N) { continue; }
      let idx = p.offC + m * p.ldc + n;
      var v = p.alpha * acc[i][j];
      if (p.accumulate != 0u) { v += C[idx]; }
      C[idx] = v;
    }
  }
}
