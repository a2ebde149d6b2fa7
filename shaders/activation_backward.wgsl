// Gradient of an elementwise activation, from its output y = act(x), accumulated:
//
//   dX[i] += dY[i] · act′     sigmoid: y(1 − y),  tanh: 1 − y²,  relu: 1 where y > 0 else 0
//
// Thread mapping: a grid-stride loop over the elements. Dispatch: (min(ceil(n / 64), 512), 1, 1).

#include "activations"

override ACT: u32 = 0u;

struct Params { n: u32, offY: u32, offDY: u32, offDX: u32 }

@group(0) @binding(0) var<storage, read> Y: array<f32>;
@group(0) @binding(1) var<storage, read> dY: array<f32>;
@group(0) @binding(2) var<storage, read_write> dX: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  for (var i = gid.x; i < p.n; i += groups.x * 64u) {
    dX[p.offDX + i] += dY[p.offDY + i] * activationSlope(ACT, Y[p.offY + i]);
  }
}
