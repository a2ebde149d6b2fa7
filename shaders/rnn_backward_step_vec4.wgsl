// One SimpleRNN timestep of backpropagation through time, fused, for H divisible by 4: the same
// computation as rnn_backward_step.wgsl (read that file's header for the derivatives and the masking
// rules), with each invocation owning 4 consecutive units of 4 batch rows. The recurrent sum
// Σ_j dG_{t+1}[b, j]·Wh[k, j] reads Whᵀ ([H, H], transposed once per layer by the host), so that a load
// of Whᵀ[j, 4·g4 …] is the 4 units' weights of one j and adjacent invocations read adjacent vec4s (as
// lstm_backward_step_vec4.wgsl does); four j per trip: 4 dG loads (a vec4 of j per row) and 4 Whᵀ loads
// feed 64 multiply-adds into 4 running vec4 sums.
//
// Thread mapping: invocation (gid.x = unit group g4: units 4·g4 … 4·g4 + 3, gid.y = group of 4 batch rows).
// Dispatch: (ceil(H / 256), ceil(B / 4), 1), once per timestep that is not all padding.

override USE_RECURRENT_MASK: bool = false;

alias Cell = vec4f;                // four consecutive units per value
#include "rnn_cell"

struct Params { B: u32, H: u32, t: u32, tEnd: u32, act: u32 }

@group(0) @binding(0) var<storage, read> whT: array<vec4f>;      // Whᵀ: [H, H]
@group(0) @binding(1) var<storage, read> mask: array<u32>;       // [T, B]
@group(0) @binding(2) var<storage, read> rmask: array<vec4f>;    // [B, H] (read only with USE_RECURRENT_MASK)
@group(0) @binding(3) var<storage, read> hs: array<vec4f>;       // [T + 1, B, H]
@group(0) @binding(4) var<storage, read> dHs: array<vec4f>;      // [T + 1, B, H]
@group(0) @binding(5) var<storage, read_write> dG: array<vec4f>; // [T, B, H]
@group(0) @binding(6) var<storage, read_write> dhCarry: array<vec4f>; // [B, H]
@group(0) @binding(7) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let H4 = p.H / 4u;               // vec4s per row of any [*, H] array
  let g4 = gid.x;
  let b0 = gid.y * 4u;
  if (g4 >= H4 || b0 >= p.B) { return; }
  let hasNext = p.t + 1u < p.tEnd;

  // rec[r] = Σ_j dG_{t+1}[row r, j] · Whᵀ[j, units 4·g4 …], four j per trip.
  var rec: array<vec4f, 4>;
  if (hasNext) {
    var r0 = vec4f(0.0); var r1 = vec4f(0.0); var r2 = vec4f(0.0); var r3 = vec4f(0.0);
    let nBase = (p.t + 1u) * p.B;
    let d0 = (nBase + b0) * H4;
    let d1 = (nBase + min(b0 + 1u, p.B - 1u)) * H4;
    let d2 = (nBase + min(b0 + 2u, p.B - 1u)) * H4;
    let d3 = (nBase + min(b0 + 3u, p.B - 1u)) * H4;
    var w = g4;                    // vec4 index of Whᵀ[4·jq, 4·g4]
    for (var jq = 0u; jq < H4; jq++) {
      let x0 = dG[d0 + jq]; let x1 = dG[d1 + jq]; let x2 = dG[d2 + jq]; let x3 = dG[d3 + jq];
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
      if (mask[(p.t + 1u) * p.B + b] != 0u) {
        recurrent = rec[r];
        if (USE_RECURRENT_MASK) { recurrent *= rmask[bk]; }
      } else {
        recurrent = dhCarry[bk];
      }
    }
    let next = (p.t + 1u) * p.B * H4 + bk;
    let dh = dHs[next] + recurrent;
    let g = p.t * p.B * H4 + bk;
    if (mask[p.t * p.B + b] == 0u) {
      dG[g] = vec4f(0.0);
      dhCarry[bk] = dh;
      continue;
    }
    dG[g] = dh * rnnSlope(p.act, hs[next]);
  }
}
