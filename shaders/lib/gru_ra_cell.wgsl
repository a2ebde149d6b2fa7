// The reset-after GRU cell's arithmetic (Keras's default GRU, cuDNN's), written once for every
// gru_ra_* kernel: on one unit per value (the scalar and wide kernels) or four units per value (the vec4
// and whole-sequence kernels). The including file first declares `alias Cell = f32;` or
// `alias Cell = vec4f;`.
//
// Gate order (Keras's): z, r, h̃. Gate g of unit j is column g·H + j of Wx [in, 3H], Wh [H, 3H], of each
// half of the bias [2·3H] (b_x, then b_h), of Xp [T, B, 3H] and of the gradients dGx, dGh [T, B, 3H].
// The stored activations [T, B, 4H] hold z, r, h̃ and, in a fourth block, the candidate's recurrent sum
// hp_h = (h_{t−1} ⊙ rmask)·Wh_h + b_h,h, which the backward pass needs for dr.

#include "cell_activations"

const GATE_Z: u32 = 0u;
const GATE_R: u32 = 1u;
const GATE_H: u32 = 2u;
const SLOT_HREC: u32 = 3u; // the fourth block of the stored activations: hp_h

// The activated gates and the new state.
struct GruState { z: Cell, r: Cell, hh: Cell, h: Cell }

// Forward, from the input sums x_g = (x·Wx + b_x)_g, the recurrent sums hp_g = (h_{t−1} ⊙ rmask)·Wh_g + b_h,g
// and the undropped h_{t−1} (Keras's carry sees the state without recurrent dropout):
//   z = σ(x_z + hp_z)   r = σ(x_r + hp_r)   h̃ = tanh(x_h + r ⊙ hp_h)   h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃
fn gruStep(xz: Cell, xr: Cell, xh: Cell, hpz: Cell, hpr: Cell, hph: Cell, hPrev: Cell) -> GruState {
  let z = sigmoid(xz + hpz);
  let r = sigmoid(xr + hpr);
  let hh = tanhStable(xh + r * hph);
  return GruState(z, r, hh, z * hPrev + (1.0 - z) * hh);
}

// The gradients of one step: of the input sums (dGx = z, r, xh), of the recurrent sums (dGh = z, r, hh:
// the z and r columns equal dGx's), and the part of dh_{t−1} that flows through the carry.
struct GruGrads { z: Cell, r: Cell, xh: Cell, hh: Cell, carry: Cell }

// Backward, given dh_t (everything flowing into h_t), the stored z, r, h̃, hp_h and h_{t−1}:
//   dz    = dh ⊙ (h_{t−1} − h̃)              → dGx_z = dGh_z = dz ⊙ z(1 − z)        (σ' = σ(1 − σ))
//   da_h  = dh ⊙ (1 − z) ⊙ (1 − h̃²)          → dGx_h = da_h                         (tanh' = 1 − tanh²)
//   dr    = da_h ⊙ hp_h                      → dGx_r = dGh_r = dr ⊙ r(1 − r)
//   dGh_h = da_h ⊙ r                          (∂(x_h + r ⊙ hp_h)/∂hp_h = r)
//   carry = dh ⊙ z                            (∂h_t/∂h_{t−1} through the carry; the recurrent part of
//                                              dh_{t−1}, (dGh·Whᵀ) ⊙ rmask, is the caller's sum)
fn gruGrads(dh: Cell, z: Cell, r: Cell, hh: Cell, hph: Cell, hPrev: Cell) -> GruGrads {
  let gz = dh * (hPrev - hh) * z * (1.0 - z);
  let da = dh * (1.0 - z) * (1.0 - hh * hh);
  let gr = da * hph * r * (1.0 - r);
  return GruGrads(gz, gr, da, da * r, dh * z);
}
