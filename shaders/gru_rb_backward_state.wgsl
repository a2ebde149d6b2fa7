// Phase 1 of one reset-before GRU timestep of backpropagation through time, fused: the state gradient
// dh_t and the gradients of the update gate's and the candidate's pre-activations. Phase 2
// (gru_rb_backward_reset.wgsl, dispatched next for the same timestep) reads da_h of every unit.
//
// Runs for t = tEnd−1 down to tStart. Gate order z, r, h̃. For row b and unit k, with the stored z, h̃
// at t and h_{t−1}:
//
//   dh_t = dHs[t + 1, b, k] + dhCarry[b, k]                    (dh_{t+1} ⊙ z_{t+1} + d(rh)_{t+1} ⊙ r_{t+1} ⊙ rmask)
//        + rmask[b, k] · Σ_{n < 2H} dG_{t+1}[b, n] · Wh[k, n]  (the z and r sums over h̄, if step t + 1 ran)
//   dGz  = dh_t ⊙ (h_{t−1} − h̃) ⊙ z(1 − z)        (∂h_t/∂z = h_{t−1} − h̃, σ' = σ(1 − σ))
//   da_h = dh_t ⊙ (1 − z) ⊙ (1 − h̃²)              (∂h_t/∂h̃ = 1 − z, tanh' = 1 − tanh²)
//   dhCarry ← dh_t ⊙ z                             (∂h_t/∂h_{t−1} through the carry)
//
// (shaders/lib/gru_rb_step_backward.wgsl derives the carries and the masking rules.) dG_t is stored for
// all t; the weight gradients are big GEMMs after the loop, never per step.
//
// Thread mapping: invocation (gid.x = unit k, gid.y = group of 4 batch rows); the Σ_n loop reads row k
// of Wh (its first 2H columns) once for 4 batch rows.
// Dispatch: (ceil(H / 64), ceil(B / 4), 1), once per timestep that is not all padding, before phase 2.

override USE_RECURRENT_MASK: bool = false;

// Bindings (wh, mask, rmask, gates, hs, dHs, dG, dhCarry; uniform p) and stateBackward:
#include "gru_rb_step_backward"

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let k = gid.x;
  let b0 = gid.y * 4u;
  if (k >= p.H || b0 >= p.B) { return; }
  let H = p.H;
  let G = 3u * H;

  var rec = vec4f(0.0);   // one lane per row
  if (p.t + 1u < p.tEnd) {
    let nBase = (p.t + 1u) * p.B;
    let d = vec4u(nBase + b0, nBase + min(b0 + 1u, p.B - 1u), nBase + min(b0 + 2u, p.B - 1u), nBase + min(b0 + 3u, p.B - 1u)) * G;
    let wBase = p.offWh + k * G;
    for (var n = 0u; n < 2u * H; n++) {
      rec += wh[wBase + n] * vec4f(dG[d.x + n], dG[d.y + n], dG[d.z + n], dG[d.w + n]);
    }
  }

  for (var r = 0u; r < 4u; r++) {
    let b = b0 + r;
    if (b >= p.B) { break; }
    stateBackward(b, k, rec[r]);
  }
}
