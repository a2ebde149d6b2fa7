// One reset-after GRU timestep of backpropagation through time, fused, for H divisible by 4: the same
// computation as gru_ra_backward_step.wgsl (read that file's header for the derivatives, gate order
// z, r, h̃ and the masking rules), with each invocation owning 4 consecutive units of 4 batch rows. The
// recurrent sum Σ_n dGh_{t+1}[b, n]·Wh[k, n] reads Whᵀ ([3H, H], transposed once per layer by the host),
// so that a load of Whᵀ[n, 4·g4 …] is the 4 units' weights of one n and adjacent invocations read
// adjacent vec4s; four n per trip: 4 dGh loads (a vec4 of n per row) and 4 Whᵀ loads feed 64
// multiply-adds into 4 running vec4 sums (as lstm_backward_step_vec4.wgsl).
//
// Thread mapping: invocation (gid.x = unit group k0 = 4·gid.x, gid.y = group of 4 batch rows).
// Dispatch: (ceil(H / 256), ceil(B / 4), 1), once per timestep that is not all padding, with dhCarry
// zeroed before the first. rmask is read as vec4s: bind a full [B, H] buffer even without dropout.

override USE_RECURRENT_MASK: bool = false;

alias Cell = vec4f;                // four consecutive units per value
#include "gru_ra_cell"

struct Params { B: u32, H: u32, t: u32, tEnd: u32 }

@group(0) @binding(0) var<storage, read> whT: array<vec4f>;       // Whᵀ: [3H, H]
@group(0) @binding(1) var<storage, read> mask: array<u32>;        // [T, B]
@group(0) @binding(2) var<storage, read> rmask: array<vec4f>;     // [B, H]
@group(0) @binding(3) var<storage, read> gates: array<vec4f>;     // [T, B, 4H]: z, r, h̃, hp_h
@group(0) @binding(4) var<storage, read> hs: array<vec4f>;        // [T + 1, B, H]
@group(0) @binding(5) var<storage, read> dHs: array<vec4f>;       // [T + 1, B, H]
@group(0) @binding(6) var<storage, read_write> dGx: array<vec4f>; // [T, B, 3H]
@group(0) @binding(7) var<storage, read_write> dGh: array<vec4f>; // [T, B, 3H]
@group(0) @binding(8) var<storage, read_write> dhCarry: array<vec4f>; // [B, H]
@group(0) @binding(9) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let H = p.H;
  let H4 = H / 4u;
  let G4 = 3u * H4;                // vec4s per row of a [*, 3H] matrix
  let g4 = gid.x;                  // units 4·g4 … 4·g4 + 3
  let b0 = gid.y * 4u;
  if (g4 >= H4 || b0 >= p.B) { return; }
  let rows = vec4u(b0, min(b0 + 1u, p.B - 1u), min(b0 + 2u, p.B - 1u), min(b0 + 3u, p.B - 1u));

  // rec[r] = Σ_n dGh_{t+1}[row r, n] · Whᵀ[n, units 4·g4 …], four n per trip.
  var rec: array<vec4f, 4>;
  let hasNext = p.t + 1u < p.tEnd;
  if (hasNext) {
    var r0 = vec4f(0.0); var r1 = vec4f(0.0); var r2 = vec4f(0.0); var r3 = vec4f(0.0);
    let nBase = (p.t + 1u) * p.B;
    let d0 = (nBase + rows.x) * G4;
    let d1 = (nBase + rows.y) * G4;
    let d2 = (nBase + rows.z) * G4;
    let d3 = (nBase + rows.w) * G4;
    var w = g4;
    for (var nq = 0u; nq < G4; nq++) {
      let x0 = dGh[d0 + nq]; let x1 = dGh[d1 + nq]; let x2 = dGh[d2 + nq]; let x3 = dGh[d3 + nq];
      let wa = whT[w]; let wb = whT[w + H4]; let wc = whT[w + 2u * H4]; let wd = whT[w + 3u * H4];
      r0 += x0.x * wa + x0.y * wb + x0.z * wc + x0.w * wd;
      r1 += x1.x * wa + x1.y * wb + x1.z * wc + x1.w * wd;
      r2 += x2.x * wa + x2.y * wb + x2.z * wc + x2.w * wd;
      r3 += x3.x * wa + x3.y * wb + x3.z * wc + x3.w * wd;
      w += 4u * H4;
    }
    rec[0] = r0; rec[1] = r1; rec[2] = r2; rec[3] = r3;
  }

  for (var r = 0u; r < 4u; r++) {
    let b = b0 + r;
    if (b >= p.B) { break; }
    let bk = b * H4 + g4;          // vec4 index of (b, units) in a [B, H] array
    var recurrent = vec4f(0.0);
    if (hasNext) {
      recurrent = rec[r];
      if (USE_RECURRENT_MASK) { recurrent *= rmask[bk]; }
    }
    let dh = dHs[(p.t + 1u) * p.B * H4 + bk] + dhCarry[bk] + recurrent;
    let xBase = (p.t * p.B + b) * G4 + g4;
    if (mask[p.t * p.B + b] == 0u) {
      for (var g = 0u; g < 3u; g++) {
        dGx[xBase + g * H4] = vec4f(0.0);
        dGh[xBase + g * H4] = vec4f(0.0);
      }
      dhCarry[bk] = dh;
      continue;
    }
    let aBase = (p.t * p.B + b) * 4u * H4 + g4;
    let d = gruGrads(
      dh,
      gates[aBase + GATE_Z * H4], gates[aBase + GATE_R * H4], gates[aBase + GATE_H * H4], gates[aBase + SLOT_HREC * H4],
      hs[p.t * p.B * H4 + bk],
    );
    dGx[xBase + GATE_Z * H4] = d.z;
    dGx[xBase + GATE_R * H4] = d.r;
    dGx[xBase + GATE_H * H4] = d.xh;
    dGh[xBase + GATE_Z * H4] = d.z;
    dGh[xBase + GATE_R * H4] = d.r;
    dGh[xBase + GATE_H * H4] = d.hh;
    dhCarry[bk] = d.carry;
  }
}
