// Phase A of one reset-before GRU timestep (Keras reset_after = False), fused: the update and reset
// gates' recurrent sums, their activations, and rh = r ⊙ h̄, the input of phase B's candidate sum
// (gru_rb_forward_candidate.wgsl, dispatched next for the same timestep).
//
// Gate order z, r, h̃ (Keras's): gate g of unit j is column g·H + j of Wx [in, 3H], Wh [H, 3H], b [3H].
//
//   az = Xp[t, b, z] + h̄ · Wh_z      ar = Xp[t, b, r] + h̄ · Wh_r      (Xp = X·Wx + b, one GEMM for all t)
//   z = σ(az)   r = σ(ar)   rh = r ⊙ h̄      with h̄ = h_{t−1} ⊙ rmask (recurrent dropout)
//
// Stores z and r in the activations [T, B, 3H] and rh in [T, B, H] (zeros for a padding row); layouts,
// masking and the hm buffer (h ⊙ rmask) in shaders/lib/gru_rb_step_forward.wgsl.
//
// Thread mapping: invocation (gid.x = unit j, gid.y = group of 4 batch rows). Each invocation keeps
// 4 rows × 2 gates of pre-activations in registers, so each pair of Wh loads serves 4 rows.
// Dispatch: (ceil(H / 64), ceil(B / 4), 1), once per timestep that is not all padding, before phase B.

override USE_RECURRENT_MASK: bool = false;

// Bindings (xp, wh, mask, rmask, hs, gates, rh, hm; uniform p), hBar and gatesForward:
#include "gru_rb_step_forward"

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let j = gid.x;
  let b0 = gid.y * 4u;
  if (j >= p.H || b0 >= p.B) { return; }
  let H = p.H;
  let G = 3u * H;
  // Rows past the batch edge are clamped (computed, never stored) so the k loop has no branches.
  let rows = vec4u(b0, min(b0 + 1u, p.B - 1u), min(b0 + 2u, p.B - 1u), min(b0 + 3u, p.B - 1u));

  var az: vec4f;   // one lane per row
  var ar: vec4f;
  for (var r = 0u; r < 4u; r++) {
    let base = (p.t * p.B + rows[r]) * G + j;
    az[r] = xp[base + GATE_Z * H];
    ar[r] = xp[base + GATE_R * H];
  }
  for (var k = 0u; k < p.kEnd; k++) {
    let wBase = p.offWh + k * G + j;
    let h = vec4f(hBar(rows.x, k), hBar(rows.y, k), hBar(rows.z, k), hBar(rows.w, k));
    az += wh[wBase + GATE_Z * H] * h;
    ar += wh[wBase + GATE_R * H] * h;
  }

  for (var r = 0u; r < 4u; r++) {
    let b = b0 + r;
    if (b >= p.B) { break; }
    gatesForward(b, j, az[r], ar[r]);
  }
}
