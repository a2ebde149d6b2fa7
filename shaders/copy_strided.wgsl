// Strided 2-D copy between matrices with different row strides:
//
//   Y[offY + r·ldY + c] = X[offX + r·ldX + c]      (accumulate = 0)
//   Y[offY + r·ldY + c] += X[offX + r·ldX + c]     (accumulate = 1)
//
// Concatenation along features (bidirectional outputs [h_fwd | h_bwd]) is two copies into column
// windows; its backward is two accumulating copies out of them.
// Thread mapping: a grid-stride loop over the rows × cols window.
// Dispatch: (min(ceil(n / 64), 512), 1, 1) with n = rows · cols.

struct Params { rows: u32, cols: u32, ldX: u32, ldY: u32, offX: u32, offY: u32, accumulate: u32 }

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read_write> Y: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  // Grid-stride loop: a bounded number of workgroups covers any n (per-workgroup overhead is what
  // costs on CPU adapters).
  let n = p.rows * p.cols;
  for (var i = gid.x; i < n; i += groups.x * 64u) {
    let r = i / p.cols;
    let c = i % p.cols;
    let dst = p.offY + r * p.ldY + c;
    var v = X[p.offX + r * p.ldX + c];
    if (p.accumulate != 0u) { v += Y[dst]; }
    Y[dst] = v;
  }
}
