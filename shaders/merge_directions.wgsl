// Keras Bidirectional's merge modes other than concat, on the two directions' outputs A and B:
//
//   mode 0 (sum):  Y[i] = A[i] + B[i]
//   mode 1 (mul):  Y[i] = A[i] · B[i]
//   mode 2 (ave):  Y[i] = (A[i] + B[i]) / 2
//
// The backward is merge_directions_backward.wgsl (one dispatch per direction that needs a gradient).
//
// Thread mapping: a grid-stride loop over the elements, one element per invocation per pass.
// Dispatch: (min(ceil(n / 64), 512), 1, 1).

struct Params { n: u32, mode: u32, offA: u32, offB: u32, offY: u32 }

@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  for (var i = gid.x; i < p.n; i += groups.x * 64u) {
    let a = A[p.offA + i];
    let b = B[p.offB + i];
    var y = a + b;
    if (p.mode == 1u) { y = a * b; }
    if (p.mode == 2u) { y = 0.5 * (a + b); }
    Y[p.offY + i] = y;
  }
}
