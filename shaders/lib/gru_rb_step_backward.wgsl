// The interface of the reset-before GRU's per-timestep backward kernels on one unit per value, and their
// per-(row, unit) ends: shared by gru_rb_backward_state(_wide).wgsl (phase 1: dh_t, dGz, da_h) and
// gru_rb_backward_reset(_wide).wgsl (phase 2: d(rh), dGr). Both bind the same buffers. The including
// kernel declares the override USE_RECURRENT_MASK.
//
// Going back from t + 1 to t, dh_t has four parts:
//   dh_t = dHs[t + 1]                                          (from the layer's outputs)
//        + dh_{t+1} ⊙ z_{t+1}                                  (the carry z ⊙ h_t)
//        + d(rh)_{t+1} ⊙ r_{t+1} ⊙ rmask                       (rh = r ⊙ h̄ enters the candidate's sum)
//        + rmask ⊙ Σ_{n < 2H} dG_{t+1}[b, n] · Wh[k, n]        (the z and r sums over h̄)
// The second and third are written into dhCarry [B, H] by the two phases of step t + 1 (phase 1 sets it
// to dh ⊙ z, phase 2 adds d(rh) ⊙ r ⊙ rmask), so that phase 1 of step t adds dHs, dhCarry and its own
// sum. A row that was padding at t + 1 stored dG = 0 there and left dh_{t+1} itself in dhCarry (h was
// copied through), so the same formula holds for it. dhCarry starts zeroed (nothing after tEnd − 1).

alias Cell = f32;
#include "gru_rb_cell"

struct Params { B: u32, H: u32, t: u32, tStart: u32, tEnd: u32, offWh: u32 }

@group(0) @binding(0) var<storage, read> wh: array<f32>;            // [H, 3H] at offWh
@group(0) @binding(1) var<storage, read> mask: array<u32>;          // [T, B]
@group(0) @binding(2) var<storage, read> rmask: array<f32>;         // [B, H]
@group(0) @binding(3) var<storage, read> gates: array<f32>;         // [T, B, 3H]: z, r, h̃
@group(0) @binding(4) var<storage, read> hs: array<f32>;            // [T + 1, B, H]
@group(0) @binding(5) var<storage, read> dHs: array<f32>;           // [T + 1, B, H]
@group(0) @binding(6) var<storage, read_write> dG: array<f32>;      // [T, B, 3H]: dGz, dGr, da_h
@group(0) @binding(7) var<storage, read_write> dhCarry: array<f32>; // [B, H]
@group(0) @binding(8) var<uniform> p: Params;

fn maskOf(b: u32, k: u32) -> f32 {
  if (USE_RECURRENT_MASK) { return rmask[b * p.H + k]; }
  return 1.0;
}

// Phase 1's end for row b, unit k at step p.t, given recSum = Σ_{n < 2H} dG_{t+1}[b, n] · Wh[k, n]
// (ignored when there is no step t + 1): dh_t as in the header, then stateGrads (gru_rb_cell) gives
// dGz and da_h (stored) and dhCarry ← dh ⊙ z. A padding row stores zeros and passes dh on in dhCarry.
fn stateBackward(b: u32, k: u32, recSum: f32) {
  let H = p.H;
  let bk = b * H + k;
  var dh = dHs[(p.t + 1u) * p.B * H + bk] + dhCarry[bk];
  if (p.t + 1u < p.tEnd) { dh += recSum * maskOf(b, k); }
  let g = (p.t * p.B + b) * 3u * H + k;
  if (mask[p.t * p.B + b] == 0u) {
    dG[g + GATE_Z * H] = 0.0;
    dG[g + GATE_H * H] = 0.0;
    dhCarry[bk] = dh;
    return;
  }
  let d = stateGrads(dh, gates[g + GATE_Z * H], gates[g + GATE_H * H], hs[p.t * p.B * H + bk]);
  dG[g + GATE_Z * H] = d.gz;
  dG[g + GATE_H * H] = d.ah;
  dhCarry[bk] = d.carry;
}

// Phase 2's end for row b, unit k at step p.t, given drh = Σ_j da_h[b, j] · Wh[k, 2H + j]: resetGrads
// (gru_rb_cell) gives dGr (stored) and the reset path's share of dh_{t−1}, added into dhCarry. A
// padding row stores dGr = 0 and leaves dhCarry as phase 1 set it.
fn resetBackward(b: u32, k: u32, drh: f32) {
  let H = p.H;
  let bk = b * H + k;
  let g = (p.t * p.B + b) * 3u * H + k;
  if (mask[p.t * p.B + b] == 0u) {
    dG[g + GATE_R * H] = 0.0;
    return;
  }
  let m = maskOf(b, k);
  let d = resetGrads(drh, gates[g + GATE_R * H], hs[p.t * p.B * H + bk] * m, m);
  dG[g + GATE_R * H] = d.gr;
  dhCarry[bk] += d.carry;
}
