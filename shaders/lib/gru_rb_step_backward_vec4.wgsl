// The interface of the reset-before GRU's per-timestep backward kernels for H divisible by 4, four
// consecutive units per value: shared by gru_rb_backward_state_vec4.wgsl and
// gru_rb_backward_reset_vec4.wgsl. The same buffers (by name) as shaders/lib/gru_rb_step_backward.wgsl
// (whose header derives the carries and masking rules), read as vec4s, except that Wh is read
// transposed: whT = Whᵀ [3H, H], copied once per layer by the host, so that a load of whT[n, 4·g4 …] is
// the 4 units' weights of one column n and adjacent invocations read adjacent vec4s.
// The including kernel declares the override USE_RECURRENT_MASK.

alias Cell = vec4f;                // four consecutive units per value
#include "gru_rb_cell"

struct Params { B: u32, H: u32, t: u32, tStart: u32, tEnd: u32 }

@group(0) @binding(0) var<storage, read> whT: array<vec4f>;          // Whᵀ: [3H, H]
@group(0) @binding(1) var<storage, read> mask: array<u32>;           // [T, B]
@group(0) @binding(2) var<storage, read> rmask: array<vec4f>;        // [B, H] (read only with USE_RECURRENT_MASK)
@group(0) @binding(3) var<storage, read> gates: array<vec4f>;        // [T, B, 3H]: z, r, h̃
@group(0) @binding(4) var<storage, read> hs: array<vec4f>;           // [T + 1, B, H]
@group(0) @binding(5) var<storage, read> dHs: array<vec4f>;          // [T + 1, B, H]
@group(0) @binding(6) var<storage, read_write> dG: array<vec4f>;     // [T, B, 3H]: dGz, dGr, da_h
@group(0) @binding(7) var<storage, read_write> dhCarry: array<vec4f>; // [B, H]
@group(0) @binding(8) var<uniform> p: Params;

// The recurrent-dropout mask of row b, units 4·g4 … (ones without one).
fn maskOf4(b: u32, g4: u32) -> vec4f {
  if (USE_RECURRENT_MASK) { return rmask[b * (p.H / 4u) + g4]; }
  return vec4f(1.0);
}

// Σ_{n4 < count} x[n4] · whT[4·(n0 + n4) …, units 4·g4 …] for 4 batch rows: rows d (vec4 indices of each
// row's first n quad in dG), whT's row n0 on. Four n per trip: 4 dG loads (a vec4 of n per row) and 4
// whT loads feed 64 multiply-adds into 4 running vec4 sums.
fn sumRows(d: vec4u, count: u32, n0: u32, g4: u32) -> array<vec4f, 4> {
  let H4 = p.H / 4u;
  var r0 = vec4f(0.0); var r1 = vec4f(0.0); var r2 = vec4f(0.0); var r3 = vec4f(0.0);
  var w = n0 * H4 + g4;
  for (var nq = 0u; nq < count; nq++) {
    let x0 = dG[d.x + nq]; let x1 = dG[d.y + nq]; let x2 = dG[d.z + nq]; let x3 = dG[d.w + nq];
    let wa = whT[w]; let wb = whT[w + H4]; let wc = whT[w + 2u * H4]; let wd = whT[w + 3u * H4];
    r0 += x0.x * wa + x0.y * wb + x0.z * wc + x0.w * wd;
    r1 += x1.x * wa + x1.y * wb + x1.z * wc + x1.w * wd;
    r2 += x2.x * wa + x2.y * wb + x2.z * wc + x2.w * wd;
    r3 += x3.x * wa + x3.y * wb + x3.z * wc + x3.w * wd;
    w += 4u * H4;
  }
  return array<vec4f, 4>(r0, r1, r2, r3);
}
