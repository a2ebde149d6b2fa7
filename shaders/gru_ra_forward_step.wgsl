// One reset-after GRU timestep (Keras's default GRU), fused: the recurrent matmul for all three gates +
// the gate activations + the state update, for every (row, unit).
//
// Gate order z, r, h̃ (Keras's). Packed weights: Wx [in, 3H], Wh [H, 3H], bias [2·3H] = b_x then b_h;
// gate g of unit j is column g·H + j. With h̄ = h_{t−1} ⊙ rmask (the recurrent-dropout mask, or ones):
//
//   hp     = h̄[b, :] · Wh + b_h                     (one [H, 3H] product for all three gates)
//   z = σ(Xp_z + hp_z)   r = σ(Xp_r + hp_r)        (Xp = X·Wx + b_x, one GEMM for all t)
//   h̃ = tanh(Xp_h + r ⊙ hp_h)                      (reset after the matmul)
//   h_t    = z ⊙ h_{t−1} + (1 − z) ⊙ h̃              (the carry sees the undropped h_{t−1}, as Keras's)
//
// Masking (Keras mask_zero): where mask[t, b] = 0 the row carries h through unchanged.
// Storage is time-major with a leading initial-state slot: hs[s, b, :] = h_{s−1}, so hs[t] is h_{t−1}
// and hs[t + 1] receives h_t. z, r, h̃ and hp_h are stored ([T, B, 4H]) for the backward pass.
// Recurrent dropout: with USE_RECURRENT_MASK each step also stores h_t ⊙ rmask in hm, which the next
// step's sums read (and the host's dWh), so the k loop has no multiply by the mask.
//
// Thread mapping: invocation (gid.x = unit j, gid.y = group of 4 batch rows). Each invocation keeps the
// 4 rows × 3 gates recurrent sums in registers, so each Wh element it loads serves 4 rows.
// Dispatch: (ceil(H / 64), ceil(B / 4), 1), once per timestep that is not all padding.

override USE_RECURRENT_MASK: bool = false;

// Bindings (xp, wh, mask, rmask, hs, gates, hm, bias; uniform p), hPrev, recurrentBias and cellForward:
#include "gru_ra_step_forward"

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let j = gid.x;
  let b0 = gid.y * 4u;
  if (j >= p.H || b0 >= p.B) { return; }
  let H = p.H;
  let G = 3u * H;
  // Rows past the batch edge are clamped (computed, never stored) so the k loop has no branches.
  let b1 = min(b0 + 1u, p.B - 1u);
  let b2 = min(b0 + 2u, p.B - 1u);
  let b3 = min(b0 + 3u, p.B - 1u);

  let bh = recurrentBias(j);
  var a0 = bh;
  var a1 = bh;
  var a2 = bh;
  var a3 = bh;
  for (var k = 0u; k < p.kEnd; k++) {
    let wBase = p.offWh + k * G + j;
    let w = vec3f(wh[wBase + GATE_Z * H], wh[wBase + GATE_R * H], wh[wBase + GATE_H * H]);
    a0 += hPrev(b0, k) * w;
    a1 += hPrev(b1, k) * w;
    a2 += hPrev(b2, k) * w;
    a3 += hPrev(b3, k) * w;
  }
  let a = array<vec3f, 4>(a0, a1, a2, a3);

  for (var r = 0u; r < 4u; r++) {
    let b = b0 + r;
    if (b >= p.B) { break; }
    cellForward(b, j, a[r]);
  }
}
