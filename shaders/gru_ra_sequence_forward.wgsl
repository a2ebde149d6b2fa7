// A whole reset-after GRU layer's recurrence in one dispatch, shaped for hardware GPUs: every timestep
// tStart … tEnd−1 of gru_ra_forward_step.wgsl (read that file's header for the math, the gate order
// z, r, h̃, the storage layouts and the masking rules), looped inside the kernel instead of one dispatch
// per timestep. Batch rows are independent, so a workgroup owns ROWS of them for the whole sequence and
// needs no other workgroup: between timesteps it waits only on its own workgroupBarrier (the layout of
// lstm_sequence_forward.wgsl, with 3 gate blocks instead of 4).
//
// Per timestep, with the rows' h̄_{t−1} = h_{t−1} ⊙ rmask in workgroup memory (hw):
//   1. sums: invocation (quad q, slice s) accumulates, for its 4 units 4q … 4q+3 and all 3 gates of every
//      row, Σ_k h̄_{t−1}[r, k] · Wh[k, g·H + 4q …] over the k quads s, s + slices, … (vec4 loads of Wh:
//      adjacent invocations read adjacent columns; 12 loads per trip, issued together), into workgroup
//      memory;
//   2. cell: invocation q < H/4 adds the slices and b_h (the recurrent sums hp), the input projection
//      and b_x, updates its 4 units of every row (h_{t−1} for the carry stays in its registers for the
//      whole sequence), stores h (and, when p.store, z, r, h̃ and hp_h for the backward pass) and writes
//      h_t ⊙ rmask into hw for step 1 of t + 1.
// Two barriers per timestep; one invocation per unit quad owns the state, so no step ever needs another
// workgroup's data.
//
// Requires H % 4 == 0, Wh's and b's offsets % 4 == 0, H/4 ≤ 256, ROWS·H ≤ 1024 and
// slices·ROWS·3H/4 ≤ 1792 (the host picks slices; GRU_RESET_AFTER_SEQUENCE in ops/gru-reset-after.ts).
// Workgroup memory: 2048 vec4s = 32 KiB.
// Dispatch: (ceil(B / ROWS), 1, 1), once per layer and direction.

override ROWS: u32 = 1u; // 1, 2 or 4 (MAX_ROWS)

#include "gru_ra_sequence"

// useRMask: apply the recurrent-dropout mask; store: keep the gates for the backward pass (training),
// else h only (inference). Uniforms rather than overrides: one pipeline per ROWS.
struct Params { B: u32, H: u32, tStart: u32, tEnd: u32, offWh: u32, offB: u32, slices: u32, useRMask: u32, store: u32 }

@group(0) @binding(0) var<storage, read> xp: array<vec4f>;          // [T, B, 3H]: X·Wx, without the bias
@group(0) @binding(1) var<storage, read> wh: array<vec4f>;          // [H, 3H] at offWh (floats)
@group(0) @binding(2) var<storage, read> mask: array<u32>;          // [T, B]
@group(0) @binding(3) var<storage, read> rmask: array<vec4f>;       // [B, H] (read only with useRMask)
@group(0) @binding(4) var<storage, read_write> hs: array<vec4f>;    // [T + 1, B, H]
@group(0) @binding(5) var<storage, read_write> gates: array<vec4f>; // [T, B, 4H]: z, r, h̃, hp_h
@group(0) @binding(6) var<storage, read> bias: array<vec4f>;        // [2·3H] at offB (floats): b_x, b_h
@group(0) @binding(7) var<uniform> p: Params;

