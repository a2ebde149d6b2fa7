// Embedding lookup into a time-major sequence:
//
//   Y[t, b, e] = W[ids[b, t], e]        ids: batch-major [B, T] u32, W: [V, E], Y: [T, B, E]
//
// Time-major output is what the LSTM wants: every timestep is a contiguous block of B rows, so the
// input projection, the per-step kernels and the weight-gradient GEMMs all see plain matrices.
// An id ≥ V (which the host rejects before upload) would produce zeros rather than read out of range.
//
// Thread mapping: one invocation per output element; gid.y extends the grid past 65535 workgroups.
// Dispatch: (min(ceil(n / 64), 65535), ceil(ceil(n / 64) / 65535), 1) with n = T · B · E.

struct Params { B: u32, T: u32, E: u32, V: u32, offW: u32 }

@group(0) @binding(0) var<storage, read> ids: array<u32>;
@group(0) @binding(1) var<storage, read> W: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * 65535u * 64u;
  if (i >= p.T * p.B * p.E) { return; }
  let e = i % p.E;
  let row = i / p.E;          // t · B + b
  let b = row % p.B;
  let t = row / p.B;
  let id = ids[b * p.T + t];
  var v = 0.0;
  if (id < p.V) { v = W[p.offW + id * p.E + e]; }
  Y[i] = v;
}
