// The gradient of one direction through a Bidirectional merge (merge_directions.wgsl), accumulated:
//
//   mode 0 (sum):  dX[i] += dY[i]
//   mode 1 (mul):  dX[i] += dY[i] · Other[i]      (Other: the other direction's output)
//   mode 2 (ave):  dX[i] += dY[i] / 2
//
// Thread mapping: a grid-stride loop over the elements, one element per invocation per pass.
// Dispatch: (min(ceil(n / 64), 512), 1, 1).

struct Params { n: u32, mode: u32, offDY: u32, offOther: u32, offDX: u32 }

@group(0) @binding(0) var<storage, read> dY: array<f32>;
@group(0) @binding(1) var<storage, read> Other: array<f32>;
@group(0) @binding(2) var<storage, read_write> dX: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  for (var i = gid.x; i < p.n; i += groups.x * 64u) {
    let g = dY[p.offDY + i];
    var d = g;
    if (p.mode == 1u) { d = g * Other[p.offOther + i]; }
    if (p.mode == 2u) { d = 0.5 * g; }
    dX[p.offDX + i] += d;
  }
}
