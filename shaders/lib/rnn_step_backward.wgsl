// The backward SimpleRNN step's interface and its per-(row, unit) end, shared by rnn_backward_step.wgsl
// and rnn_backward_step_wide.wgsl (layouts and derivatives in rnn_backward_step.wgsl's header). The
// including kernel declares the override USE_RECURRENT_MASK before this.

alias Cell = f32;
#include "rnn_cell"

struct Params { B: u32, H: u32, t: u32, tEnd: u32, offWh: u32, act: u32 }

@group(0) @binding(0) var<storage, read> wh: array<f32>;       // [H, H] at offWh
@group(0) @binding(1) var<storage, read> mask: array<u32>;     // [T, B]
@group(0) @binding(2) var<storage, read> rmask: array<f32>;    // [B, H]
@group(0) @binding(3) var<storage, read> hs: array<f32>;       // [T + 1, B, H]
@group(0) @binding(4) var<storage, read> dHs: array<f32>;      // [T + 1, B, H]
@group(0) @binding(5) var<storage, read_write> dG: array<f32>; // [T, B, H]
@group(0) @binding(6) var<storage, read_write> dhCarry: array<f32>; // [B, H]
@group(0) @binding(7) var<uniform> p: Params;

// Row b, unit k at step p.t, given recSum = Σ_j dG_{t+1}[b, j] · Wh[k, j] (ignored when there is no step
// t + 1 or row b was padding there):
//   dh_t = dHs[t + 1, b, k] + rmask[b, k] · recSum   (or + dhCarry[b, k] if row b was padding at t + 1)
//   dG_t = dh_t · act′, from h_t = hs[t + 1, b, k] (rnnSlope)
// A padding row at t stores dG_t = 0 and passes dh_t on in dhCarry.
fn cellBackward(b: u32, k: u32, recSum: f32) {
  let H = p.H;
  let bk = b * H + k;
  var recurrent = 0.0;
  if (p.t + 1u < p.tEnd) {
    if (mask[(p.t + 1u) * p.B + b] != 0u) {
      recurrent = recSum;
      if (USE_RECURRENT_MASK) { recurrent *= rmask[bk]; }
    } else {
      recurrent = dhCarry[bk];
    }
  }
  let next = (p.t + 1u) * p.B * H + bk;
  let dh = dHs[next] + recurrent;
  let g = p.t * p.B * H + bk;
  if (mask[p.t * p.B + b] == 0u) {
    dG[g] = 0.0;
    dhCarry[bk] = dh;
    return;
  }
  dG[g] = dh * rnnSlope(p.act, hs[next]);
}
