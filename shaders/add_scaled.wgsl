// Scaled accumulate:  Y[i] += alpha · X[i]   for i < n.
//
// Used wherever a gradient must be added into another (fan-out, the loss seed, residual paths).
// Thread mapping: a grid-stride loop over the elements, one element per invocation per pass.
// Dispatch: (min(ceil(n / 64), 512), 1, 1).

struct Params { n: u32, offX: u32, offY: u32, alpha: f32 }

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read_write> Y: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  // Grid-stride loop: a bounded number of workgroups covers any n (per-workgroup overhead is what
  // costs on CPU adapters).
  let n = p.n;
  for (var i = gid.x; i < n; i += groups.x * 64u) {
    Y[p.offY + i] += p.alpha * X[p.offX + i];
  }
}
