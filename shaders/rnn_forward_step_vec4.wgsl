// One SimpleRNN timestep, fused, for H divisible by 4: the same computation as rnn_forward_step.wgsl
// (read that file's header for the math, storage layout and masking), with each invocation owning 4
// consecutive units of 4 batch rows. Four k per trip: 4 vec4 loads of Wh (row k, units 4·g4 …) and one
// vec4 of h_{t−1} (k … k+3) per row feed 64 multiply-adds, 8 loads in all.
//
// Requires H % 4 == 0 and Wh's offset % 4 == 0 (the host checks both).
// Thread mapping: invocation (gid.x = unit group g4: units 4·g4 … 4·g4 + 3, gid.y = group of 4 batch rows).
// Dispatch: (ceil(H / 256), ceil(B / 4), 1), once per timestep that is not all padding.

override USE_RECURRENT_MASK: bool = false;

alias Cell = vec4f;                // four consecutive units per value
#include "rnn_cell"

// kEnd: H, or 0 at the first processed timestep (h_{t−1} is then the zero initial state).
struct Params { B: u32, H: u32, t: u32, offWh: u32, kEnd: u32, act: u32 }

@group(0) @binding(0) var<storage, read> xp: array<vec4f>;       // [T, B, H]: X·Wx + b
@group(0) @binding(1) var<storage, read> wh: array<vec4f>;       // [H, H] at offWh (floats)
@group(0) @binding(2) var<storage, read> mask: array<u32>;       // [T, B]
@group(0) @binding(3) var<storage, read> rmask: array<vec4f>;    // [B, H] (read only with USE_RECURRENT_MASK)
@group(0) @binding(4) var<storage, read_write> hs: array<vec4f>; // [T + 1, B, H]
// With USE_RECURRENT_MASK: h ⊙ rmask beside h (the recurrent sum reads it without a multiply; dWh's H_prev).
@group(0) @binding(5) var<storage, read_write> hm: array<vec4f>; // [T + 1, B, H]
@group(0) @binding(6) var<uniform> p: Params;

// h_{t−1}[b, 4kq … 4kq + 3] as the recurrence sees it.
fn hPrev(b: u32, kq: u32) -> vec4f {
  let i = (p.t * p.B + b) * (p.H / 4u) + kq;
  if (USE_RECURRENT_MASK) { return hm[i]; }
  return hs[i];
}

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let H4 = p.H / 4u;               // vec4s per row of any [*, H] array
  let g4 = gid.x;
  let b0 = gid.y * 4u;
  if (g4 >= H4 || b0 >= p.B) { return; }
  let b1 = min(b0 + 1u, p.B - 1u);
  let b2 = min(b0 + 2u, p.B - 1u);
  let b3 = min(b0 + 3u, p.B - 1u);
  let row0 = p.t * p.B;

  var a0 = xp[(row0 + b0) * H4 + g4];
  var a1 = xp[(row0 + b1) * H4 + g4];
  var a2 = xp[(row0 + b2) * H4 + g4];
  var a3 = xp[(row0 + b3) * H4 + g4];
  var w = p.offWh / 4u + g4;       // vec4 index of Wh[k, 4·g4]
  for (var kq = 0u; kq < p.kEnd / 4u; kq++) {
    let w0 = wh[w];
    let w1 = wh[w + H4];
    let w2 = wh[w + 2u * H4];
    let w3 = wh[w + 3u * H4];
    let h0 = hPrev(b0, kq);
    let h1 = hPrev(b1, kq);
    let h2 = hPrev(b2, kq);
    let h3 = hPrev(b3, kq);
    a0 += h0.x * w0 + h0.y * w1 + h0.z * w2 + h0.w * w3;
    a1 += h1.x * w0 + h1.y * w1 + h1.z * w2 + h1.w * w3;
    a2 += h2.x * w0 + h2.y * w1 + h2.z * w2 + h2.w * w3;
    a3 += h3.x * w0 + h3.y * w1 + h3.z * w2 + h3.w * w3;
    w += 4u * H4;                  // four rows of Wh on
  }
  let a = array<vec4f, 4>(a0, a1, a2, a3);

  for (var r = 0u; r < 4u; r++) {
    let b = b0 + r;
    if (b >= p.B) { break; }
    let prev = (row0 + b) * H4 + g4;
    let next = prev + p.B * H4;
    if (mask[row0 + b] == 0u) {
      hs[next] = hs[prev];
      if (USE_RECURRENT_MASK) { hm[next] = hm[prev]; }
      continue;
    }
    let h = rnnActivate(p.act, a[r]);
    hs[next] = h;
    if (USE_RECURRENT_MASK) { hm[next] = h * rmask[b * H4 + g4]; }
  }
}
