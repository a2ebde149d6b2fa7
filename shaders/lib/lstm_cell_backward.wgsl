// The backward LSTM step's interface and its per-(row, unit) end, shared by lstm_backward_step.wgsl and
// lstm_backward_step_wide.wgsl (layouts and derivatives in lstm_backward_step.wgsl's header). The
// including kernel declares the override USE_RECURRENT_MASK and includes "lstm_gates" before this.

alias Cell = f32;
#include "lstm_cell_math"

struct Params { B: u32, H: u32, t: u32, tEnd: u32, offWh: u32 }

@group(0) @binding(0) var<storage, read> wh: array<f32>;       // [H, 4H] at offWh
@group(0) @binding(1) var<storage, read> mask: array<u32>;     // [T, B]
@group(0) @binding(2) var<storage, read> rmask: array<f32>;    // [B, H]
@group(0) @binding(3) var<storage, read> gates: array<f32>;    // [T, B, 4H]
@group(0) @binding(4) var<storage, read> cs: array<f32>;       // [T + 1, B, H]
@group(0) @binding(5) var<storage, read> dHs: array<f32>;      // [T + 1, B, H]
@group(0) @binding(6) var<storage, read_write> dG: array<f32>; // [T, B, 4H]
@group(0) @binding(7) var<storage, read_write> dhCarry: array<f32>; // [B, H]
@group(0) @binding(8) var<storage, read_write> dcCarry: array<f32>; // [B, H]
@group(0) @binding(9) var<uniform> p: Params;

// Row b, unit k at step p.t, given recSum = Σ_n dG_{t+1}[b, n] · Wh[k, n] (ignored when there is no step
// t + 1 or row b was padding there):
//   dh_t  = dHs[t + 1, b, k] + rmask[b, k] · recSum   (or + dhCarry[b, k] if row b was padding at t + 1)
// then cellGrads (lstm_cell_math) gives dG_t and the new dcCarry from dh_t, dcCarry and the stored gates.
// A padding row at t stores dG_t = 0, passes dh_t on in dhCarry and leaves dcCarry unchanged.
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
  let dh = dHs[((p.t + 1u) * p.B) * H + bk] + recurrent;
  let gBase = (p.t * p.B + b) * 4u * H + k;
  if (mask[p.t * p.B + b] == 0u) {
    dG[gBase + GATE_I * H] = 0.0;
    dG[gBase + GATE_F * H] = 0.0;
    dG[gBase + GATE_C * H] = 0.0;
    dG[gBase + GATE_O * H] = 0.0;
    dhCarry[bk] = dh;
    return;
  }
  let d = cellGrads(
    dh, dcCarry[bk],
    gates[gBase + GATE_I * H], gates[gBase + GATE_F * H], gates[gBase + GATE_C * H], gates[gBase + GATE_O * H],
    cs[((p.t + 1u) * p.B) * H + bk], cs[(p.t * p.B) * H + bk],
  );
  dG[gBase + GATE_I * H] = d.zi;
  dG[gBase + GATE_F * H] = d.zf;
  dG[gBase + GATE_C * H] = d.zc;
  dG[gBase + GATE_O * H] = d.zo;
  dcCarry[bk] = d.cPrev;
}
