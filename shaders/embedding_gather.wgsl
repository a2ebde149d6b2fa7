// Embedding lookup into a time-major sequence:
//
//   Y[t, b, e] = W[ids[b, t], e]        ids: batch-major [B, T] u32, W: [V, E], Y: [T, B, E]
//
// W starts at offW and Y at offY (floats), so a block of a larger buffer can be read or filled: the
// LSTM reads one-hot input this way, its input projection being the rows of Wx (then B = 1 and T is
// the number of time-major rows).
//
// Time-major output is what the LSTM wants: every timestep is a contiguous block of B rows, so the
// input projection, the per-step kernels and the weight-gradient GEMMs all see plain matrices.
// An id ≥ V gives a row of zeros (the embedding op rejects such ids on the host; a one-hot row with no
// 1 in it arrives as V).
//
// Thread mapping: a grid-stride loop over the output elements.
// Dispatch: (min(ceil(n / 64), 512), 1, 1) with n = T · B · E.

struct Params { B: u32, T: u32, E: u32, V: u32, offW: u32, offY: u32 }

@group(0) @binding(0) var<storage, read> ids: array<u32>;
@group(0) @binding(1) var<storage, read> W: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  // Grid-stride loop: a bounded number of workgroups covers any n (per-workgroup overhead is what
  // costs on CPU adapters).
  let n = p.T * p.B * p.E;
  for (var i = gid.x; i < n; i += groups.x * 64u) {
    let e = i % p.E;
    let row = i / p.E;          // t · B + b
    let b = row % p.B;
    let t = row / p.B;
    let id = ids[b * p.T + t];
    var v = 0.0;
    if (id < p.V) { v = W[p.offW + id * p.E + e]; }
    Y[p.offY + i] = v;
  }
}
