// One LSTM timestep, fused: recurrent matmul + gate activations + cell update, for every (row, unit).
//
// Gate order (shared with src/nn/lstm-layout.ts, the float64 reference and the TF.js exporter):
// i, f, c, o — Keras's order. Packed weights: Wx [in, 4H], Wh [H, 4H], b [4H]; gate g of unit j is
// column g·H + j.
//
//   z      = Xp[t, b, :] + (h_{t-1}[b, :] ⊙ rmask[b, :]) · Wh        (Xp = X·Wx + b, one GEMM for all t)
//   i = σ(z_i)   f = σ(z_f)   g = tanh(z_c)   o = σ(z_o)
//   c_t    = f ⊙ c_{t-1} + i ⊙ g
//   h_t    = o ⊙ tanh(c_t)
//
// Masking (Keras mask_zero): where mask[t, b] = 0 the row carries h and c through unchanged.
// Storage is time-major with a leading initial-state slot: hs[s, b, :] = h_{s-1}, so hs[t] is h_{t-1}
// and hs[t + 1] receives h_t; likewise cs. The activated gates are stored for the backward pass.
// Recurrent dropout (Keras recurrent_dropout, implementation 2): one pre-scaled mask per sequence,
// applied to h_{t-1} at every step; with USE_RECURRENT_MASK each step also stores h_t ⊙ rmask in hm,
// which the next step's sum reads (and the host's dWh), so the k loop has no multiply by the mask.
//
// Thread mapping: invocation (gid.x = unit j, gid.y = group of 4 batch rows). Each invocation keeps the
// 4 rows × 4 gates pre-activations in registers, so each Wh element it loads serves 4 rows, and the cell
// update needs no second kernel.
// Dispatch: (ceil(H / 64), ceil(B / 4), 1), once per timestep that is not all padding.

override USE_RECURRENT_MASK: bool = false;

#include "lstm_gates"

// Bindings (xp, wh, mask, rmask, hs, cs, gates, hm; uniform p), hPrev and cellForward:
#include "lstm_cell_forward"
#include "lstm_wh"

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let j = gid.x;
  let b0 = gid.y * 4u;
  if (j >= p.H || b0 >= p.B) { return; }
  let H = p.H;
  let G = 4u * H;
  // Rows past the batch edge are clamped (computed, never stored) so the k loop has no branches.
  let b1 = min(b0 + 1u, p.B - 1u);
  let b2 = min(b0 + 2u, p.B - 1u);
  let b3 = min(b0 + 3u, p.B - 1u);
  let rows = vec4u(b0, b1, b2, b3);

  var z: array<vec4f, 4>;
  for (var r = 0u; r < 4u; r++) {
    let base = (p.t * p.B + rows[r]) * G + j;
    z[r] = vec4f(xp[base + GATE_I * H], xp[base + GATE_F * H], xp[base + GATE_C * H], xp[base + GATE_O * H]);
  }
  var z0 = z[0];
  var z1 = z[1];
  var z2 = z[2];
  var z3 = z[3];
  for (var k = 0u; k < p.kEnd; k++) {
    let wBase = p.offWh + k * G + j;
    let w = vec4f(whAt(wBase + GATE_I * H), whAt(wBase + GATE_F * H), whAt(wBase + GATE_C * H), whAt(wBase + GATE_O * H));
    z0 += hPrev(b0, k) * w;
    z1 += hPrev(b1, k) * w;
    z2 += hPrev(b2, k) * w;
    z3 += hPrev(b3, k) * w;
  }
  z = array<vec4f, 4>(z0, z1, z2, z3);

  for (var r = 0u; r < 4u; r++) {
    let b = b0 + r;
    if (b >= p.B) { break; }
    cellForward(b, j, z[r]);
  }
}
