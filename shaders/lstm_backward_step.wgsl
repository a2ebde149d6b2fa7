// One LSTM timestep of backpropagation through time, fused: recurrent gradient + gate gradients.
//
// Runs for t = tEnd−1 down to tStart. Gate order i, f, c, o (see lstm_forward_step.wgsl).
// For row b and unit k, with the stored activations i, f, g, o at t and c_t, c_{t-1}:
//
//   dh_t   = dHs[t + 1, b, k]                                   (from the layer's outputs)
//          + rmask[b, k] · Σ_n dG_{t+1}[b, n] · Wh[k, n]       (recurrent path, if step t+1 was active)
//          or + dhCarry[b, k]                                   (if row b was padding at t+1: h passed through)
//   dc_t   = dcCarry[b, k] + dh_t · o · (1 − tanh²(c_t))
//   dz_i   = dc_t · g · i(1 − i)          (i = σ(z_i), σ' = σ(1 − σ))
//   dz_f   = dc_t · c_{t-1} · f(1 − f)
//   dz_c   = dc_t · i · (1 − g²)          (g = tanh(z_c), tanh' = 1 − tanh²)
//   dz_o   = dh_t · tanh(c_t) · o(1 − o)
//   dcCarry ← dc_t · f                    (∂c_t/∂c_{t-1} = f)
//
// Where row b is padding at t, h and c were copied through: dG_t = 0, dhCarry ← dh_t, dcCarry unchanged.
// dG_t (the gate pre-activation gradients) are stored for all t; after the loop the weight gradients are
// formed by big GEMMs (dWh = H_prevᵀ·dG, dWx = Xᵀ·dG, db = Σ dG, dX = dG·Wxᵀ), never per step.
//
// Thread mapping: invocation (gid.x = unit k, gid.y = group of 4 batch rows); the Σ_n loop reads row k of
// Wh once for 4 batch rows.
// Dispatch: (ceil(H / 64), ceil(B / 4), 1), once per timestep that is not all padding.

override USE_RECURRENT_MASK: bool = false;

const GATE_I: u32 = 0u;
const GATE_F: u32 = 1u;
const GATE_C: u32 = 2u;
const GATE_O: u32 = 3u;

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

fn tanhStable(x: f32) -> f32 {
  let e = exp(-2.0 * abs(x));
  return sign(x) * (1.0 - e) / (1.0 + e);
}

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let k = gid.x;
  let b0 = gid.y * 4u;
  if (k >= p.H || b0 >= p.B) { return; }
  let H = p.H;
  let G = 4u * H;
  let b1 = min(b0 + 1u, p.B - 1u);
  let b2 = min(b0 + 2u, p.B - 1u);
  let b3 = min(b0 + 3u, p.B - 1u);

  var rec = vec4f(0.0);
  let hasNext = p.t + 1u < p.tEnd;
  if (hasNext) {
    let nBase = (p.t + 1u) * p.B;
    let d0 = (nBase + b0) * G;
    let d1 = (nBase + b1) * G;
    let d2 = (nBase + b2) * G;
    let d3 = (nBase + b3) * G;
    let wBase = p.offWh + k * G;
    for (var n = 0u; n < G; n++) {
      let w = wh[wBase + n];
      rec += w * vec4f(dG[d0 + n], dG[d1 + n], dG[d2 + n], dG[d3 + n]);
    }
  }

  for (var r = 0u; r < 4u; r++) {
    let b = b0 + r;
    if (b >= p.B) { break; }
    let bk = b * H + k;
    var recurrent = 0.0;
    if (hasNext) {
      if (mask[(p.t + 1u) * p.B + b] != 0u) {
        recurrent = rec[r];
        if (USE_RECURRENT_MASK) { recurrent *= rmask[bk]; }
      } else {
        recurrent = dhCarry[bk];
      }
    }
    let dh = dHs[((p.t + 1u) * p.B) * H + bk] + recurrent;
    let gBase = (p.t * p.B + b) * G + k;
    if (mask[p.t * p.B + b] == 0u) {
      dG[gBase + GATE_I * H] = 0.0;
      dG[gBase + GATE_F * H] = 0.0;
      dG[gBase + GATE_C * H] = 0.0;
      dG[gBase + GATE_O * H] = 0.0;
      dhCarry[bk] = dh;
      continue;
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
}
