// Time reversal of a time-major tensor (Keras go_backwards), forward and backward alike:
//
//   Y[T − 1 − t, :] = X[t, :]          (accumulate = 0)
//   Y[T − 1 − t, :] += X[t, :]         (accumulate = 1, the backward of the same map)
//
// Each timestep is a contiguous block of rowLen = B · features elements.
// Thread mapping: one invocation per element; gid.y extends the grid past 65535 workgroups.
// Dispatch: (min(ceil(n / 64), 65535), ceil(ceil(n / 64) / 65535), 1) with n = T · rowLen.

struct Params { T: u32, rowLen: u32, offX: u32, offY: u32, accumulate: u32 }

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read_write> Y: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * 65535u * 64u;
  if (i >= p.T * p.rowLen) { return; }
  let t = i / p.rowLen;
  let e = i % p.rowLen;
  let dst = p.offY + (p.T - 1u - t) * p.rowLen + e;
  var v = X[p.offX + i];
  if (p.accumulate != 0u) { v += Y[dst]; }
  Y[dst] = v;
}
