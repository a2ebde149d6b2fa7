// One LSTM timestep of backpropagation through time, fused, for H divisible by 4: the same computation
// as lstm_backward_step.wgsl (read that file's header for the derivatives, gate order i, f, c, o and
// the masking rules), with each invocation owning 8 consecutive units (two vec4s) of 4 batch rows.
// The recurrent sum Σ_n dG_{t+1}[b, n]·Wh[k, n] reads Whᵀ ([4H, H], transposed once per layer by the
// host), so that a load of Whᵀ[n, 4·u …] is 4 units' weights of one n and adjacent invocations read
// adjacent vec4s. Four n per trip: 8 Whᵀ vec4s and 16 dG floats (4 per row, the same for every
// invocation of a row group) feed 128 multiply-adds into 8 running vec4 sums, each sum's four products
// added together before the running sum: the rounding of the 4-units-of-4-rows kernel this replaced,
// which keeps training bit for bit with earlier versions (tests/fixtures.test.ts). On SwiftShader ~15%
// faster than that kernel (12 loads per 128 multiply-adds instead of 16). Adding each n's product to
// the running sum at once allows 8 rows per invocation and is faster still (~25%), but rounds
// differently (bench/RESULTS.md, #29).
//
// Thread mapping: invocation (gid.x = pair of unit vec4s u0 = 2·gid.x, u0 + 1; gid.y = group of 4 batch
// rows), workgroups of 8 × 8. Dispatch: (ceil(H / 64), ceil(B / 32), 1), once per timestep that is not
// all padding. dG is read and written as floats (the sum's loads are per float; the gradients are
// stored four floats per vec4).

override USE_RECURRENT_MASK: bool = false;

#include "lstm_gates"
alias Cell = vec4f;                // four consecutive units per value
#include "lstm_cell_math"

struct Params { B: u32, H: u32, t: u32, tEnd: u32 }

@group(0) @binding(0) var<storage, read> whT: array<vec4f>;      // Whᵀ: [4H, H]
@group(0) @binding(1) var<storage, read> mask: array<u32>;       // [T, B]
@group(0) @binding(2) var<storage, read> rmask: array<vec4f>;    // [B, H]
@group(0) @binding(3) var<storage, read> gates: array<vec4f>;    // [T, B, 4H]
@group(0) @binding(4) var<storage, read> cs: array<vec4f>;       // [T + 1, B, H]
@group(0) @binding(5) var<storage, read> dHs: array<vec4f>;      // [T + 1, B, H]
@group(0) @binding(6) var<storage, read_write> dG: array<f32>;   // [T, B, 4H]
@group(0) @binding(7) var<storage, read_write> dhCarry: array<vec4f>; // [B, H]
@group(0) @binding(8) var<storage, read_write> dcCarry: array<vec4f>; // [B, H]
@group(0) @binding(9) var<uniform> p: Params;

