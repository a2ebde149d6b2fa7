// The forward reset-after GRU step's interface and its per-(row, unit) end, shared by
// gru_ra_forward_step.wgsl and gru_ra_forward_step_wide.wgsl (layouts and math in
// gru_ra_forward_step.wgsl's header). The including kernel declares the override USE_RECURRENT_MASK
// before this.

alias Cell = f32;
#include "gru_ra_cell"

// kEnd: how many rows of Wh the recurrent sums run over: H, or 0 at the first processed timestep, where
// h_{t−1} is the zero initial state (the sums are then b_h alone). offBh: where b_h starts in `bias`.
struct Params { B: u32, H: u32, t: u32, offWh: u32, offBh: u32, kEnd: u32 }

@group(0) @binding(0) var<storage, read> xp: array<f32>;          // [T, B, 3H]: X·Wx + b_x
@group(0) @binding(1) var<storage, read> wh: array<f32>;          // [H, 3H] at offWh
@group(0) @binding(2) var<storage, read> mask: array<u32>;        // [T, B]
@group(0) @binding(3) var<storage, read> rmask: array<f32>;       // [B, H]
@group(0) @binding(4) var<storage, read_write> hs: array<f32>;    // [T + 1, B, H]
@group(0) @binding(5) var<storage, read_write> gates: array<f32>; // [T, B, 4H]: z, r, h̃, hp_h
// With USE_RECURRENT_MASK: h ⊙ rmask beside h, [T + 1, B, H], written with h at every step so that the
// recurrent sums read it without a multiply (and dWh's H_prev is this buffer); else unused.
@group(0) @binding(6) var<storage, read_write> hm: array<f32>;
@group(0) @binding(7) var<storage, read> bias: array<f32>;        // [2·3H]: b_x, b_h (b_h at offBh)
@group(0) @binding(8) var<uniform> p: Params;

// h_{t−1}[b, k] as the recurrent sums see it: times the recurrent-dropout mask when there is one.
fn hPrev(b: u32, k: u32) -> f32 {
  if (USE_RECURRENT_MASK) { return hm[(p.t * p.B + b) * p.H + k]; }
  return hs[(p.t * p.B + b) * p.H + k];
}

// b_h for unit j's three gates: where each recurrent sum starts.
fn recurrentBias(j: u32) -> vec3f {
  return vec3f(bias[p.offBh + GATE_Z * p.H + j], bias[p.offBh + GATE_R * p.H + j], bias[p.offBh + GATE_H * p.H + j]);
}

// Row b, unit j, given its recurrent sums hp = (hp_z, hp_r, hp_h) (b_h included): gruStep's update
// (gru_ra_cell) with z, r, h̃ and hp_h stored for the backward pass. A padding row (mask 0) carries h
// through unchanged and stores zeros.
fn cellForward(b: u32, j: u32, hp: vec3f) {
  let H = p.H;
  let prev = (p.t * p.B + b) * H + j;
  let next = ((p.t + 1u) * p.B + b) * H + j;
  let gBase = (p.t * p.B + b) * 4u * H + j;
  if (mask[p.t * p.B + b] == 0u) {
    hs[next] = hs[prev];
    if (USE_RECURRENT_MASK) { hm[next] = hm[prev]; }
    for (var g = 0u; g < 4u; g++) { gates[gBase + g * H] = 0.0; }
    return;
  }
  let xBase = (p.t * p.B + b) * 3u * H + j;
  let s = gruStep(xp[xBase + GATE_Z * H], xp[xBase + GATE_R * H], xp[xBase + GATE_H * H], hp.x, hp.y, hp.z, hs[prev]);
  hs[next] = s.h;
  if (USE_RECURRENT_MASK) { hm[next] = s.h * rmask[b * H + j]; }
  gates[gBase + GATE_Z * H] = s.z;
  gates[gBase + GATE_R * H] = s.r;
  gates[gBase + GATE_H * H] = s.hh;
  gates[gBase + SLOT_HREC * H] = hp.z;
}
