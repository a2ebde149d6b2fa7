// The body of the whole-sequence LSTM forward (read lstm_sequence_forward.wgsl's header), shared by the
// kernels that differ only in how Wh is stored: lstm_sequence_forward.wgsl (f32) and
// lstm_sequence_forward_f16.wgsl (float16). The including kernel declares the override ROWS and includes
// Wh's binding and `whAt` (lib/lstm_wh_vec4.wgsl or lib/lstm_wh_vec4_f16.wgsl).

#include "lstm_gates"

#include "lstm_sequence"

// useRMask: apply the recurrent-dropout mask; store: keep c and the activated gates for the backward
// pass (training), else h only (inference). Uniforms rather than overrides: one pipeline per ROWS
// (each takes seconds to compile on a software adapter).
struct Params { B: u32, H: u32, tStart: u32, tEnd: u32, offWh: u32, offB: u32, slices: u32, useRMask: u32, store: u32 }

@group(0) @binding(0) var<storage, read> xp: array<vec4f>;          // [T, B, 4H]: X·Wx, without the bias
@group(0) @binding(2) var<storage, read> mask: array<u32>;          // [T, B]
@group(0) @binding(3) var<storage, read> rmask: array<vec4f>;       // [B, H] (read only with useRMask)
@group(0) @binding(4) var<storage, read_write> hs: array<vec4f>;    // [T + 1, B, H]
@group(0) @binding(5) var<storage, read_write> cs: array<vec4f>;    // [T + 1, B, H]
@group(0) @binding(6) var<storage, read_write> gates: array<vec4f>; // [T, B, 4H], activated
@group(0) @binding(7) var<storage, read> bias: array<vec4f>;       // [4H] at offB (floats)
@group(0) @binding(8) var<uniform> p: Params;

// h_{t−1} of the workgroup's rows as the recurrence sees it, 4 units per vec4: hw[r · H/4 + kq].
var<workgroup> hw: array<vec4f, 256>;
// Partial sums: part[((slice · ROWS + r) · 4 + gate) · H/4 + q], 4 units per vec4.
var<workgroup> part: array<vec4f, 1792>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let H = p.H;
  let Q = H / 4u;             // unit quads; also vec4s per h row
  let slices = p.slices;
  let b0 = wg.x * ROWS;
  let q = li % Q;
  let s = li / Q;
  let summer = s < slices;    // takes part in step 1
  let owner = li < Q;         // owns quad q of every row in step 2
  let whBase = p.offWh / 4u;  // vec4 index of Wh[0, 0]

  // The state at tStart: zero (only all-padding steps, which keep the zero initial state, come before
  // it; the host zeroed hs there). c starts in registers; cs is not read, so an evaluation step
  // (p.store = 0) may bind a placeholder for it and for the gates.
  var c: array<vec4f, MAX_ROWS>;
  if (owner) {
    for (var r = 0u; r < ROWS; r++) {
      let b = min(b0 + r, p.B - 1u);
      c[r] = vec4f(0.0);
      hw[r * Q + q] = hs[(p.tStart * p.B + b) * Q + q] * recurrentMask(b, q);
    }
  }

  for (var t = p.tStart; t < p.tEnd; t++) {
    workgroupBarrier();
    // The input projection of this step plus the bias (added here rather than by a pass over all of
    // Xp), loaded by the cell's owners before the sums: their latency then overlaps the loop.
    var zx: array<vec4f, 4u * MAX_ROWS>;
    if (owner) {
      for (var r = 0u; r < ROWS; r++) {
        let g0 = (t * p.B + min(b0 + r, p.B - 1u)) * H + q;
        for (var g = 0u; g < 4u; g++) { zx[4u * r + g] = xp[g0 + g * Q] + bias[p.offB / 4u + g * Q + q]; }
      }
    }
    // 1. Partial recurrent sums, 4 values of k per trip (their 16 loads of Wh issued together).
    if (summer) {
      // Zeroed explicitly at every timestep: a declaration inside a loop is not re-initialised by every driver.
      var acc: array<vec4f, 4u * MAX_ROWS>;
      for (var i = 0u; i < 4u * ROWS; i++) { acc[i] = vec4f(0.0); }
      for (var kq = s; kq < Q; kq += slices) {
        // Row k of Wh holds 4H floats = H vec4s; gate g of units 4q … starts at vec4 g·Q + q.
        let w0 = whBase + 4u * kq * H + q;
        var w: array<vec4f, 16>; // [k offset · 4 + gate]
        for (var i = 0u; i < 4u; i++) {
          for (var g = 0u; g < 4u; g++) { w[4u * i + g] = whAt(w0 + i * H + g * Q); }
        }
        for (var r = 0u; r < ROWS; r++) {
          let h = hw[r * Q + kq];
          for (var g = 0u; g < 4u; g++) {
            acc[4u * r + g] += h.x * w[g] + h.y * w[4u + g] + h.z * w[8u + g] + h.w * w[12u + g];
          }
        }
      }
      for (var i = 0u; i < 4u * ROWS; i++) { part[(s * ROWS * 4u + i) * Q + q] = acc[i]; }
    }
    workgroupBarrier();
    // 2. The cell update of quad q of every row.
    if (owner) {
      for (var r = 0u; r < ROWS; r++) {
        let b = b0 + r;
        if (b >= p.B) { break; }
        let prev = (t * p.B + b) * Q + q;
        let next = ((t + 1u) * p.B + b) * Q + q;
        let g0 = (t * p.B + b) * H + q; // vec4 index of gate 0, units 4q …, in xp and gates
        if (mask[t * p.B + b] == 0u) {
          hs[next] = hs[prev];
          if (p.store != 0u) {
            cs[next] = c[r];
            for (var g = 0u; g < 4u; g++) { gates[g0 + g * Q] = vec4f(0.0); }
          }
          continue;
        }
        var z = array<vec4f, 4>(zx[4u * r], zx[4u * r + 1u], zx[4u * r + 2u], zx[4u * r + 3u]);
        for (var sl = 0u; sl < slices; sl++) {
          for (var g = 0u; g < 4u; g++) { z[g] += part[((sl * ROWS + r) * 4u + g) * Q + q]; }
        }
        let st = cellStep(z[GATE_I], z[GATE_F], z[GATE_C], z[GATE_O], c[r]);
        c[r] = st.c;
        hs[next] = st.h;
        hw[r * Q + q] = st.h * recurrentMask(b, q);
        if (p.store != 0u) {
          cs[next] = st.c;
          gates[g0 + GATE_I * Q] = st.i;
          gates[g0 + GATE_F * Q] = st.f;
          gates[g0 + GATE_C * Q] = st.g;
          gates[g0 + GATE_O * Q] = st.o;
        }
      }
    }
  }
}
