// The body of the vec4 per-timestep LSTM forward (read lstm_forward_step_vec4.wgsl's header for the thread
// mapping and lstm_forward_step.wgsl's for the math, layouts and masking), shared by the kernels that
// differ only in how Wh is stored: lstm_forward_step_vec4.wgsl (f32) and lstm_forward_step_vec4_f16.wgsl
// (float16 pairs packed in u32s). The including kernel declares the overrides USE_RECURRENT_MASK, ONE_ROW,
// WG and ROWS_PER_INVOCATION, and includes Wh's binding and `whAt` (lib/lstm_wh_vec4.wgsl or its f16 form):
// Wh's vec4 at offWh / 4 + k·H + gate·H/4 + unit group holds 4 consecutive units of one gate.

#include "lstm_gates"
alias Cell = vec4f;                // four consecutive units per value
#include "lstm_cell_math"

// kEnd: H, or 0 at the first processed timestep (h_{t−1} is then the zero initial state).
struct Params { B: u32, H: u32, t: u32, offWh: u32, kEnd: u32 }

@group(0) @binding(0) var<storage, read> xp: array<vec4f>;       // [T, B, 4H]
@group(0) @binding(2) var<storage, read> mask: array<u32>;       // [T, B]
@group(0) @binding(3) var<storage, read> rmask: array<f32>;      // [B, H]
@group(0) @binding(4) var<storage, read_write> hs: array<f32>;   // [T + 1, B, H]
@group(0) @binding(5) var<storage, read_write> cs: array<vec4f>; // [T + 1, B, H]
@group(0) @binding(6) var<storage, read_write> gates: array<vec4f>; // [T, B, 4H], activated
@group(0) @binding(7) var<uniform> p: Params;
// With USE_RECURRENT_MASK: h ⊙ rmask beside h (the recurrent sum reads it without a multiply; dWh's H_prev).
@group(0) @binding(8) var<storage, read_write> hm: array<f32>;   // [T + 1, B, H]

fn hPrev(b: u32, k: u32) -> f32 {
  if (USE_RECURRENT_MASK) { return hm[(p.t * p.B + b) * p.H + k]; }
  return hs[(p.t * p.B + b) * p.H + k];
}

@compute @workgroup_size(WG, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let H = p.H;
  let H4 = H / 4u;                 // vec4s per gate block
  let g4 = gid.x;                  // unit group: units 4·g4 … 4·g4 + 3
  let b0 = gid.y * ROWS_PER_INVOCATION;
  if (g4 >= H4 || b0 >= p.B) { return; }
  let b1 = min(b0 + 1u, p.B - 1u);
  let b2 = min(b0 + 2u, p.B - 1u);
  let b3 = min(b0 + 3u, p.B - 1u);
  let rows = vec4u(b0, b1, b2, b3);

  // Pre-activations z[row][gate] for 4 units, starting from Xp = X·Wx + b.
  var z: array<array<vec4f, 4>, 4>;
  for (var r = 0u; r < ROWS_PER_INVOCATION; r++) {
    let base = (p.t * p.B + rows[r]) * 4u * H4 + g4;
    for (var g = 0u; g < 4u; g++) { z[r][g] = xp[base + g * H4]; }
  }
  var i0 = z[0][GATE_I]; var f0 = z[0][GATE_F]; var c0 = z[0][GATE_C]; var o0 = z[0][GATE_O];
  var i1 = z[1][GATE_I]; var f1 = z[1][GATE_F]; var c1 = z[1][GATE_C]; var o1 = z[1][GATE_O];
  var i2 = z[2][GATE_I]; var f2 = z[2][GATE_F]; var c2 = z[2][GATE_C]; var o2 = z[2][GATE_O];
  var i3 = z[3][GATE_I]; var f3 = z[3][GATE_F]; var c3 = z[3][GATE_C]; var o3 = z[3][GATE_O];
  var wBase = p.offWh / 4u + g4;
  for (var k = 0u; k < p.kEnd; k++) {
    let wi = whAt(wBase + GATE_I * H4);
    let wf = whAt(wBase + GATE_F * H4);
    let wc = whAt(wBase + GATE_C * H4);
    let wo = whAt(wBase + GATE_O * H4);
    let h0 = hPrev(b0, k);
    i0 += h0 * wi; f0 += h0 * wf; c0 += h0 * wc; o0 += h0 * wo;
    if (!ONE_ROW) {
      let h1 = hPrev(b1, k);
      let h2 = hPrev(b2, k);
      let h3 = hPrev(b3, k);
      i1 += h1 * wi; f1 += h1 * wf; c1 += h1 * wc; o1 += h1 * wo;
      i2 += h2 * wi; f2 += h2 * wf; c2 += h2 * wc; o2 += h2 * wo;
      i3 += h3 * wi; f3 += h3 * wf; c3 += h3 * wc; o3 += h3 * wo;
    }
    wBase += H;                    // next row of Wh: 4H floats = H vec4s
  }
  z = array<array<vec4f, 4>, 4>(
    array<vec4f, 4>(i0, f0, c0, o0),
    array<vec4f, 4>(i1, f1, c1, o1),
    array<vec4f, 4>(i2, f2, c2, o2),
    array<vec4f, 4>(i3, f3, c3, o3),
  );

  for (var r = 0u; r < ROWS_PER_INVOCATION; r++) {
    let b = b0 + r;
    if (b >= p.B) { break; }
    let prev4 = ((p.t * p.B + b) * H) / 4u + g4;          // vec4 index into cs
    let next4 = (((p.t + 1u) * p.B + b) * H) / 4u + g4;
    let gBase = (p.t * p.B + b) * 4u * H4 + g4;
    if (mask[p.t * p.B + b] == 0u) {
      for (var u = 0u; u < 4u; u++) { hs[next4 * 4u + u] = hs[prev4 * 4u + u]; }
      if (USE_RECURRENT_MASK) { for (var u = 0u; u < 4u; u++) { hm[next4 * 4u + u] = hm[prev4 * 4u + u]; } }
      cs[next4] = cs[prev4];
      for (var g = 0u; g < 4u; g++) { gates[gBase + g * H4] = vec4f(0.0); }
      continue;
    }
    let s = cellStep(z[r][GATE_I], z[r][GATE_F], z[r][GATE_C], z[r][GATE_O], cs[prev4]);
    cs[next4] = s.c;
    for (var u = 0u; u < 4u; u++) { hs[next4 * 4u + u] = s.h[u]; }
    if (USE_RECURRENT_MASK) { for (var u = 0u; u < 4u; u++) { hm[next4 * 4u + u] = s.h[u] * rmask[b * H + 4u * g4 + u]; } }
    gates[gBase + GATE_I * H4] = s.i;
    gates[gBase + GATE_F * H4] = s.f;
    gates[gBase + GATE_C * H4] = s.g;
    gates[gBase + GATE_O * H4] = s.o;
  }
}
