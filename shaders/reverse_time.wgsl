// Time reversal of a time-major tensor (Keras go_backwards), forward and backward alike:
//
//   Y[T − 1 − t, :] = X[t, :]          (accumulate = 0)
//   Y[T − 1 − t, :] += X[t, :]         (accumulate = 1, the backward of the same map)
//
// Each timestep is a contiguous block of rowLen = B · features elements.
// Thread mapping: a grid-stride loop over the elements, one element per invocation per pass.
// Dispatch: (min(ceil(n / 64), 512), 1, 1) with n = T · rowLen.

struct Params { T: u32, rowLen: u32, offX: u32, offY: u32, accumulate: u32 }

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read_write> Y: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  // Grid-stride loop: a bounded number of workgroups covers any n (per-workgroup overhead is what
  // costs on CPU adapters).
  let n = p.T * p.rowLen;
  for (var i = gid.x; i < n; i += groups.x * 64u) {
    let t = i / p.rowLen;
    let e = i % p.rowLen;
    let dst = p.offY + (p.T - 1u - t) * p.rowLen + e;
    var v = X[p.offX + i];
    if (p.accumulate != 0u) { v += Y[dst]; }
    Y[dst] = v;
  }
}
