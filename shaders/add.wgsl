// Elementwise sum:  Y[i] = A[i] + B[i]   for i < n.
//
// Thread mapping: a grid-stride loop over the elements, one element per invocation per pass.
// Dispatch: (min(ceil(n / 64), 512), 1, 1).

struct Params { n: u32, offA: u32, offB: u32, offY: u32 }

@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  // Grid-stride loop: a bounded number of workgroups covers any n (per-workgroup overhead is what
  // costs on CPU adapters).
  let n = p.n;
  for (var i = gid.x; i < n; i += groups.x * 64u) {
    Y[p.offY + i] = A[p.offA + i] + B[p.offB + i];
  }
}
