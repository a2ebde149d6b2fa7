// Phase 2 of one reset-before GRU timestep of backpropagation through time, fused: the gradient of rh
// = r ⊙ h̄ (the candidate sum's input) from da_h of every unit (written by phase 1,
// gru_rb_backward_state.wgsl, for the same timestep), and from it the reset gate's gradient.
//
// For row b and unit k at step t, with the stored r and h̄ = h_{t−1} ⊙ rmask:
//
//   d(rh)[k] = Σ_j da_h[b, j] · Wh[k, 2H + j]      (rh·Wh_h enters ah)
//   dGr      = d(rh) ⊙ h̄ ⊙ r(1 − r)                 (∂rh/∂r = h̄)
//   dhCarry += d(rh) ⊙ r ⊙ rmask                     (∂rh/∂h_{t−1}: the reset path's share of dh_{t−1})
//
// At the first processed timestep h̄ is the zero initial state: dGr = 0 and nothing is carried further,
// so the sum is skipped. A padding row stores dGr = 0 (shaders/lib/gru_rb_step_backward.wgsl).
//
// Thread mapping: invocation (gid.x = unit k, gid.y = group of 4 batch rows); the Σ_j loop reads row k
// of Wh (its last H columns) once for 4 batch rows.
// Dispatch: (ceil(H / 64), ceil(B / 4), 1), once per timestep that is not all padding, after phase 1.

override USE_RECURRENT_MASK: bool = false;

// Bindings (wh, mask, rmask, gates, hs, dHs, dG, dhCarry; uniform p) and resetBackward:
#include "gru_rb_step_backward"

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let k = gid.x;
  let b0 = gid.y * 4u;
  if (k >= p.H || b0 >= p.B) { return; }
  let H = p.H;
  let G = 3u * H;

  var drh = vec4f(0.0);   // one lane per row
  if (p.t > p.tStart) {
    let tBase = p.t * p.B;
    let d = vec4u(tBase + b0, tBase + min(b0 + 1u, p.B - 1u), tBase + min(b0 + 2u, p.B - 1u), tBase + min(b0 + 3u, p.B - 1u)) * G + GATE_H * H;
    let wBase = p.offWh + k * G + GATE_H * H;
    for (var j = 0u; j < H; j++) {
      drh += wh[wBase + j] * vec4f(dG[d.x + j], dG[d.y + j], dG[d.z + j], dG[d.w + j]);
    }
  }

  for (var r = 0u; r < 4u; r++) {
    let b = b0 + r;
    if (b >= p.B) { break; }
    resetBackward(b, k, drh[r]);
  }
}
