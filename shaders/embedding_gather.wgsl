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
// Thread mapping: invocation x owns column e of every row it visits (neighbouring invocations read and
// write neighbouring floats); y and z stride over the batch and time. No integer division per element
// (a software adapter runs it per lane without SIMD; the index math was most of this kernel's time).
// Dispatch: (ceil(E / 64), gy ≤ B, gz ≤ T) with gx · gy · gz ≤ 512 (embeddingGrid, ops/embedding.ts).

struct Params { B: u32, T: u32, E: u32, V: u32, offW: u32, offY: u32 }

@group(0) @binding(0) var<storage, read> ids: array<u32>;
@group(0) @binding(1) var<storage, read> W: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let e = gid.x;
  if (e >= p.E) { return; }
  for (var t = gid.z; t < p.T; t += groups.z) {
    for (var b = gid.y; b < p.B; b += groups.y) {
      let id = ids[b * p.T + t];
      var v = 0.0;
      if (id < p.V) { v = W[p.offW + id * p.E + e]; }
      Y[p.offY + (t * p.B + b) * p.E + e] = v;
    }
  }
}