// dG's vec4 i (4 units of one gate), stored as 4 floats.
fn storeDG(i: u32, v: vec4f) {
  dG[4u * i] = v.x;
  dG[4u * i + 1u] = v.y;
  dG[4u * i + 2u] = v.z;
  dG[4u * i + 3u] = v.w;
}

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let H = p.H;
  let H4 = H / 4u;
  let G = 4u * H;                  // floats per row of a [*, 4H] matrix
  let u0 = gid.x * 2u;             // units 4·u0 … 4·u0 + 7
  let b0 = gid.y * 4u;
  if (u0 >= H4 || b0 >= p.B) { return; }
  let u1 = min(u0 + 1u, H4 - 1u);

  // s[2r + j] = Σ_n dG_{t+1}[row b0 + r, n] · Whᵀ[n, units of vec4 u0 + j].
  var s0 = vec4f(0.0); var s1 = vec4f(0.0);
  var s2 = vec4f(0.0); var s3 = vec4f(0.0);
  var s4 = vec4f(0.0); var s5 = vec4f(0.0);
  var s6 = vec4f(0.0); var s7 = vec4f(0.0);
  let hasNext = p.t + 1u < p.tEnd;
  // The sum is read only for rows that are real at t + 1: a block of 4 rows that are all padding there
  // (pre-padded texts in a batch's first timesteps) skips it.
  var live = false;
  if (hasNext) {
    for (var r = 0u; r < 4u; r++) { live = live || mask[(p.t + 1u) * p.B + min(b0 + r, p.B - 1u)] != 0u; }
  }
  if (live) {
    let nBase = (p.t + 1u) * p.B;
    let d0 = (nBase + min(b0 + 0u, p.B - 1u)) * G;
    let d1 = (nBase + min(b0 + 1u, p.B - 1u)) * G;
    let d2 = (nBase + min(b0 + 2u, p.B - 1u)) * G;
    let d3 = (nBase + min(b0 + 3u, p.B - 1u)) * G;
    // Four n per trip; each sum's four products are added together before the running sum (header).
    var w0 = u0;
    var w1 = u1;
    for (var n = 0u; n < G; n += 4u) {
      let x0a = whT[w0]; let x0b = whT[w0 + H4]; let x0c = whT[w0 + 2u * H4]; let x0d = whT[w0 + 3u * H4];
      let x1a = whT[w1]; let x1b = whT[w1 + H4]; let x1c = whT[w1 + 2u * H4]; let x1d = whT[w1 + 3u * H4];
      var a = vec4f(dG[d0 + n], dG[d0 + n + 1u], dG[d0 + n + 2u], dG[d0 + n + 3u]);
      s0 += a.x * x0a + a.y * x0b + a.z * x0c + a.w * x0d;
      s1 += a.x * x1a + a.y * x1b + a.z * x1c + a.w * x1d;
      a = vec4f(dG[d1 + n], dG[d1 + n + 1u], dG[d1 + n + 2u], dG[d1 + n + 3u]);
      s2 += a.x * x0a + a.y * x0b + a.z * x0c + a.w * x0d;
      s3 += a.x * x1a + a.y * x1b + a.z * x1c + a.w * x1d;
      a = vec4f(dG[d2 + n], dG[d2 + n + 1u], dG[d2 + n + 2u], dG[d2 + n + 3u]);
      s4 += a.x * x0a + a.y * x0b + a.z * x0c + a.w * x0d;
      s5 += a.x * x1a + a.y * x1b + a.z * x1c + a.w * x1d;
      a = vec4f(dG[d3 + n], dG[d3 + n + 1u], dG[d3 + n + 2u], dG[d3 + n + 3u]);
      s6 += a.x * x0a + a.y * x0b + a.z * x0c + a.w * x0d;
      s7 += a.x * x1a + a.y * x1b + a.z * x1c + a.w * x1d;
      w0 += 4u * H4;
      w1 += 4u * H4;
    }
  }
  let rec = array<vec4f, 8>(s0, s1, s2, s3, s4, s5, s6, s7);

  for (var r = 0u; r < 4u; r++) {
    let b = b0 + r;
    if (b >= p.B) { break; }
    for (var j = 0u; j < 2u; j++) {
      let u = u0 + j;
      if (u >= H4) { break; }
      let bk = b * H4 + u;         // vec4 index of (b, units) in a [B, H] array
      var recurrent = vec4f(0.0);
      if (hasNext) {
        if (mask[(p.t + 1u) * p.B + b] != 0u) {
          recurrent = rec[2u * r + j];
          if (USE_RECURRENT_MASK) { recurrent *= rmask[bk]; }
        } else {
          recurrent = dhCarry[bk];
        }
      }
      let dh = dHs[(p.t + 1u) * p.B * H4 + bk] + recurrent;
      let gBase = (p.t * p.B + b) * H + u;   // vec4 index of gate 0 of these units: a row holds H vec4s
      if (mask[p.t * p.B + b] == 0u) {
        for (var g = 0u; g < 4u; g++) { storeDG(gBase + g * H4, vec4f(0.0)); }
        dhCarry[bk] = dh;
        continue;
      }
      let d = cellGrads(
        dh, dcCarry[bk],
        gates[gBase + GATE_I * H4], gates[gBase + GATE_F * H4], gates[gBase + GATE_C * H4], gates[gBase + GATE_O * H4],
        cs[(p.t + 1u) * p.B * H4 + bk], cs[p.t * p.B * H4 + bk],
      );
      storeDG(gBase + GATE_I * H4, d.zi);
      storeDG(gBase + GATE_F * H4, d.zf);
      storeDG(gBase + GATE_C * H4, d.zc);
      storeDG(gBase + GATE_O * H4, d.zo);
      dcCarry[bk] = d.cPrev;
    }
  }
}
