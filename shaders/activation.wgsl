// Elementwise activation of a dense layer's output:
//
//   Y[i] = act(X[i])      ACT = 0: sigmoid 1/(1 + e^−x),  1: tanh,  2: relu max(x, 0)
//
// The backward (activation_backward.wgsl) needs only Y, so X may be overwritten or reused.
// Thread mapping: a grid-stride loop over the elements. Dispatch: (min(ceil(n / 64), 512), 1, 1).

#include "activations"

override ACT: u32 = 0u;

struct Params { n: u32, offX: u32, offY: u32 }

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read_write> Y: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  for (var i = gid.x; i < p.n; i += groups.x * 64u) {
    Y[p.offY + i] = activate(ACT, X[p.offX + i]);
  }
}
