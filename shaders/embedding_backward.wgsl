// Embedding gradient as a deterministic segment sum:
//
//   dW[id_s, e] += Σ_{k = start[s] .. start[s+1]-1}  dY[rows[k], e]
//
// dW starts at offW and dY at offDY (floats) in their buffers.
//
// The host (which uploads the ids anyway) sorts the batch's token positions by id, giving, for each
// unique id s, a contiguous segment of dY row indices. One workgroup per unique id sums its rows in a
// fixed order, so there are no float atomics (WGSL has none) and no loop over the vocabulary; the result
// is bitwise reproducible. Padding id 0 is simply left out of the segments when masking is on.
//
// Thread mapping: workgroup s = gid.y·65535 + workgroup_id.x owns unique id s; its 64 invocations stride
// over the E columns.
// Dispatch: (min(S, 65535), ceil(S / 65535), 1) for S unique ids.

struct Params { S: u32, E: u32, offW: u32, offDY: u32 }

@group(0) @binding(0) var<storage, read> uniqueIds: array<u32>;
@group(0) @binding(1) var<storage, read> segStart: array<u32>;   // S + 1 entries
@group(0) @binding(2) var<storage, read> rows: array<u32>;       // dY row index per sorted position
@group(0) @binding(3) var<storage, read> dY: array<f32>;
@group(0) @binding(4) var<storage, read_write> dW: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let s = wid.x + wid.y * 65535u;
  if (s >= p.S) { return; }
  let id = uniqueIds[s];
  let k0 = segStart[s];
  let k1 = segStart[s + 1u];
  for (var e = lid.x; e < p.E; e += 64u) {
    var acc = 0.0;
    for (var k = k0; k < k1; k++) {
      acc += dY[p.offDY + rows[k] * p.E + e];
    }
    dW[p.offW + id * p.E + e] += acc;
  }
}
