// The backward LSTM step's interface and its per-(row, unit) end, shared by lstm_backward_step.wgsl and
// lstm_backward_step_wide.wgsl (layouts and derivatives in lstm_backward_step.wgsl's header). The
// including kernel declares the override USE_RECURRENT_MASK and includes "lstm_gates" before this.

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
//   dc_t  = dcCarry[b, k] + dh_t · o · (1 − tanh²(c_t))
//   dz_i  = dc_t · g · i(1 − i)     dz_f = dc_t · c_{t−1} · f(1 − f)
//   dz_c  = dc_t · i · (1 − g²)     dz_o = dh_t · tanh(c_t) · o(1 − o)
//   dcCarry ← dc_t · f
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
  let gi = gates[gBase + GATE_I * H];
  let gf = gates[gBase + GATE_F * H];
  let gc = gates[gBase + GATE_C * H];
  let go = gates[gBase + GATE_O * H];
  let c = cs[((p.t + 1u) * p.B) * H + bk];
  let cPrev = cs[(p.t * p.B) * H + bk];
  let tc = tanhStable(c);
  let dc = dcCarry[bk] + dh * go * (1.0 - tc * tc);
  dG[gBase + GATE_I * H] = dc * gc * gi * (1.0 - gi);
  dG[gBase + GATE_F * H] = dc * cPrev * gf * (1.0 - gf);
  dG[gBase + GATE_C * H] = dc * gi * (1.0 - gc * gc);
  dG[gBase + GATE_O * H] = dh * tc * go * (1.0 - go);
  dcCarry[bk] = dc * gf;
}
