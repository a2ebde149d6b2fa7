// A whole reset-before GRU layer's recurrence in one dispatch, shaped for hardware GPUs: every timestep
// tStart … tEnd−1 of gru_rb_forward_gates.wgsl then gru_rb_forward_candidate.wgsl (read their headers
// for the math; gate order z, r, h̃; layouts and masking in shaders/lib/gru_rb_step_forward.wgsl), looped
// inside the kernel instead of two dispatches per timestep. Batch rows are independent, so a workgroup
// owns ROWS of them for the whole sequence and synchronises only with itself (as
// lstm_sequence_forward.wgsl).
//
// Per timestep, with the rows' h̄ = h_{t−1} ⊙ rmask in workgroup memory (hw):
//   A1. sums: invocation (quad q, slice s) accumulates, for units 4q … 4q+3 of the z and r gates of every
//       row, Σ_k h̄[r, k] · Wh[k, g·H + 4q …] over the k quads s, s + slices, … into workgroup memory;
//   A2. gates: invocation q < H/4 adds the slices and Xp + b, forms z, r (z stays in its registers) and
//       rh = r ⊙ h̄, which replaces h̄ in hw (every sum over h̄ is done);
//   B1. sums: the same split over Σ_k rh[r, k] · Wh[k, 2H + 4q …];
//   B2. state: invocation q adds them, forms h̃ and h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃ (h_{t−1} stays in
//       its registers for the whole sequence), stores h (and, when p.store, z, r, h̃ and rh for the
//       backward pass) and writes h_t ⊙ rmask into hw for A1 of t + 1.
// Four barriers per timestep; a padding row keeps its h (and puts h̄ back into hw).
//
// Requires H % 4 == 0, Wh's and b's offsets % 4 == 0, H/4 ≤ 256, ROWS·H ≤ 1024 and slices·ROWS·H/2 ≤
// 1792 (vec4s of part; the host picks slices: src/ops/gru-reset-before.ts).
// Dispatch: (ceil(B / ROWS), 1, 1), once per layer and direction.

override ROWS: u32 = 1u; // 1, 2 or 4 (MAX_ROWS)

#include "gru_rb_sequence"

// useRMask: apply the recurrent-dropout mask; store: keep the activations and rh for the backward pass
// (training), else h only (inference). Uniforms rather than overrides: one pipeline per ROWS.
struct Params { B: u32, H: u32, tStart: u32, tEnd: u32, offWh: u32, offB: u32, slices: u32, useRMask: u32, store: u32 }

@group(0) @binding(0) var<storage, read> xp: array<vec4f>;          // [T, B, 3H]: X·Wx, without the bias
@group(0) @binding(1) var<storage, read> wh: array<vec4f>;          // [H, 3H] at offWh (floats)
@group(0) @binding(2) var<storage, read> mask: array<u32>;          // [T, B]
@group(0) @binding(3) var<storage, read> rmask: array<vec4f>;       // [B, H] (read only with useRMask)
@group(0) @binding(4) var<storage, read_write> hs: array<vec4f>;    // [T + 1, B, H]
@group(0) @binding(5) var<storage, read_write> gates: array<vec4f>; // [T, B, 3H]: z, r, h̃ (written only with store)
@group(0) @binding(6) var<storage, read_write> rh: array<vec4f>;    // [T, B, H] (written only with store)
@group(0) @binding(7) var<storage, read> bias: array<vec4f>;        // [3H] at offB (floats)
@group(0) @binding(8) var<uniform> p: Params;

