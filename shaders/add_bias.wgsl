// Row-broadcast bias add, in place:  Y[r, c] += bias[c]   for r < rows, c < cols.
//
// Thread mapping: one invocation per element (gid.x = flat index r·cols + c, with gid.y adding
// 65535·64 per row of the grid so very large tensors fit the dispatch limit).
// Dispatch: (min(ceil(n / 64), 65535), ceil(ceil(n / 64) / 65535), 1).

struct Params { rows: u32, cols: u32, offY: u32, offBias: u32 }

@group(0) @binding(0) var<storage, read_write> Y: array<f32>;
@group(0) @binding(1) var<storage, read> bias: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * 65535u * 64u;
  if (i >= p.rows * p.cols) { return; }
  let c = i % p.cols;
  Y[p.offY + i] += bias[p.offBias + c];
}
