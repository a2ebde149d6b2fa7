// Fused Adam over every parameter of the model in one dispatch (all parameters live in one arena).
//
//   g  = grad · scale                         (scale from grad_clip_scale.wgsl: global-norm clipping)
//   m  = β1 · m + (1 − β1) · g
//   v  = β2 · v + (1 − β2) · g²
//   θ -= lrT · m / (sqrt(v) + ε)              lrT = lr · sqrt(1 − β2^t) / (1 − β1^t), computed on the host
//
// This is Keras's Adam (bias correction folded into the step size, ε outside the square root). When the
// gradient norm is not finite (clip[2] = 0) the update is skipped entirely, keeping the last good weights.
//
// Thread mapping: a grid-stride loop over the parameters.
// Dispatch: (min(ceil(n / 64), 512), 1, 1).

struct Params { n: u32, lrT: f32, beta1: f32, beta2: f32, epsilon: f32 }

@group(0) @binding(0) var<storage, read_write> theta: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<storage, read> clip: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  if (clip[2] == 0.0) { return; }
  // Grid-stride loop: a bounded number of workgroups covers any n (per-workgroup overhead is what
  // costs on CPU adapters).
  let n = p.n;
  for (var i = gid.x; i < n; i += groups.x * 64u) {
    let g = grad[i] * clip[0];
    let mi = p.beta1 * m[i] + (1.0 - p.beta1) * g;
    let vi = p.beta2 * v[i] + (1.0 - p.beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    theta[i] -= p.lrT * mi / (sqrt(vi) + p.epsilon);
  }
}
