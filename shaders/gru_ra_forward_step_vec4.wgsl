// One reset-after GRU timestep, fused, for H divisible by 4: the same computation as
// gru_ra_forward_step.wgsl (read that file's header for the math, gate order z, r, h̃, storage layout and
// masking), with each invocation owning 4 consecutive units of 4 batch rows so that every Wh load is a
// vec4 (4 units of one gate) and every h_{t−1} load serves 12 multiply-adds: 7 loads per 48
// multiply-adds in the k loop.
//
// Thread mapping: invocation (gid.x = unit group j0 = 4·gid.x, gid.y = group of 4 batch rows).
// Dispatch: (ceil(H / 256), ceil(B / 4), 1), once per timestep that is not all padding. Needs Wh's
// offset divisible by 4 (the bias is read as floats: any offset).

override USE_RECURRENT_MASK: bool = false;

alias Cell = vec4f;                // four consecutive units per value
#include "gru_ra_cell"

// kEnd: H, or 0 at the first processed timestep (h_{t−1} is then the zero initial state: the sums are b_h).
struct Params { B: u32, H: u32, t: u32, offWh: u32, offBh: u32, kEnd: u32 }

@group(0) @binding(0) var<storage, read> xp: array<vec4f>;          // [T, B, 3H]: X·Wx + b_x
@group(0) @binding(1) var<storage, read> wh: array<vec4f>;          // [H, 3H] at offWh (floats)
@group(0) @binding(2) var<storage, read> mask: array<u32>;          // [T, B]
@group(0) @binding(3) var<storage, read> rmask: array<f32>;         // [B, H]
@group(0) @binding(4) var<storage, read_write> hs: array<f32>;      // [T + 1, B, H]
@group(0) @binding(5) var<storage, read_write> gates: array<vec4f>; // [T, B, 4H]: z, r, h̃, hp_h
// With USE_RECURRENT_MASK: h ⊙ rmask beside h (the recurrent sums read it without a multiply; dWh's H_prev).
@group(0) @binding(6) var<storage, read_write> hm: array<f32>;      // [T + 1, B, H]
@group(0) @binding(7) var<storage, read> bias: array<f32>;          // [2·3H]: b_x, b_h (b_h at offBh)
@group(0) @binding(8) var<uniform> p: Params;

fn hPrev(b: u32, k: u32) -> f32 {
  if (USE_RECURRENT_MASK) { return hm[(p.t * p.B + b) * p.H + k]; }
  return hs[(p.t * p.B + b) * p.H + k];
}

// Four consecutive floats of a [*, H] state array as one value (hs is read per float by the k loop).
fn hsQuad(i: u32) -> vec4f { return vec4f(hs[i], hs[i + 1u], hs[i + 2u], hs[i + 3u]); }
fn biasQuad(i: u32) -> vec4f { return vec4f(bias[i], bias[i + 1u], bias[i + 2u], bias[i + 3u]); }

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let H = p.H;
  let H4 = H / 4u;                 // vec4s per gate block
  let G4 = 3u * H4;                // vec4s per row of a [*, 3H] matrix
  let g4 = gid.x;                  // unit group: units 4·g4 … 4·g4 + 3
  let b0 = gid.y * 4u;
  if (g4 >= H4 || b0 >= p.B) { return; }
  let b1 = min(b0 + 1u, p.B - 1u);
  let b2 = min(b0 + 2u, p.B - 1u);
  let b3 = min(b0 + 3u, p.B - 1u);

  // Recurrent sums hp[row][gate] for 4 units, starting from b_h.
  let bz = biasQuad(p.offBh + GATE_Z * H + 4u * g4);
  let br = biasQuad(p.offBh + GATE_R * H + 4u * g4);
  let bc = biasQuad(p.offBh + GATE_H * H + 4u * g4);
  var z0 = bz; var r0 = br; var c0 = bc;
  var z1 = bz; var r1 = br; var c1 = bc;
  var z2 = bz; var r2 = br; var c2 = bc;
  var z3 = bz; var r3 = br; var c3 = bc;
  var wBase = p.offWh / 4u + g4;
  for (var k = 0u; k < p.kEnd; k++) {
    let wz = wh[wBase + GATE_Z * H4];
    let wr = wh[wBase + GATE_R * H4];
    let wc = wh[wBase + GATE_H * H4];
    let h0 = hPrev(b0, k);
    let h1 = hPrev(b1, k);
    let h2 = hPrev(b2, k);
    let h3 = hPrev(b3, k);
    z0 += h0 * wz; r0 += h0 * wr; c0 += h0 * wc;
    z1 += h1 * wz; r1 += h1 * wr; c1 += h1 * wc;
    z2 += h2 * wz; r2 += h2 * wr; c2 += h2 * wc;
    z3 += h3 * wz; r3 += h3 * wr; c3 += h3 * wc;
    wBase += G4;                   // next row of Wh
  }
  let hp = array<array<vec4f, 3>, 4>(
    array<vec4f, 3>(z0, r0, c0),
    array<vec4f, 3>(z1, r1, c1),
    array<vec4f, 3>(z2, r2, c2),
    array<vec4f, 3>(z3, r3, c3),
  );

  for (var r = 0u; r < 4u; r++) {
    let b = b0 + r;
    if (b >= p.B) { break; }
    let prev = (p.t * p.B + b) * H + 4u * g4;          // float index into hs
    let next = ((p.t + 1u) * p.B + b) * H + 4u * g4;
    let gBase = (p.t * p.B + b) * 4u * H4 + g4;        // vec4 index into gates
    if (mask[p.t * p.B + b] == 0u) {
      for (var u = 0u; u < 4u; u++) { hs[next + u] = hs[prev + u]; }
      if (USE_RECURRENT_MASK) { for (var u = 0u; u < 4u; u++) { hm[next + u] = hm[prev + u]; } }
      for (var g = 0u; g < 4u; g++) { gates[gBase + g * H4] = vec4f(0.0); }
      continue;
    }
    let xBase = (p.t * p.B + b) * G4 + g4;
    let s = gruStep(xp[xBase + GATE_Z * H4], xp[xBase + GATE_R * H4], xp[xBase + GATE_H * H4], hp[r][GATE_Z], hp[r][GATE_R], hp[r][GATE_H], hsQuad(prev));
    for (var u = 0u; u < 4u; u++) { hs[next + u] = s.h[u]; }
    if (USE_RECURRENT_MASK) { for (var u = 0u; u < 4u; u++) { hm[next + u] = s.h[u] * rmask[b * H + 4u * g4 + u]; } }
    gates[gBase + GATE_Z * H4] = s.z;
    gates[gBase + GATE_R * H4] = s.r;
    gates[gBase + GATE_H * H4] = s.hh;
    gates[gBase + SLOT_HREC * H4] = hp[r][GATE_H];
  }
}