// h̄ of the workgroup's rows (A1), then rh (B1), 4 units per vec4: hw[r · H/4 + kq].
var<workgroup> hw: array<vec4f, 256>;
// Partial sums: A: part[((slice · ROWS + r) · 2 + gate) · H/4 + q]; B: part[(slice · ROWS + r) · H/4 + q].
var<workgroup> part: array<vec4f, 1792>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let H = p.H;
  let Q = H / 4u;             // unit quads; also vec4s per h row
  let Q3 = 3u * Q;            // vec4s per row of Wh, Xp and the activations
  let slices = p.slices;
  let b0 = wg.x * ROWS;
  let q = li % Q;
  let s = li / Q;
  let summer = s < slices;    // takes part in the sums
  let owner = li < Q;         // owns quad q of every row in the gates and state steps
  let whBase = p.offWh / 4u;  // vec4 index of Wh[0, 0]
  let bBase = p.offB / 4u;

  // The state at tStart: zero (only all-padding steps, which keep the zero initial state, come before
  // it; the host zeroed hs there). h_{t−1} stays in the owners' registers.
  var h: array<vec4f, MAX_ROWS>;
  var z: array<vec4f, MAX_ROWS>;
  if (owner) {
    for (var r = 0u; r < ROWS; r++) {
      let b = min(b0 + r, p.B - 1u);
      h[r] = hs[(p.tStart * p.B + b) * Q + q];
      hw[r * Q + q] = h[r] * recurrentMask(b, q);
    }
  }

  for (var t = p.tStart; t < p.tEnd; t++) {
    workgroupBarrier();
    // The input projection of this step plus the bias (added here rather than by a pass over all of
    // Xp), loaded by the owners before the sums: their latency then overlaps the loop.
    var zx: array<vec4f, 3u * MAX_ROWS>;
    if (owner) {
      for (var r = 0u; r < ROWS; r++) {
        let g0 = (t * p.B + min(b0 + r, p.B - 1u)) * Q3 + q;
        for (var g = 0u; g < 3u; g++) { zx[3u * r + g] = xp[g0 + g * Q] + bias[bBase + g * Q + q]; }
      }
    }
    // A1. Partial sums of h̄·Wh_z and h̄·Wh_r, 4 values of k per trip (their 8 loads of Wh issued together).
    if (summer) {
      // Zeroed explicitly at every timestep: a declaration inside a loop is not re-initialised by every driver.
      var acc: array<vec4f, 2u * MAX_ROWS>;
      for (var i = 0u; i < 2u * ROWS; i++) { acc[i] = vec4f(0.0); }
      for (var kq = s; kq < Q; kq += slices) {
        // Row k of Wh holds 3H floats = 3Q vec4s; gate g of units 4q … starts at vec4 g·Q + q.
        let w0 = whBase + 4u * kq * Q3 + q;
        var w: array<vec4f, 8>; // [k offset · 2 + gate]
        for (var i = 0u; i < 4u; i++) {
          w[2u * i] = wh[w0 + i * Q3 + GATE_Z * Q];
          w[2u * i + 1u] = wh[w0 + i * Q3 + GATE_R * Q];
        }
        for (var r = 0u; r < ROWS; r++) {
          let hb = hw[r * Q + kq];
          acc[2u * r] += hb.x * w[0] + hb.y * w[2] + hb.z * w[4] + hb.w * w[6];
          acc[2u * r + 1u] += hb.x * w[1] + hb.y * w[3] + hb.z * w[5] + hb.w * w[7];
        }
      }
      for (var i = 0u; i < 2u * ROWS; i++) { part[(s * ROWS * 2u + i) * Q + q] = acc[i]; }
    }
    workgroupBarrier();
    // A2. z, r and rh of quad q of every row.
    if (owner) {
      for (var r = 0u; r < ROWS; r++) {
        let b = b0 + r;
        if (b >= p.B) { break; }
        let g0 = (t * p.B + b) * Q3 + q;  // vec4 index of gate 0, units 4q …, in the activations
        let u = (t * p.B + b) * Q + q;
        if (mask[t * p.B + b] == 0u) {
          hw[r * Q + q] = vec4f(0.0);     // the row's candidate sum is discarded
          if (p.store != 0u) {
            gates[g0 + GATE_Z * Q] = vec4f(0.0);
            gates[g0 + GATE_R * Q] = vec4f(0.0);
            rh[u] = vec4f(0.0);
          }
          continue;
        }
        var az = zx[3u * r + GATE_Z];
        var ar = zx[3u * r + GATE_R];
        for (var sl = 0u; sl < slices; sl++) {
          az += part[((sl * ROWS + r) * 2u) * Q + q];
          ar += part[((sl * ROWS + r) * 2u + 1u) * Q + q];
        }
        let st = resetGates(az, ar, hw[r * Q + q]);
        z[r] = st.z;
        hw[r * Q + q] = st.rh;
        if (p.store != 0u) {
          gates[g0 + GATE_Z * Q] = st.z;
          gates[g0 + GATE_R * Q] = st.r;
          rh[u] = st.rh;
        }
      }
    }
    workgroupBarrier();
    // B1. Partial sums of rh·Wh_h.
    if (summer) {
      var acc: array<vec4f, MAX_ROWS>;
      for (var r = 0u; r < ROWS; r++) { acc[r] = vec4f(0.0); }
      for (var kq = s; kq < Q; kq += slices) {
        let w0 = whBase + 4u * kq * Q3 + GATE_H * Q + q;
        var w: array<vec4f, 4>;
        for (var i = 0u; i < 4u; i++) { w[i] = wh[w0 + i * Q3]; }
        for (var r = 0u; r < ROWS; r++) {
          let x = hw[r * Q + kq];
          acc[r] += x.x * w[0] + x.y * w[1] + x.z * w[2] + x.w * w[3];
        }
      }
      for (var r = 0u; r < ROWS; r++) { part[(s * ROWS + r) * Q + q] = acc[r]; }
    }
    workgroupBarrier();
    // B2. h̃ and h_t of quad q of every row; h_t ⊙ rmask into hw for the next timestep.
    if (owner) {
      for (var r = 0u; r < ROWS; r++) {
        let b = b0 + r;
        if (b >= p.B) { break; }
        let next = ((t + 1u) * p.B + b) * Q + q;
        let g0 = (t * p.B + b) * Q3 + q;
        if (mask[t * p.B + b] == 0u) {
          hs[next] = h[r];
          hw[r * Q + q] = h[r] * recurrentMask(b, q);
          if (p.store != 0u) { gates[g0 + GATE_H * Q] = vec4f(0.0); }
          continue;
        }
        var ah = zx[3u * r + GATE_H];
        for (var sl = 0u; sl < slices; sl++) { ah += part[(sl * ROWS + r) * Q + q]; }
        let c = candidateStep(ah, z[r], h[r]);
        h[r] = c.h;
        hs[next] = c.h;
        hw[r * Q + q] = c.h * recurrentMask(b, q);
        if (p.store != 0u) { gates[g0 + GATE_H * Q] = c.hh; }
      }
    }
  }
}
