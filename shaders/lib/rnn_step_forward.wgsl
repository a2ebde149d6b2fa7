// The forward SimpleRNN step's interface and its per-(row, unit) end, shared by rnn_forward_step.wgsl
// and rnn_forward_step_wide.wgsl (layouts and math in rnn_forward_step.wgsl's header). The including
// kernel declares the override USE_RECURRENT_MASK before this.

alias Cell = f32;
#include "rnn_cell"

// kEnd: how many rows of Wh the recurrent sum runs over: H, or 0 at the first processed timestep, where
// h_{t−1} is the zero initial state (no multiply-adds by zero).
struct Params { B: u32, H: u32, t: u32, offWh: u32, kEnd: u32, act: u32 }

@group(0) @binding(0) var<storage, read> xp: array<f32>;       // [T, B, H]: X·Wx + b
@group(0) @binding(1) var<storage, read> wh: array<f32>;       // [H, H] at offWh
@group(0) @binding(2) var<storage, read> mask: array<u32>;     // [T, B]
@group(0) @binding(3) var<storage, read> rmask: array<f32>;    // [B, H]
@group(0) @binding(4) var<storage, read_write> hs: array<f32>; // [T + 1, B, H]
// With USE_RECURRENT_MASK: h ⊙ rmask beside h, [T + 1, B, H], written with h at every step so that the
// recurrent sum reads it without a multiply (and dWh's H_prev is this buffer); else unused.
@group(0) @binding(5) var<storage, read_write> hm: array<f32>;
@group(0) @binding(6) var<uniform> p: Params;

// h_{t−1}[b, k] as the recurrence sees it: times the recurrent-dropout mask when there is one.
fn hPrev(b: u32, k: u32) -> f32 {
  if (USE_RECURRENT_MASK) { return hm[(p.t * p.B + b) * p.H + k]; }
  return hs[(p.t * p.B + b) * p.H + k];
}

// Row b, unit j, given its pre-activation a = Xp + h_{t−1}·Wh: h_t = act(a) into slot t + 1 (and
// h_t ⊙ rmask into hm). A padding row (mask 0) carries h through unchanged.
fn cellForward(b: u32, j: u32, a: f32) {
  let prev = (p.t * p.B + b) * p.H + j;
  let next = prev + p.B * p.H;
  if (mask[p.t * p.B + b] == 0u) {
    hs[next] = hs[prev];
    if (USE_RECURRENT_MASK) { hm[next] = hm[prev]; }
    return;
  }
  let h = rnnActivate(p.act, a);
  hs[next] = h;
  if (USE_RECURRENT_MASK) { hm[next] = h * rmask[b * p.H + j]; }
}
