// Phase B of one reset-before GRU timestep (Keras reset_after = False), fused: the candidate's recurrent
// sum over rh (written by phase A, gru_rb_forward_gates.wgsl, for the same timestep), its activation and
// the state update.
//
//   ah  = Xp[t, b, h̃] + rh · Wh_h      (rh = r ⊙ h̄ of every unit of the row: why this is a phase of its own)
//   h̃   = tanh(ah)
//   h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃    (the carry sees the undropped h_{t−1})
//
// Stores h̃ in the activations [T, B, 3H], h_t in hs and, with USE_RECURRENT_MASK, h_t ⊙ rmask in hm;
// a padding row carries h through (layouts and masking in shaders/lib/gru_rb_step_forward.wgsl).
//
// Thread mapping: invocation (gid.x = unit j, gid.y = group of 4 batch rows); each Wh load serves 4 rows.
// Dispatch: (ceil(H / 64), ceil(B / 4), 1), once per timestep that is not all padding, after phase A.

override USE_RECURRENT_MASK: bool = false;

// Bindings (xp, wh, mask, rmask, hs, gates, rh, hm; uniform p), rhAt and candidateForward:
#include "gru_rb_step_forward"

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let j = gid.x;
  let b0 = gid.y * 4u;
  if (j >= p.H || b0 >= p.B) { return; }
  let H = p.H;
  let G = 3u * H;
  let rows = vec4u(b0, min(b0 + 1u, p.B - 1u), min(b0 + 2u, p.B - 1u), min(b0 + 3u, p.B - 1u));

  var ah: vec4f;   // one lane per row
  for (var r = 0u; r < 4u; r++) { ah[r] = xp[(p.t * p.B + rows[r]) * G + GATE_H * H + j]; }
  // At the first processed timestep rh = r ⊙ 0: kEnd = 0 skips the sum.
  for (var k = 0u; k < p.kEnd; k++) {
    let w = wh[p.offWh + k * G + GATE_H * H + j];
    ah += w * vec4f(rhAt(rows.x, k), rhAt(rows.y, k), rhAt(rows.z, k), rhAt(rows.w, k));
  }

  for (var r = 0u; r < 4u; r++) {
    let b = b0 + r;
    if (b >= p.B) { break; }
    candidateForward(b, j, ah[r]);
  }
}
