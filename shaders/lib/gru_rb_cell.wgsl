// The reset-before GRU cell's arithmetic (Keras's older GRU, reset_after = False; the form TF.js runs),
// written once for every gru_rb_* kernel: on one unit per value (the scalar and wide kernels) or four
// units per value (the vec4 and whole-sequence kernels). The including file first declares
// `alias Cell = f32;` or `alias Cell = vec4f;`.
//
// Gate order (Keras's): z, r, h̃. Gate g of unit j is column g·H + j of Wx [in, 3H], Wh [H, 3H], b [3H],
// of Xp [T, B, 3H], of the stored activations [T, B, 3H] (z, r, h̃) and of the gradients dG [T, B, 3H]
// (dGz, dGr and da_h: the gradients of the three pre-activations).
//
// With h̄ = h_{t−1} ⊙ rmask (recurrent dropout; Keras's carry z ⊙ h_{t−1} sees the undropped state):
//   z  = σ(x·Wx_z + b_z + h̄·Wh_z)      r = σ(x·Wx_r + b_r + h̄·Wh_r)      rh = r ⊙ h̄
//   h̃  = tanh(x·Wx_h + b_h + rh·Wh_h)   h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃
// The candidate's sum needs rh of every unit, so each timestep has two dependent phases: (A) z, r and
// rh, then (B) h̃ and h. The backward pass has two as well (see stateGrads and resetGrads).

#include "cell_activations"

const GATE_Z: u32 = 0u;
const GATE_R: u32 = 1u;
const GATE_H: u32 = 2u;

// Phase A, from the pre-activations az = (x·Wx + b)_z + h̄·Wh_z, ar likewise, and h̄ of the same unit:
//   z = σ(az)   r = σ(ar)   rh = r ⊙ h̄   (the input of the candidate's recurrent sum)
struct ResetGates { z: Cell, r: Cell, rh: Cell }

fn resetGates(az: Cell, ar: Cell, hBar: Cell) -> ResetGates {
  let r = sigmoid(ar);
  return ResetGates(sigmoid(az), r, r * hBar);
}

// Phase B, from ah = (x·Wx + b)_h + rh·Wh_h, the unit's z and the undropped h_{t−1}:
//   h̃ = tanh(ah)   h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃
struct Candidate { hh: Cell, h: Cell }

fn candidateStep(ah: Cell, z: Cell, hPrev: Cell) -> Candidate {
  let hh = tanhStable(ah);
  return Candidate(hh, z * hPrev + (1.0 - z) * hh);
}

// Backward phase 1, given dh_t (everything flowing into h_t), the stored z, h̃ and h_{t−1}:
//   dz    = dh ⊙ (h_{t−1} − h̃)       → dGz  = dz ⊙ z(1 − z)          (σ' = σ(1 − σ))
//   da_h  = dh ⊙ (1 − z) ⊙ (1 − h̃²)                                   (tanh' = 1 − tanh²)
//   carry = dh ⊙ z                    (∂h_t/∂h_{t−1} through the carry z ⊙ h_{t−1})
struct StateGrads { gz: Cell, ah: Cell, carry: Cell }

fn stateGrads(dh: Cell, z: Cell, hh: Cell, hPrev: Cell) -> StateGrads {
  return StateGrads(dh * (hPrev - hh) * z * (1.0 - z), dh * (1.0 - z) * (1.0 - hh * hh), dh * z);
}

// Backward phase 2, given d(rh) = da_h·Wh_hᵀ of the unit, its stored r, h̄ = h_{t−1} ⊙ rmask and rmask:
//   dGr   = d(rh) ⊙ h̄ ⊙ r(1 − r)     (∂rh/∂r = h̄)
//   carry = d(rh) ⊙ r ⊙ rmask         (∂rh/∂h_{t−1} = r ⊙ rmask: the reset path's share of dh_{t−1})
struct ResetGrads { gr: Cell, carry: Cell }

fn resetGrads(drh: Cell, r: Cell, hBar: Cell, rmask: Cell) -> ResetGrads {
  return ResetGrads(drh * hBar * r * (1.0 - r), drh * r * rmask);
}
