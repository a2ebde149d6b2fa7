// The interface of the reset-before GRU's per-timestep forward kernels on one unit per value, and their
// per-(row, unit) ends: shared by gru_rb_forward_gates(_wide).wgsl (phase A: z, r, rh) and
// gru_rb_forward_candidate(_wide).wgsl (phase B: h̃, h). Both phases bind the same buffers, so one host
// call shape serves both. The including kernel declares the override USE_RECURRENT_MASK.
//
// Storage is time-major with a leading initial-state slot: hs[s, b, :] = h_{s−1}, so hs[t] is h_{t−1}
// and hs[t + 1] receives h_t. Masking (Keras mask_zero): where mask[t, b] = 0 the row carries h through
// unchanged and stores zero activations and rh (finite values for the backward's GEMMs to multiply by
// its zero gradients).

alias Cell = f32;
#include "gru_rb_cell"

// kEnd: how many rows of Wh the recurrent sums run over: H, or 0 at the first processed timestep, where
// h_{t−1} is the zero initial state (no multiply-adds by zero).
struct Params { B: u32, H: u32, t: u32, offWh: u32, kEnd: u32 }

@group(0) @binding(0) var<storage, read> xp: array<f32>;          // [T, B, 3H]: X·Wx + b
@group(0) @binding(1) var<storage, read> wh: array<f32>;          // [H, 3H] at offWh
@group(0) @binding(2) var<storage, read> mask: array<u32>;        // [T, B]
@group(0) @binding(3) var<storage, read> rmask: array<f32>;       // [B, H]
@group(0) @binding(4) var<storage, read_write> hs: array<f32>;    // [T + 1, B, H]
@group(0) @binding(5) var<storage, read_write> gates: array<f32>; // [T, B, 3H]: z, r, h̃
@group(0) @binding(6) var<storage, read_write> rh: array<f32>;    // [T, B, H]: r ⊙ h̄
@group(0) @binding(7) var<uniform> p: Params;
// With USE_RECURRENT_MASK: h̄ = h ⊙ rmask beside h, [T + 1, B, H], written with h at every step so that
// the recurrent sums read it without a multiply (and dWh's H̄_prev is this buffer); else unused.
@group(0) @binding(8) var<storage, read_write> hm: array<f32>;

// h̄_{t−1}[b, k]: h_{t−1} as the recurrence sees it (times the recurrent-dropout mask when there is one).
fn hBar(b: u32, k: u32) -> f32 {
  if (USE_RECURRENT_MASK) { return hm[(p.t * p.B + b) * p.H + k]; }
  return hs[(p.t * p.B + b) * p.H + k];
}

// rh_t[b, k], written by phase A.
fn rhAt(b: u32, k: u32) -> f32 {
  return rh[(p.t * p.B + b) * p.H + k];
}

// Phase A's end for row b, unit j, given az = Xp_z + h̄·Wh_z and ar = Xp_r + h̄·Wh_r: resetGates
// (gru_rb_cell), storing z, r and rh.
fn gatesForward(b: u32, j: u32, az: f32, ar: f32) {
  let H = p.H;
  let g = (p.t * p.B + b) * 3u * H + j;
  let u = (p.t * p.B + b) * H + j;
  if (mask[p.t * p.B + b] == 0u) {
    gates[g + GATE_Z * H] = 0.0;
    gates[g + GATE_R * H] = 0.0;
    rh[u] = 0.0;
    return;
  }
  let s = resetGates(az, ar, hBar(b, j));
  gates[g + GATE_Z * H] = s.z;
  gates[g + GATE_R * H] = s.r;
  rh[u] = s.rh;
}

// Phase B's end for row b, unit j, given ah = Xp_h + rh·Wh_h: candidateStep (gru_rb_cell), storing h̃,
// h_t and, with recurrent dropout, h_t ⊙ rmask. A padding row copies h (and h ⊙ rmask) through.
fn candidateForward(b: u32, j: u32, ah: f32) {
  let H = p.H;
  let prev = (p.t * p.B + b) * H + j;
  let next = ((p.t + 1u) * p.B + b) * H + j;
  let g = (p.t * p.B + b) * 3u * H + j;
  if (mask[p.t * p.B + b] == 0u) {
    hs[next] = hs[prev];
    if (USE_RECURRENT_MASK) { hm[next] = hm[prev]; }
    gates[g + GATE_H * H] = 0.0;
    return;
  }
  let s = candidateStep(ah, gates[g + GATE_Z * H], hs[prev]);
  gates[g + GATE_H * H] = s.hh;
  hs[next] = s.h;
  if (USE_RECURRENT_MASK) { hm[next] = s.h * rmask[b * H + j]; }
}
