// One LSTM timestep of backpropagation through time, fused: recurrent gradient + gate gradients.
//
// Runs for t = tEnd−1 down to tStart. Gate order i, f, c, o (see lstm_forward_step.wgsl).
// For row b and unit k, with the stored activations i, f, g, o at t and c_t, c_{t-1}:
//
//   dh_t   = dHs[t + 1, b, k]                                   (from the layer's outputs)
//          + rmask[b, k] · Σ_n dG_{t+1}[b, n] · Wh[k, n]       (recurrent path, if step t+1 was active)
//          or + dhCarry[b, k]                                   (if row b was padding at t+1: h passed through)
//   dc_t   = dcCarry[b, k] + dh_t · o · (1 − tanh²(c_t))
//   dz_i   = dc_t · g · i(1 − i)          (i = σ(z_i), σ' = σ(1 − σ))
//   dz_f   = dc_t · c_{t-1} · f(1 − f)
//   dz_c   = dc_t · i · (1 − g²)          (g = tanh(z_c), tanh' = 1 − tanh²)
//   dz_o   = dh_t · tanh(c_t) · o(1 − o)
//   dcCarry ← dc_t · f                    (∂c_t/∂c_{t-1} = f)
//
// Where row b is padding at t, h and c were copied through: dG_t = 0, dhCarry ← dh_t, dcCarry unchanged.
// dG_t (the gate pre-activation gradients) are stored for all t; after the loop the weight gradients are
// formed by big GEMMs (dWh = H_prevᵀ·dG, dWx = Xᵀ·dG, db = Σ dG, dX = dG·Wxᵀ), never per step.
//
// Thread mapping: invocation (gid.x = unit k, gid.y = group of 4 batch rows); the Σ_n loop reads row k of
// Wh once for 4 batch rows.
// Dispatch: (ceil(H / 64), ceil(B / 4), 1), once per timestep that is not all padding.

override USE_RECURRENT_MASK: bool = false;

#include "lstm_gates"

// Bindings (wh, mask, rmask, gates, cs, dHs, dG, dhCarry, dcCarry; uniform p) and cellBackward:
#include "lstm_cell_backward"

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let k = gid.x;
  let b0 = gid.y * 4u;
  if (k >= p.H || b0 >= p.B) { return; }
  let H = p.H;
  let G = 4u * H;
  let b1 = min(b0 + 1u, p.B - 1u);
  let b2 = min(b0 + 2u, p.B - 1u);
  let b3 = min(b0 + 3u, p.B - 1u);

  var rec = vec4f(0.0);
  let hasNext = p.t + 1u < p.tEnd;
  if (hasNext) {
    let nBase = (p.t + 1u) * p.B;
    let d0 = (nBase + b0) * G;
    let d1 = (nBase + b1) * G;
    let d2 = (nBase + b2) * G;
    let d3 = (nBase + b3) * G;
    let wBase = p.offWh + k * G;
    for (var n = 0u; n < G; n++) {
      let w = wh[wBase + n];
      rec += w * vec4f(dG[d0 + n], dG[d1 + n], dG[d2 + n], dG[d3 + n]);
    }
  }

  for (var r = 0u; r < 4u; r++) {
    let b = b0 + r;
    if (b >= p.B) { break; }
    cellBackward(b, k, rec[r]);
  }
}
