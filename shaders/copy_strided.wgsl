// Strided 2-D copy between matrices with different row strides:
//
//   Y[offY + r·ldY + c] = X[offX + r·ldX + c]      (accumulate = 0)
//   Y[offY + r·ldY + c] += X[offX + r·ldX + c]     (accumulate = 1)
//
// Concatenation along features (bidirectional outputs [h_fwd | h_bwd]) is two copies into column
// windows; its backward is two accumulating copies out of them.
// Thread mapping: one invocation per element of the rows × cols window; gid.y extends the grid.
// Dispatch: (min(ceil(n / 64), 65535), ceil(ceil(n / 64) / 65535), 1) with n = rows · cols.

struct Params { rows: u32, cols: u32, ldX: u32, ldY: u32, offX: u32, offY: u32, accumulate: u32 }

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read_write> Y: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * 65535u * 64u;
  if (i >= p.rows * p.cols) { return; }
  let r = i / p.cols;
  let c = i % p.cols;
  let dst = p.offY + r * p.ldY + c;
  var v = X[p.offX + r * p.ldX + c];
  if (p.accumulate != 0u) { v += Y[dst]; }
  Y[dst] = v;
}
