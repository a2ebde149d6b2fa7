// Zero the rows a padding mask marks (Keras's Bidirectional with return_sequences outputs zeros at
// masked timesteps):
//
//   Y[r, c] = mask[r] != 0 ? X[r, c] : 0          (accumulate = 0, forward)
//   Y[r, c] += mask[r] != 0 ? X[r, c] : 0         (accumulate = 1, backward: dX += dY where the row is real)
//
// On a time-major [T, B, F] tensor, row r = t·B + b and mask is the [T·B] real-token flags. The forward
// and the backward are the same map.
//
// Thread mapping: a grid-stride loop over the elements, one element per invocation per pass.
// Dispatch: (min(ceil(n / 64), 512), 1, 1) with n = rows · cols.

struct Params { rows: u32, cols: u32, offX: u32, offY: u32, accumulate: u32 }

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> mask: array<u32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let n = p.rows * p.cols;
  for (var i = gid.x; i < n; i += groups.x * 64u) {
    var v = select(0.0, X[p.offX + i], mask[i / p.cols] != 0u);
    if (p.accumulate != 0u) { v += Y[p.offY + i]; }
    Y[p.offY + i] = v;
  }
}
