// One reset-after GRU timestep of backpropagation through time, fused: the recurrent gradient + the
// gate gradients.
//
// Runs for t = tEnd−1 down to tStart. Gate order z, r, h̃ (see gru_ra_forward_step.wgsl). For row b and
// unit k, with the stored z, r, h̃, hp_h at t and h_{t−1}:
//
//   dh_t   = dHs[t + 1, b, k]                                    (from the layer's outputs)
//          + dhCarry[b, k]                                       (what step t + 1 passed through its carry)
//          + rmask[b, k] · Σ_n dGh_{t+1}[b, n] · Wh[k, n]       (recurrent path; dGh_{t+1} is zero for a
//                                                                  row that was padding at t + 1)
//   dz     = dh_t ⊙ (h_{t−1} − h̃)          dGx_z = dGh_z = dz · z(1 − z)
//   da_h   = dh_t ⊙ (1 − z)(1 − h̃²)         dGx_h = da_h      dGh_h = da_h · r
//   dr     = da_h ⊙ hp_h                    dGx_r = dGh_r = dr · r(1 − r)
//   dhCarry ← dh_t · z                      (∂h_t/∂h_{t−1} through the carry z ⊙ h_{t−1})
//
// dGx is the gradient of X·Wx + b_x, dGh that of the recurrent sums h̄·Wh + b_h. Where row b is padding
// at t, h was copied through: dGx_t = dGh_t = 0, dhCarry ← dh_t. Both are stored for every t; after the
// loop the weight gradients are big GEMMs (dWh = H̄_prevᵀ·dGh, dWx = Xᵀ·dGx, db_x = Σ dGx,
// db_h = Σ dGh, dX = dGx·Wxᵀ), never per step.
//
// Thread mapping: invocation (gid.x = unit k, gid.y = group of 4 batch rows); the Σ_n loop reads row k of
// Wh once for 4 batch rows.
// Dispatch: (ceil(H / 64), ceil(B / 4), 1), once per timestep that is not all padding, with dhCarry
// zeroed before the first.

override USE_RECURRENT_MASK: bool = false;

// Bindings (wh, mask, rmask, gates, hs, dHs, dGx, dGh, dhCarry; uniform p) and cellBackward:
#include "gru_ra_step_backward"

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let k = gid.x;
  let b0 = gid.y * 4u;
  if (k >= p.H || b0 >= p.B) { return; }
  let H = p.H;
  let G = 3u * H;
  let b1 = min(b0 + 1u, p.B - 1u);
  let b2 = min(b0 + 2u, p.B - 1u);
  let b3 = min(b0 + 3u, p.B - 1u);

  var rec = vec4f(0.0);
  if (p.t + 1u < p.tEnd) {
    let nBase = (p.t + 1u) * p.B;
    let d0 = (nBase + b0) * G;
    let d1 = (nBase + b1) * G;
    let d2 = (nBase + b2) * G;
    let d3 = (nBase + b3) * G;
    let wBase = p.offWh + k * G;
    for (var n = 0u; n < G; n++) {
      let w = wh[wBase + n];
      rec += w * vec4f(dGh[d0 + n], dGh[d1 + n], dGh[d2 + n], dGh[d3 + n]);
    }
  }

  for (var r = 0u; r < 4u; r++) {
    let b = b0 + r;
    if (b >= p.B) { break; }
    cellBackward(b, k, rec[r]);
  }
}
