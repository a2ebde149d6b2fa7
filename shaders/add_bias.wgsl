// Row-broadcast bias add, in place:  Y[r, c] += bias[c]   for r < rows, c < cols.
//
// Thread mapping: invocation x owns column c (neighbouring invocations touch neighbouring floats), y
// strides over the rows. No integer division per element (on a software adapter it ran per lane
// without SIMD and was most of this kernel's time).
// Dispatch: (ceil(cols / 64), gy ≤ rows, 1) with gx · gy ≤ 512 (rowsGrid, engine/step.ts).

struct Params { rows: u32, cols: u32, offY: u32, offBias: u32 }

@group(0) @binding(0) var<storage, read_write> Y: array<f32>;
@group(0) @binding(1) var<storage, read> bias: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let c = gid.x;
  if (c >= p.cols) { return; }
  let b = bias[p.offBias + c];
  for (var r = gid.y; r < p.rows; r += groups.y) {
    Y[p.offY + r * p.cols + c] += b;
  }
}
