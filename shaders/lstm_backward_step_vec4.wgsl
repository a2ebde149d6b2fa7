// One LSTM timestep of backpropagation through time, fused, for H divisible by 4: the same computation
// as lstm_backward_step.wgsl (read that file's header for the derivatives, gate order i, f, c, o and
// the masking rules), with each invocation owning 4 consecutive units of 4 batch rows. The recurrent
// sum Σ_n dG_{t+1}[b, n]·Wh[k, n] runs along n in vec4 steps: per step 4 dG loads and 4 Wh loads feed
// 64 multiply-adds (16 running vec4 partial sums, reduced by a dot product at the end).
//
// Thread mapping: invocation (gid.x = unit group k0 = 4·gid.x, gid.y = group of 4 batch rows).
// Dispatch: (ceil(H / 256), ceil(B / 4), 1), once per timestep that is not all padding.

override USE_RECURRENT_MASK: bool = false;

#include "lstm_gates"
alias Cell = vec4f;                // four consecutive units per value
#include "lstm_cell_math"

struct Params { B: u32, H: u32, t: u32, tEnd: u32, offWh: u32 }

@group(0) @binding(0) var<storage, read> wh: array<vec4f>;       // [H, 4H] at offWh
@group(0) @binding(1) var<storage, read> mask: array<u32>;       // [T, B]
@group(0) @binding(2) var<storage, read> rmask: array<vec4f>;    // [B, H]
@group(0) @binding(3) var<storage, read> gates: array<vec4f>;    // [T, B, 4H]
@group(0) @binding(4) var<storage, read> cs: array<vec4f>;       // [T + 1, B, H]
@group(0) @binding(5) var<storage, read> dHs: array<vec4f>;      // [T + 1, B, H]
@group(0) @binding(6) var<storage, read_write> dG: array<vec4f>; // [T, B, 4H]
@group(0) @binding(7) var<storage, read_write> dhCarry: array<vec4f>; // [B, H]
@group(0) @binding(8) var<storage, read_write> dcCarry: array<vec4f>; // [B, H]
@group(0) @binding(9) var<uniform> p: Params;

const ONE = vec4f(1.0);

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let H = p.H;
  let H4 = H / 4u;
  let G4 = H;                      // vec4s per row of a [*, 4H] matrix
  let g4 = gid.x;                  // units 4·g4 … 4·g4 + 3
  let b0 = gid.y * 4u;
  if (g4 >= H4 || b0 >= p.B) { return; }
  let rows = vec4u(b0, min(b0 + 1u, p.B - 1u), min(b0 + 2u, p.B - 1u), min(b0 + 3u, p.B - 1u));

  // rec[r][u] = Σ_n dG_{t+1}[row r, n] · Wh[unit u, n], as 16 vec4 partial sums over n mod 4.
  var rec: array<vec4f, 4>;
  let hasNext = p.t + 1u < p.tEnd;
  if (hasNext) {
    var a00 = vec4f(0.0); var a01 = vec4f(0.0); var a02 = vec4f(0.0); var a03 = vec4f(0.0);
    var a10 = vec4f(0.0); var a11 = vec4f(0.0); var a12 = vec4f(0.0); var a13 = vec4f(0.0);
    var a20 = vec4f(0.0); var a21 = vec4f(0.0); var a22 = vec4f(0.0); var a23 = vec4f(0.0);
    var a30 = vec4f(0.0); var a31 = vec4f(0.0); var a32 = vec4f(0.0); var a33 = vec4f(0.0);
    let nBase = (p.t + 1u) * p.B;
    let d0 = (nBase + rows.x) * G4;
    let d1 = (nBase + rows.y) * G4;
    let d2 = (nBase + rows.z) * G4;
    let d3 = (nBase + rows.w) * G4;
    let w0 = p.offWh / 4u + (4u * g4) * G4;
    for (var n = 0u; n < G4; n++) {
      let x0 = dG[d0 + n]; let x1 = dG[d1 + n]; let x2 = dG[d2 + n]; let x3 = dG[d3 + n];
      let v0 = wh[w0 + n]; let v1 = wh[w0 + G4 + n]; let v2 = wh[w0 + 2u * G4 + n]; let v3 = wh[w0 + 3u * G4 + n];
      a00 += x0 * v0; a01 += x0 * v1; a02 += x0 * v2; a03 += x0 * v3;
      a10 += x1 * v0; a11 += x1 * v1; a12 += x1 * v2; a13 += x1 * v3;
      a20 += x2 * v0; a21 += x2 * v1; a22 += x2 * v2; a23 += x2 * v3;
      a30 += x3 * v0; a31 += x3 * v1; a32 += x3 * v2; a33 += x3 * v3;
    }
    rec[0] = vec4f(dot(a00, ONE), dot(a01, ONE), dot(a02, ONE), dot(a03, ONE));
    rec[1] = vec4f(dot(a10, ONE), dot(a11, ONE), dot(a12, ONE), dot(a13, ONE));
    rec[2] = vec4f(dot(a20, ONE), dot(a21, ONE), dot(a22, ONE), dot(a23, ONE));
    rec[3] = vec4f(dot(a30, ONE), dot(a31, ONE), dot(a32, ONE), dot(a33, ONE));
  }

  for (var r = 0u; r < 4u; r++) {
    let b = b0 + r;
    if (b >= p.B) { break; }
    let bk = b * H4 + g4;          // vec4 index of (b, units) in a [B, H] array
    var recurrent = vec4f(0.0);
    if (hasNext) {
      if (mask[(p.t + 1u) * p.B + b] != 0u) {
        recurrent = rec[r];
        if (USE_RECURRENT_MASK) { recurrent *= rmask[bk]; }
      } else {
        recurrent = dhCarry[bk];
      }
    }
    let dh = dHs[(p.t + 1u) * p.B * H4 + bk] + recurrent;
    let gBase = (p.t * p.B + b) * G4 + g4;
    if (mask[p.t * p.B + b] == 0u) {
      for (var g = 0u; g < 4u; g++) { dG[gBase + g * H4] = vec4f(0.0); }
      dhCarry[bk] = dh;
      continue;
    }
    let d = cellGrads(
      dh, dcCarry[bk],
      gates[gBase + GATE_I * H4], gates[gBase + GATE_F * H4], gates[gBase + GATE_C * H4], gates[gBase + GATE_O * H4],
      cs[(p.t + 1u) * p.B * H4 + bk], cs[p.t * p.B * H4 + bk],
    );
    dG[gBase + GATE_I * H4] = d.zi;
    dG[gBase + GATE_F * H4] = d.zf;
    dG[gBase + GATE_C * H4] = d.zc;
    dG[gBase + GATE_O * H4] = d.zo;
    dcCarry[bk] = d.cPrev;
  }
}
