// Row-broadcast bias add, in place:  Y[r, c] += bias[c]   for r < rows, c < cols.
//
// Thread mapping: a grid-stride loop over the flat index r·cols + c.
// Dispatch: (min(ceil(n / 64), 512), 1, 1).

struct Params { rows: u32, cols: u32, offY: u32, offBias: u32 }

@group(0) @binding(0) var<storage, read_write> Y: array<f32>;
@group(0) @binding(1) var<storage, read> bias: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  // Grid-stride loop: a bounded number of workgroups covers any n (per-workgroup overhead is what
  // costs on CPU adapters).
  let n = p.rows * p.cols;
  for (var i = gid.x; i < n; i += groups.x * 64u) {
    let c = i % p.cols;
    Y[p.offY + i] += bias[p.offBias + c];
  }
}
