// Dropout whose mask is drawn in the kernel (lib/philox.wgsl) instead of read from a buffer, a mask value
// per element (ordinary dropout):
//
//   m[e] = Philox(key, (e, draw, stream)) ≥ floor(rate·2³²) ? 1/(1−rate) : 0,   e = r·cols + c
//   Y[r, c] = X[r, c] · m[e]             (accumulate = 0, forward)
//   Y[r, c] += X[r, c] · m[e]            (accumulate = 1, backward: dX += dY ⊙ m, the same mask recomputed)
//
// Nothing is drawn on the host, nothing uploaded, and no mask is kept between the forward and the
// backward. A mask shared across timesteps (Keras SpatialDropout1D, the recurrent layers' variational
// input dropout) is not drawn here: dropout_mask.wgsl fills it once (the same rule and element index)
// and dropout.wgsl reads it.
//
// Thread mapping: a grid-stride loop over the elements, one element per invocation per pass.
// Dispatch: (min(ceil(n / 64), 512), 1, 1) with n = rows · cols.

struct Params {
  rows: u32, cols: u32, offX: u32, offY: u32, accumulate: u32,
  seed0: u32, seed1: u32, drawLo: u32, drawHi: u32, stream: u32, threshold: u32, scale: f32,
}

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read_write> Y: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

#include "philox"

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let n = p.rows * p.cols;
  for (var i = gid.x; i < n; i += groups.x * 64u) {
    var v = X[p.offX + i] * dropout_mask_value(i);
    if (p.accumulate != 0u) { v += Y[p.offY + i]; }
    Y[p.offY + i] = v;
  }
}
