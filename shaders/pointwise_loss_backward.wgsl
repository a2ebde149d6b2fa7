// Gradient of pointwise_loss.wgsl's loss with respect to Z, accumulated:
//
//   dZ[i] += w_row · invCount · g     mse: 2(z − y),  mae: sign(z − y),  binary cross-entropy: sigmoid(z) − y
//
// Thread mapping: a grid-stride loop over the elements. Dispatch: (min(ceil(n / 64), 512), 1, 1).

#include "activations"

override LOSS: u32 = 0u;

struct Params { rows: u32, cols: u32, offZ: u32, offDZ: u32, invCount: f32 }

@group(0) @binding(0) var<storage, read> Z: array<f32>;
@group(0) @binding(1) var<storage, read> targets: array<f32>;
@group(0) @binding(2) var<storage, read> rowWeight: array<f32>;
@group(0) @binding(3) var<storage, read_write> dZ: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let n = p.rows * p.cols;
  for (var i = gid.x; i < n; i += groups.x * 64u) {
    let z = Z[p.offZ + i];
    let y = targets[i];
    var g = 0.0;
    switch LOSS {
      case 0u: { g = 2.0 * (z - y); }
      case 1u: { g = sign(z - y); }
      default: { g = sigmoidOf(z) - y; }
    }
    dZ[p.offDZ + i] += rowWeight[i / p.cols] * p.invCount * g;
  }
}
