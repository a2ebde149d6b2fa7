// Dropout with a precomputed, pre-scaled mask (values 0 or 1/(1-rate)), broadcast over row groups:
//
//   Y[r, c] = X[r, c] · mask[(r mod maskRows), c]          (accumulate = 0, forward)
//   Y[r, c] += X[r, c] · mask[(r mod maskRows), c]         (accumulate = 1, backward: dX += dY ⊙ mask)
//
// maskRows = rows gives ordinary dropout. On a time-major [T, B, E] tensor (rows = T·B), maskRows = B
// gives one mask per (sequence, channel) reused at every timestep: Keras SpatialDropout1D, and the
// variational input/recurrent dropout of a Keras LSTM. The forward and the backward are the same map.
//
// Thread mapping: a grid-stride loop over the elements, one element per invocation per pass.
// Dispatch: (min(ceil(n / 64), 512), 1, 1) with n = rows · cols.

struct Params { rows: u32, cols: u32, maskRows: u32, offX: u32, offY: u32, accumulate: u32 }

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> mask: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  // Grid-stride loop: a bounded number of workgroups covers any n (per-workgroup overhead is what
  // costs on CPU adapters).
  let n = p.rows * p.cols;
  for (var i = gid.x; i < n; i += groups.x * 64u) {
    let r = i / p.cols;
    let c = i % p.cols;
    var v = X[p.offX + i] * mask[(r % p.maskRows) * p.cols + c];
    if (p.accumulate != 0u) { v += Y[p.offY + i]; }
    Y[p.offY + i] = v;
  }
}
