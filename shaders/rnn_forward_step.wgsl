// One SimpleRNN timestep (Keras 3 SimpleRNN), fused: recurrent matmul + activation, for every (row, unit).
//
//   a_t    = Xp[t, b, :] + (h_{t−1}[b, :] ⊙ rmask[b, :]) · Wh      (Xp = X·Wx + b, one GEMM for all t)
//   h_t    = act(a_t)                                               (act: p.act, lib/rnn_cell's codes)
//
// Weights: Wx [in, H], Wh [H, H], b [H]. Masking (Keras mask_zero): where mask[t, b] = 0 the row carries
// h through unchanged. Storage is time-major with a leading initial-state slot: hs[s, b, :] = h_{s−1}, so
// hs[t] is h_{t−1} and hs[t + 1] receives h_t. Nothing else is stored: the backward pass takes act′ from h.
// Recurrent dropout (Keras recurrent_dropout): one pre-scaled mask per sequence, applied to h_{t−1} at
// every step; with USE_RECURRENT_MASK each step also stores h_t ⊙ rmask in hm, which the next step's sum
// reads (and the host's dWh), so the k loop has no multiply by the mask.
//
// Thread mapping: invocation (gid.x = unit j, gid.y = group of 4 batch rows). Each invocation keeps the
// 4 rows' pre-activations in registers, so each Wh element it loads serves 4 rows.
// Dispatch: (ceil(H / 64), ceil(B / 4), 1), once per timestep that is not all padding.
//
// The activation is a uniform (p.act), not an override, in every SimpleRNN step and sequence kernel: it
// runs once per unit and timestep, beside H multiply-adds, while an override would make four pipelines of each kernel, which
// every engine compiles up front (on SwiftShader about 2 s for each wide kernel's and tens of seconds
// for each whole-sequence kernel's).

override USE_RECURRENT_MASK: bool = false;

// Bindings (xp, wh, mask, rmask, hs, hm; uniform p), hPrev and cellForward:
#include "rnn_step_forward"

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let j = gid.x;
  let b0 = gid.y * 4u;
  if (j >= p.H || b0 >= p.B) { return; }
  let H = p.H;
  // Rows past the batch edge are clamped (computed, never stored) so the k loop has no branches.
  let b1 = min(b0 + 1u, p.B - 1u);
  let b2 = min(b0 + 2u, p.B - 1u);
  let b3 = min(b0 + 3u, p.B - 1u);
  let row0 = p.t * p.B;
  var a = vec4f(xp[(row0 + b0) * H + j], xp[(row0 + b1) * H + j], xp[(row0 + b2) * H + j], xp[(row0 + b3) * H + j]);
  for (var k = 0u; k < p.kEnd; k++) {
    a += wh[p.offWh + k * H + j] * vec4f(hPrev(b0, k), hPrev(b1, k), hPrev(b2, k), hPrev(b3, k));
  }
  for (var r = 0u; r < 4u; r++) {
    let b = b0 + r;
    if (b >= p.B) { break; }
    cellForward(b, j, a[r]);
  }
}
