// One SimpleRNN timestep of backpropagation through time, fused: recurrent gradient + activation slope.
//
// Runs for t = tEnd−1 down to tStart (math of the forward in rnn_forward_step.wgsl). For row b, unit k:
//
//   dh_t   = dHs[t + 1, b, k]                                   (from the layer's outputs)
//          + rmask[b, k] · Σ_j dG_{t+1}[b, j] · Wh[k, j]       (recurrent path, if step t+1 was active)
//          or + dhCarry[b, k]                                   (if row b was padding at t+1: h passed through)
//   dG_t   = dh_t · act′(a_t)                                   (act′ from h_t: sigmoid h(1 − h),
//                                                                tanh 1 − h², relu [h > 0], linear 1)
//
// Where row b is padding at t, h was copied through: dG_t = 0 and dhCarry ← dh_t. dG_t (the
// pre-activation gradients) are stored for all t; after the loop the weight gradients are formed by big
// GEMMs (dWh = H_prevᵀ·dG, dWx = Xᵀ·dG, db = Σ dG, dX = dG·Wxᵀ), never per step.
//
// Thread mapping: invocation (gid.x = unit k, gid.y = group of 4 batch rows); the Σ_j loop reads row k of
// Wh once for 4 batch rows.
// Dispatch: (ceil(H / 64), ceil(B / 4), 1), once per timestep that is not all padding.

override USE_RECURRENT_MASK: bool = false;

// Bindings (wh, mask, rmask, hs, dHs, dG, dhCarry; uniform p) and cellBackward:
#include "rnn_step_backward"

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let k = gid.x;
  let b0 = gid.y * 4u;
  if (k >= p.H || b0 >= p.B) { return; }
  let H = p.H;

  var rec = vec4f(0.0);
  if (p.t + 1u < p.tEnd) {
    let nBase = (p.t + 1u) * p.B;
    let d0 = (nBase + b0) * H;
    let d1 = (nBase + min(b0 + 1u, p.B - 1u)) * H;
    let d2 = (nBase + min(b0 + 2u, p.B - 1u)) * H;
    let d3 = (nBase + min(b0 + 3u, p.B - 1u)) * H;
    let wBase = p.offWh + k * H;
    for (var j = 0u; j < H; j++) {
      rec += wh[wBase + j] * vec4f(dG[d0 + j], dG[d1 + j], dG[d2 + j], dG[d3 + j]);
    }
  }

  for (var r = 0u; r < 4u; r++) {
    let b = b0 + r;
    if (b >= p.B) { break; }
    cellBackward(b, k, rec[r]);
  }
}
