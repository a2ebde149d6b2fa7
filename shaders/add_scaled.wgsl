// Scaled accumulate:  Y[i] += alpha · X[i]   for i < n.
//
// Used wherever a gradient must be added into another (fan-out, the loss seed, residual paths).
// Thread mapping: one invocation per element; gid.y extends the grid past 65535 workgroups.
// Dispatch: (min(ceil(n / 64), 65535), ceil(ceil(n / 64) / 65535), 1).

struct Params { n: u32, offX: u32, offY: u32, alpha: f32 }

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read_write> Y: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * 65535u * 64u;
  if (i >= p.n) { return; }
  Y[p.offY + i] += p.alpha * X[p.offX + i];
}