// h̄_{t−1} of the workgroup's rows, 4 units per vec4: hw[r · H/4 + kq].
var<workgroup> hw: array<vec4f, 256>;
// Partial sums: part[((slice · ROWS + r) · 3 + gate) · H/4 + q], 4 units per vec4.
var<workgroup> part: array<vec4f, 1792>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let H = p.H;
  let Q = H / 4u;             // unit quads; also vec4s per h row and per gate block
  let G4 = 3u * Q;            // vec4s per row of a [*, 3H] matrix
  let slices = p.slices;
  let b0 = wg.x * ROWS;
  let q = li % Q;
  let s = li / Q;
  let summer = s < slices;    // takes part in step 1
  let owner = li < Q;         // owns quad q of every row in step 2
  let whBase = p.offWh / 4u;  // vec4 index of Wh[0, 0]
  let bx = p.offB / 4u;       // vec4 index of b_x; b_h follows at bx + G4

  // The state at tStart: zero (only all-padding steps, which keep the zero initial state, come before
  // it; the host zeroed hs there). The undropped h stays in registers for the carry; gates is written
  // only when p.store, so an evaluation step may bind a placeholder for it.
  var h: array<vec4f, MAX_ROWS>;
  var hpBias: array<vec4f, 3>;
  if (owner) {
    for (var g = 0u; g < 3u; g++) { hpBias[g] = bias[bx + G4 + g * Q + q]; }
    for (var r = 0u; r < ROWS; r++) {
      let b = min(b0 + r, p.B - 1u);
      h[r] = hs[(p.tStart * p.B + b) * Q + q];
      hw[r * Q + q] = h[r] * recurrentMask(b, q);
    }
  }

  for (var t = p.tStart; t < p.tEnd; t++) {
    workgroupBarrier();
    // The input projection of this step plus b_x (added here rather than by a pass over all of Xp),
    // loaded by the cell's owners before the sums: their latency then overlaps the loop.
    var zx: array<vec4f, 3u * MAX_ROWS>;
    if (owner) {
      for (var r = 0u; r < ROWS; r++) {
        let g0 = (t * p.B + min(b0 + r, p.B - 1u)) * G4 + q;
        for (var g = 0u; g < 3u; g++) { zx[3u * r + g] = xp[g0 + g * Q] + bias[bx + g * Q + q]; }
      }
    }
    // 1. Partial recurrent sums, 4 values of k per trip (their 12 loads of Wh issued together).
    if (summer) {
      // Zeroed explicitly at every timestep: a declaration inside a loop is not re-initialised by every driver.
      var acc: array<vec4f, 3u * MAX_ROWS>;
      for (var i = 0u; i < 3u * ROWS; i++) { acc[i] = vec4f(0.0); }
      for (var kq = s; kq < Q; kq += slices) {
        // Row k of Wh holds 3H floats = G4 vec4s; gate g of units 4q … starts at vec4 g·Q + q.
        let w0 = whBase + 4u * kq * G4 + q;
        var w: array<vec4f, 12>; // [k offset · 3 + gate]
        for (var i = 0u; i < 4u; i++) {
          for (var g = 0u; g < 3u; g++) { w[3u * i + g] = wh[w0 + i * G4 + g * Q]; }
        }
        for (var r = 0u; r < ROWS; r++) {
          let hv = hw[r * Q + kq];
          for (var g = 0u; g < 3u; g++) {
            acc[3u * r + g] += hv.x * w[g] + hv.y * w[3u + g] + hv.z * w[6u + g] + hv.w * w[9u + g];
          }
        }
      }
      for (var i = 0u; i < 3u * ROWS; i++) { part[(s * ROWS * 3u + i) * Q + q] = acc[i]; }
    }
    workgroupBarrier();
    // 2. The state update of quad q of every row.
    if (owner) {
      for (var r = 0u; r < ROWS; r++) {
        let b = b0 + r;
        if (b >= p.B) { break; }
        let next = ((t + 1u) * p.B + b) * Q + q;
        let a0 = (t * p.B + b) * 4u * Q + q; // vec4 index of block 0, units 4q …, in gates
        if (mask[t * p.B + b] == 0u) {
          hs[next] = h[r];
          if (p.store != 0u) {
            for (var g = 0u; g < 4u; g++) { gates[a0 + g * Q] = vec4f(0.0); }
          }
          continue;
        }
        var hp = hpBias;
        for (var sl = 0u; sl < slices; sl++) {
          for (var g = 0u; g < 3u; g++) { hp[g] += part[((sl * ROWS + r) * 3u + g) * Q + q]; }
        }
        let st = gruStep(zx[3u * r + GATE_Z], zx[3u * r + GATE_R], zx[3u * r + GATE_H], hp[GATE_Z], hp[GATE_R], hp[GATE_H], h[r]);
        h[r] = st.h;
        hs[next] = st.h;
        hw[r * Q + q] = st.h * recurrentMask(b, q);
        if (p.store != 0u) {
          gates[a0 + GATE_Z * Q] = st.z;
          gates[a0 + GATE_R * Q] = st.r;
          gates[a0 + GATE_H * Q] = st.hh;
          gates[a0 + SLOT_HREC * Q] = hp[GATE_H];
        }
      }
    }
  }
}
