// The forward LSTM step's interface and its per-(row, unit) end (lib/lstm_cell_store.wgsl), shared by
// lstm_forward_step.wgsl and lstm_forward_step_wide.wgsl (layouts and math in lstm_forward_step.wgsl's header). The including kernel
// declares the override USE_RECURRENT_MASK and includes "lstm_gates" before this, and Wh's binding and
// `whAt` (lib/lstm_wh.wgsl, or its f16 form).

alias Cell = f32;
#include "lstm_cell_math"

// kEnd: how many rows of Wh the recurrent sum runs over: H, or 0 at the first processed timestep, where
// h_{t−1} is the zero initial state (no multiply-adds by zero).
struct Params { B: u32, H: u32, t: u32, offWh: u32, kEnd: u32 }

@group(0) @binding(0) var<storage, read> xp: array<f32>;       // [T, B, 4H]
@group(0) @binding(2) var<storage, read> mask: array<u32>;     // [T, B]
@group(0) @binding(3) var<storage, read> rmask: array<f32>;    // [B, H]
@group(0) @binding(4) var<storage, read_write> hs: array<f32>; // [T + 1, B, H]
@group(0) @binding(5) var<storage, read_write> cs: array<f32>; // [T + 1, B, H]
@group(0) @binding(6) var<storage, read_write> gates: array<f32>; // [T, B, 4H], activated
@group(0) @binding(7) var<uniform> p: Params;
// With USE_RECURRENT_MASK: h ⊙ rmask beside h, [T + 1, B, H], written with h at every step so that the
// recurrent sum reads it without a multiply (and dWh's H_prev is this buffer); else unused.
@group(0) @binding(8) var<storage, read_write> hm: array<f32>;

// h_{t−1}[b, k] as the recurrence sees it: times the recurrent-dropout mask when there is one.
fn hPrev(b: u32, k: u32) -> f32 {
  if (USE_RECURRENT_MASK) { return hm[(p.t * p.B + b) * p.H + k]; }
  return hs[(p.t * p.B + b) * p.H + k];
}

#include "lstm_cell_store"
