// The interface of the reset-before GRU's per-timestep forward kernels for H divisible by 4, four
// consecutive units per value: shared by gru_rb_forward_gates_vec4.wgsl and
// gru_rb_forward_candidate_vec4.wgsl. The same buffers (by name) as shaders/lib/gru_rb_step_forward.wgsl,
// whose header has the layouts and masking rules, read as vec4s. The including kernel declares the
// override USE_RECURRENT_MASK.

alias Cell = vec4f;                // four consecutive units per value
#include "gru_rb_cell"

// kEnd: H, or 0 at the first processed timestep (h_{t−1} is then the zero initial state).
struct Params { B: u32, H: u32, t: u32, offWh: u32, kEnd: u32 }

@group(0) @binding(0) var<storage, read> xp: array<vec4f>;          // [T, B, 3H]: X·Wx + b
@group(0) @binding(1) var<storage, read> wh: array<vec4f>;          // [H, 3H] at offWh (floats)
@group(0) @binding(2) var<storage, read> mask: array<u32>;          // [T, B]
@group(0) @binding(3) var<storage, read> rmask: array<vec4f>;       // [B, H] (read only with USE_RECURRENT_MASK)
@group(0) @binding(4) var<storage, read_write> hs: array<vec4f>;    // [T + 1, B, H]
@group(0) @binding(5) var<storage, read_write> gates: array<vec4f>; // [T, B, 3H]: z, r, h̃
@group(0) @binding(6) var<storage, read_write> rh: array<vec4f>;    // [T, B, H]: r ⊙ h̄
@group(0) @binding(7) var<uniform> p: Params;
// With USE_RECURRENT_MASK: h̄ = h ⊙ rmask beside h, [T + 1, B, H]; else unused.
@group(0) @binding(8) var<storage, read_write> hm: array<vec4f>;

// h̄_{t−1} of row b, units 4·kq … 4·kq+3.
fn hBar4(b: u32, kq: u32) -> vec4f {
  let i = (p.t * p.B + b) * (p.H / 4u) + kq;
  if (USE_RECURRENT_MASK) { return hm[i]; }
  return hs[i];
}
