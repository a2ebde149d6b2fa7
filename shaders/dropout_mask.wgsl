// A pre-scaled dropout mask drawn on the GPU (lib/philox.wgsl), for kernels that read the mask as a
// buffer at every timestep (the recurrent cells' recurrent-dropout mask):
//
//   M[offM + e] = Philox(key, (e, draw, stream)) ≥ floor(rate·2³²) ? 1/(1−rate) : 0,   e < n
//
// The same element index, key and rule as dropout_draw.wgsl: a mask filled here equals the one that
// kernel applies for the same draw. No backward: the mask is a constant of the step.
//
// Thread mapping: a grid-stride loop over the elements, one element per invocation per pass.
// Dispatch: (min(ceil(n / 64), 512), 1, 1).

struct Params { n: u32, offM: u32, seed0: u32, seed1: u32, drawLo: u32, drawHi: u32, stream: u32, threshold: u32, scale: f32 }

@group(0) @binding(0) var<storage, read_write> M: array<f32>;
@group(0) @binding(1) var<uniform> p: Params;

#include "philox"

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  for (var e = gid.x; e < p.n; e += groups.x * 64u) {
    M[p.offM + e] = dropout_mask_value(e);
  }
}
