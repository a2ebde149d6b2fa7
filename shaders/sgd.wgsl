// Plain stochastic gradient descent over the whole parameter arena in one dispatch:
//
//   θ -= lr · grad · scale          (scale from grad_clip_scale.wgsl: global-norm clipping)
//
// As with Adam, a non-finite gradient norm (clip[2] = 0) skips the update, keeping the last good weights.
// Thread mapping: a grid-stride loop over the parameters. Dispatch: (min(ceil(n / 64), 512), 1, 1).

struct Params { n: u32, learningRate: f32 }

@group(0) @binding(0) var<storage, read_write> theta: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read> clip: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  if (clip[2] == 0.0) { return; }
  for (var i = gid.x; i < p.n; i += groups.x * 64u) {
    theta[i] -= p.learningRate * grad[i] * clip[0];
  }
}
