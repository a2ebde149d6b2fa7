// Embedding gradient as a deterministic segment sum:
//
//   dW[id_s, e] += Σ_{k = start[s] .. start[s+1]-1}  dY[rows[k], e]
//
// dW starts at offW and dY at offDY (floats) in their buffers.
//
// The segments come from embedding_segments.wgsl, in the same command buffer: for each unique id s of
// the batch (ascending), a contiguous run of dY row indices (ascending). Its layout in `seg`, with
// cap = min(n, V): seg[0] = S, uniqueIds at 2, segStart at 2 + cap, rows at 3 + 2·cap. One workgroup
// sums one segment at a time in that fixed order, so there are no float atomics (WGSL has none) and no
// loop over the vocabulary; the result is bitwise reproducible. Padding id 0 is simply left out of the
// segments when masking is on.
//
// Thread mapping: workgroup w owns segments w, w + G, w + 2G, … (G workgroups; S is only known on the
// GPU); its 64 invocations stride over the E columns.
// Dispatch: (G, 1, 1) with G = min(cap, 512).

struct Params { E: u32, cap: u32, offW: u32, offDY: u32 }

@group(0) @binding(0) var<storage, read> seg: array<u32>;
@group(0) @binding(1) var<storage, read> dY: array<f32>;
@group(0) @binding(2) var<storage, read_write> dW: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let S = seg[0];
  let starts = 2u + p.cap;
  let rows = 3u + 2u * p.cap;
  for (var s = wid.x; s < S; s += groups.x) {
    let id = seg[2u + s];
    let k0 = rows + seg[starts + s];
    let k1 = rows + seg[starts + s + 1u];
    for (var e = lid.x; e < p.E; e += 64u) {
      var acc = 0.0;
      for (var k = k0; k < k1; k++) {
        acc += dY[p.offDY + seg[k] * p.E + e];
      }
      dW[p.offW + id * p.E + e] += acc;
    }
  }
}
