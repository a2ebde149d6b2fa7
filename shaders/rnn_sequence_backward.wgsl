// A whole SimpleRNN layer's backpropagation through time in one dispatch, shaped for hardware GPUs: every
// timestep tEnd−1 … tStart of rnn_backward_step.wgsl (read that file's header for the derivatives and
// the masking rules), looped inside the kernel. As in rnn_sequence_forward.wgsl, a workgroup owns ROWS
// batch rows for the whole sequence and synchronises only with itself.
//
// Per timestep t, going back:
//   1. cell: invocation q < H/4 owns units 4q … 4q+3 of every row. It forms dh_t = dHs[t + 1] + the
//      recurrent gradient from step t + 1 (the slices of step 2 summed, ⊙ the recurrent-dropout mask;
//      or, for a row that was padding at t + 1, the dh it passed through), then dG_t = dh_t · act′ (from
//      h_t), stored for the weight GEMMs and kept in workgroup memory (dgw);
//   2. sums: invocation (quad q, slice s) accumulates Σ_j dG_t[r, j] · Whᵀ[j, 4q …] over the j quads
//      s, s + slices, … for every row (vec4 loads of the transposed Wh: adjacent invocations read
//      adjacent units; two j quads, 8 loads, per trip, issued together), into workgroup memory, for
//      step 1 of t − 1.
// A padding row at t stores dG_t = 0 and passes dh_t on unchanged (as the per-timestep kernels do with
// dhCarry).
//
// Requires H % 4 == 0, H/4 ≤ 256, ROWS·H ≤ 1024 and slices·ROWS·H/4 ≤ 1792 (the host picks slices).
// Dispatch: (ceil(B / ROWS), 1, 1), once per layer and direction, after whT = Whᵀ (transpose.wgsl).

override ROWS: u32 = 1u; // 1, 2 or 4 (MAX_ROWS)

#include "rnn_sequence"

// useRMask: apply the recurrent-dropout mask; act: lib/rnn_cell's activation code. Uniforms: one
// pipeline per ROWS (see rnn_sequence_forward.wgsl).
struct Params { B: u32, H: u32, tStart: u32, tEnd: u32, slices: u32, useRMask: u32, act: u32 }

@group(0) @binding(0) var<storage, read> whT: array<vec4f>;      // [H, H]: Whᵀ
@group(0) @binding(1) var<storage, read> mask: array<u32>;       // [T, B]
@group(0) @binding(2) var<storage, read> rmask: array<vec4f>;    // [B, H] (read only with useRMask)
@group(0) @binding(3) var<storage, read> hs: array<vec4f>;       // [T + 1, B, H]
@group(0) @binding(4) var<storage, read> dHs: array<vec4f>;      // [T + 1, B, H]
@group(0) @binding(5) var<storage, read_write> dG: array<vec4f>; // [T, B, H]
@group(0) @binding(6) var<uniform> p: Params;

// dG_t of the workgroup's rows, 4 columns per vec4: dgw[r · H/4 + jq] holds dG_t[r, 4jq … 4jq+3].
var<workgroup> dgw: array<vec4f, 256>;
// Partial sums: part[(slice · ROWS + r) · H/4 + q], 4 units per vec4.
var<workgroup> part: array<vec4f, 1792>;

// What the cell's gradient at step tt needs of row b, units 4q …: loaded one step ahead (during the sums
// of the step before), so that the loads' latency overlaps the loop.
struct CellIn { dh: vec4f, h: vec4f, real: bool }

fn loadCell(tt: u32, b: u32, q: u32) -> CellIn {
  let next = ((tt + 1u) * p.B + b) * (p.H / 4u) + q;
  return CellIn(dHs[next], hs[next], mask[tt * p.B + b] != 0u);
}

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let H = p.H;
  let Q = H / 4u;
  let slices = p.slices;
  let b0 = wg.x * ROWS;
  let q = li % Q;
  let s = li / Q;
  let summer = s < slices;
  let owner = li < Q;

  var carried: array<vec4f, MAX_ROWS>; // dh passed through a padding step at t + 1
  var inp: array<CellIn, MAX_ROWS>;
  if (owner && p.tEnd > p.tStart) {
    for (var r = 0u; r < ROWS; r++) { inp[r] = loadCell(p.tEnd - 1u, min(b0 + r, p.B - 1u), q); }
  }

  for (var t = p.tEnd; t > p.tStart; t--) {
    let tt = t - 1u;
    // 1. The cell's gradients at tt.
    if (owner) {
      for (var r = 0u; r < ROWS; r++) {
        let b = b0 + r;
        if (b >= p.B) { break; }
        let x = inp[r];
        var dh = x.dh;
        if (t < p.tEnd) {
          // A row that was padding at t stored dG_t = 0, so its recurrent sum is zero and `carried` holds
          // its dh; a real row has carried = 0.
          var rec = vec4f(0.0);
          for (var sl = 0u; sl < slices; sl++) { rec += part[(sl * ROWS + r) * Q + q]; }
          dh += rec * recurrentMask(b, q) + carried[r];
        }
        let g = (tt * p.B + b) * Q + q;
        if (!x.real) {
          dG[g] = vec4f(0.0);
          dgw[r * Q + q] = vec4f(0.0);
          carried[r] = dh;
          continue;
        }
        carried[r] = vec4f(0.0);
        let d = dh * rnnSlope(p.act, x.h);
        dG[g] = d;
        dgw[r * Q + q] = d;
      }
    }
    workgroupBarrier();
    if (owner && tt > p.tStart) {
      for (var r = 0u; r < ROWS; r++) { inp[r] = loadCell(tt - 1u, min(b0 + r, p.B - 1u), q); }
    }
    // 2. Partial sums of dG_tt · Whᵀ for step tt − 1 (none after the first processed step).
    if (summer && tt > p.tStart) {
      // Zeroed explicitly at every timestep: a declaration inside a loop is not re-initialised by every driver.
      var acc: array<vec4f, MAX_ROWS>;
      for (var r = 0u; r < ROWS; r++) { acc[r] = vec4f(0.0); }
      // Row j of Whᵀ holds H floats = Q vec4s; units 4q … of it are vec4 q.
      var jq = s;
      for (; jq + slices < Q; jq += 2u * slices) {
        let j1 = jq + slices;
        var w: array<vec4f, 8>;
        for (var i = 0u; i < 4u; i++) {
          w[i] = whT[(4u * jq + i) * Q + q];
          w[4u + i] = whT[(4u * j1 + i) * Q + q];
        }
        for (var r = 0u; r < ROWS; r++) {
          let d0 = dgw[r * Q + jq];
          let d1 = dgw[r * Q + j1];
          acc[r] += d0.x * w[0] + d0.y * w[1] + d0.z * w[2] + d0.w * w[3] + d1.x * w[4] + d1.y * w[5] + d1.z * w[6] + d1.w * w[7];
        }
      }
      if (jq < Q) {
        var w: array<vec4f, 4>;
        for (var i = 0u; i < 4u; i++) { w[i] = whT[(4u * jq + i) * Q + q]; }
        for (var r = 0u; r < ROWS; r++) {
          let d0 = dgw[r * Q + jq];
          acc[r] += d0.x * w[0] + d0.y * w[1] + d0.z * w[2] + d0.w * w[3];
        }
      }
      for (var r = 0u; r < ROWS; r++) { part[(s * ROWS + r) * Q + q] = acc[r]; }
    }
    workgroupBarrier();
  }
}
