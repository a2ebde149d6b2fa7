// The backward reset-after GRU step's interface and its per-(row, unit) end, shared by
// gru_ra_backward_step.wgsl and gru_ra_backward_step_wide.wgsl (layouts and derivatives in
// gru_ra_backward_step.wgsl's header). The including kernel declares the override USE_RECURRENT_MASK
// before this.

alias Cell = f32;
#include "gru_ra_cell"

struct Params { B: u32, H: u32, t: u32, tEnd: u32, offWh: u32 }

@group(0) @binding(0) var<storage, read> wh: array<f32>;          // [H, 3H] at offWh
@group(0) @binding(1) var<storage, read> mask: array<u32>;        // [T, B]
@group(0) @binding(2) var<storage, read> rmask: array<f32>;       // [B, H]
@group(0) @binding(3) var<storage, read> gates: array<f32>;       // [T, B, 4H]: z, r, h̃, hp_h
@group(0) @binding(4) var<storage, read> hs: array<f32>;          // [T + 1, B, H]
@group(0) @binding(5) var<storage, read> dHs: array<f32>;         // [T + 1, B, H]
@group(0) @binding(6) var<storage, read_write> dGx: array<f32>;   // [T, B, 3H]
@group(0) @binding(7) var<storage, read_write> dGh: array<f32>;   // [T, B, 3H]
@group(0) @binding(8) var<storage, read_write> dhCarry: array<f32>; // [B, H]
@group(0) @binding(9) var<uniform> p: Params;

// Row b, unit k at step p.t, given recSum = Σ_n dGh_{t+1}[b, n] · Wh[k, n] (ignored when there is no
// step t + 1; zero when row b was padding there, whose dGh is stored as zeros):
//   dh_t = dHs[t + 1, b, k] + dhCarry[b, k] + rmask[b, k] · recSum
// where dhCarry holds what step t + 1 passed on through the carry (dh_{t+1} ⊙ z_{t+1}, or all of dh_{t+1}
// for a padding row). gruGrads (gru_ra_cell) then gives dGx_t, dGh_t and the new dhCarry. A padding row
// at t stores dGx_t = dGh_t = 0 and passes dh_t on whole.
fn cellBackward(b: u32, k: u32, recSum: f32) {
  let H = p.H;
  let bk = b * H + k;
  var recurrent = 0.0;
  if (p.t + 1u < p.tEnd) {
    recurrent = recSum;
    if (USE_RECURRENT_MASK) { recurrent *= rmask[bk]; }
  }
  let dh = dHs[((p.t + 1u) * p.B) * H + bk] + dhCarry[bk] + recurrent;
  let xBase = (p.t * p.B + b) * 3u * H + k;
  if (mask[p.t * p.B + b] == 0u) {
    for (var g = 0u; g < 3u; g++) {
      dGx[xBase + g * H] = 0.0;
      dGh[xBase + g * H] = 0.0;
    }
    dhCarry[bk] = dh;
    return;
  }
  let aBase = (p.t * p.B + b) * 4u * H + k;
  let d = gruGrads(
    dh,
    gates[aBase + GATE_Z * H], gates[aBase + GATE_R * H], gates[aBase + GATE_H * H], gates[aBase + SLOT_HREC * H],
    hs[(p.t * p.B) * H + bk],
  );
  dGx[xBase + GATE_Z * H] = d.z;
  dGx[xBase + GATE_R * H] = d.r;
  dGx[xBase + GATE_H * H] = d.xh;
  dGh[xBase + GATE_Z * H] = d.z;
  dGh[xBase + GATE_R * H] = d.r;
  dGh[xBase + GATE_H * H] = d.hh;
  dhCarry[bk] = d.carry;
}
