// Dropout whose mask is drawn in the kernel (lib/philox.wgsl) instead of read from a buffer:
//
//   m[e] = Philox(key, (e, draw, stream)) ≥ floor(rate·2³²) ? 1/(1−rate) : 0,   e = (r mod maskRows)·cols + c
//   Y[r, c] = X[r, c] · m[e]             (accumulate = 0, forward)
//   Y[r, c] += X[r, c] · m[e]            (accumulate = 1, backward: dX += dY ⊙ m, the same mask recomputed)
//
// maskRows = rows gives ordinary dropout. On a time-major [T, B, E] tensor (rows = T·B), maskRows = B
// gives one mask per (sequence, channel) reused at every timestep: Keras SpatialDropout1D and the
// variational input dropout of the recurrent layers. Nothing is drawn on the host, nothing uploaded, and
// no mask is kept between the forward and the backward.
//
// Thread mapping: a grid-stride loop over the elements, one element per invocation per pass.
// Dispatch: (min(ceil(n / 64), 512), 1, 1) with n = rows · cols.

struct Params {
  rows: u32, cols: u32, maskRows: u32, offX: u32, offY: u32, accumulate: u32,
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
    let r = i / p.cols;
    let c = i % p.cols;
    var v = X[p.offX + i] * dropout_mask_value((r % p.maskRows) * p.cols + c);
    if (p.accumulate != 0u) { v += Y[p.offY + i]; }
    Y[p.offY + i] = v;
  }
}
