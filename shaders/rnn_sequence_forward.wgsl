// A whole SimpleRNN layer's recurrence in one dispatch, shaped for hardware GPUs: every timestep
// tStart … tEnd−1 of rnn_forward_step.wgsl (read that file's header for the math, the storage layout and
// the masking rules), looped inside the kernel instead of one dispatch per timestep. Batch rows are
// independent, so a workgroup owns ROWS of them for the whole sequence and needs no other workgroup:
// between timesteps it waits only on its own workgroupBarrier (as lstm_sequence_forward.wgsl).
//
// Per timestep, with the rows' h_{t−1} (⊙ the recurrent-dropout mask) in workgroup memory (hw):
//   1. sums: invocation (quad q, slice s) accumulates, for its 4 units 4q … 4q+3 of every row,
//      Σ_k h_{t−1}[r, k] · Wh[k, 4q …] over the k quads s, s + slices, … (vec4 loads of Wh: adjacent
//      invocations read adjacent columns; it stays in L2 between timesteps; two k quads, 8 loads, per
//      trip, issued together), into workgroup memory;
//   2. cell: invocation q < H/4 adds the slices, the input projection and the bias, applies the
//      activation to its 4 units of every row, stores h and writes h ⊙ rmask into hw for step 1 of t + 1.
// Two barriers per timestep. Only h is stored, in training and inference alike: the backward pass takes
// act′ from h.
//
// Requires H % 4 == 0, Wh's and b's offsets % 4 == 0, H/4 ≤ 256, ROWS·H ≤ 1024 and slices·ROWS·H/4 ≤ 1792
// (the host picks slices; SIMPLE_RNN_SEQUENCE in ops/simple-rnn.ts).
// Dispatch: (ceil(B / ROWS), 1, 1), once per layer and direction.

override ROWS: u32 = 1u; // 1, 2 or 4 (MAX_ROWS)

#include "rnn_sequence"

// useRMask: apply the recurrent-dropout mask; act: lib/rnn_cell's activation code (0 sigmoid, 1 tanh,
// 2 relu, 3 linear). Uniforms rather than overrides: one pipeline per ROWS (each whole-sequence pipeline
// takes seconds to compile on a software adapter, and the activation runs once per unit and timestep,
// beside H multiply-adds).
struct Params { B: u32, H: u32, tStart: u32, tEnd: u32, offWh: u32, offB: u32, slices: u32, useRMask: u32, act: u32 }

@group(0) @binding(0) var<storage, read> xp: array<vec4f>;          // [T, B, H]: X·Wx, without the bias
@group(0) @binding(1) var<storage, read> wh: array<vec4f>;          // [H, H] at offWh (floats)
@group(0) @binding(2) var<storage, read> mask: array<u32>;          // [T, B]
@group(0) @binding(3) var<storage, read> rmask: array<vec4f>;       // [B, H] (read only with useRMask)
@group(0) @binding(4) var<storage, read_write> hs: array<vec4f>;    // [T + 1, B, H]
@group(0) @binding(5) var<storage, read> bias: array<vec4f>;       // [H] at offB (floats)
@group(0) @binding(6) var<uniform> p: Params;

// h_{t−1} of the workgroup's rows as the recurrence sees it, 4 units per vec4: hw[r · H/4 + kq].
var<workgroup> hw: array<vec4f, 256>;
// Partial sums: part[(slice · ROWS + r) · H/4 + q], 4 units per vec4.
var<workgroup> part: array<vec4f, 1792>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let H = p.H;
  let Q = H / 4u;             // unit quads; also vec4s per h row and per row of Wh
  let slices = p.slices;
  let b0 = wg.x * ROWS;
  let q = li % Q;
  let s = li / Q;
  let summer = s < slices;    // takes part in step 1
  let owner = li < Q;         // owns quad q of every row in step 2
  let whBase = p.offWh / 4u;  // vec4 index of Wh[0, 0]
  let bq = p.offB / 4u + q;   // vec4 index of b[4q …]

  // The state at tStart: zero (only all-padding steps, which keep the zero initial state, come before
  // it; the host zeroed hs there).
  if (owner) {
    for (var r = 0u; r < ROWS; r++) {
      let b = min(b0 + r, p.B - 1u);
      hw[r * Q + q] = hs[(p.tStart * p.B + b) * Q + q] * recurrentMask(b, q);
    }
  }

  for (var t = p.tStart; t < p.tEnd; t++) {
    workgroupBarrier();
    // The input projection of this step plus the bias, loaded by the cell's owners before the sums:
    // their latency then overlaps the loop.
    var ax: array<vec4f, MAX_ROWS>;
    if (owner) {
      for (var r = 0u; r < ROWS; r++) { ax[r] = xp[(t * p.B + min(b0 + r, p.B - 1u)) * Q + q] + bias[bq]; }
    }
    // 1. Partial recurrent sums, two k quads (8 loads of Wh) per trip.
    if (summer) {
      // Zeroed explicitly at every timestep: a declaration inside a loop is not re-initialised by every driver.
      var acc: array<vec4f, MAX_ROWS>;
      for (var r = 0u; r < ROWS; r++) { acc[r] = vec4f(0.0); }
      var kq = s;
      for (; kq + slices < Q; kq += 2u * slices) {
        let k1 = kq + slices;
        // Row k of Wh holds H floats = Q vec4s; units 4q … of it are vec4 q.
        var w: array<vec4f, 8>;
        for (var i = 0u; i < 4u; i++) {
          w[i] = wh[whBase + (4u * kq + i) * Q + q];
          w[4u + i] = wh[whBase + (4u * k1 + i) * Q + q];
        }
        for (var r = 0u; r < ROWS; r++) {
          let h0 = hw[r * Q + kq];
          let h1 = hw[r * Q + k1];
          acc[r] += h0.x * w[0] + h0.y * w[1] + h0.z * w[2] + h0.w * w[3] + h1.x * w[4] + h1.y * w[5] + h1.z * w[6] + h1.w * w[7];
        }
      }
      if (kq < Q) {
        var w: array<vec4f, 4>;
        for (var i = 0u; i < 4u; i++) { w[i] = wh[whBase + (4u * kq + i) * Q + q]; }
        for (var r = 0u; r < ROWS; r++) {
          let h0 = hw[r * Q + kq];
          acc[r] += h0.x * w[0] + h0.y * w[1] + h0.z * w[2] + h0.w * w[3];
        }
      }
      for (var r = 0u; r < ROWS; r++) { part[(s * ROWS + r) * Q + q] = acc[r]; }
    }
    workgroupBarrier();
    // 2. The activation of quad q of every row.
    if (owner) {
      for (var r = 0u; r < ROWS; r++) {
        let b = b0 + r;
        if (b >= p.B) { break; }
        let prev = (t * p.B + b) * Q + q;
        let next = prev + p.B * Q;
        if (mask[t * p.B + b] == 0u) {
          hs[next] = hs[prev]; // hw keeps h_{t−1} ⊙ rmask
          continue;
        }
        var a = ax[r];
        for (var sl = 0u; sl < slices; sl++) { a += part[(sl * ROWS + r) * Q + q]; }
        let h = rnnActivate(p.act, a);
        hs[next] = h;
        hw[r * Q + q] = h * recurrentMask(b, q);
      }
    }
  }
}
