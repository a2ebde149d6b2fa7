// sample_tokens.wgsl's sampler with one invocation per row, scanning the row serially: the same
// tokens (same stream, same order, same ties) without workgroup barriers, which a software adapter
// such as SwiftShader runs far faster for vocabularies of a few hundred tokens.
//
//   token = argmax over allowed i of z_i / temperature − log(−log u_i)   (argmax z_i at temperature 0)
//
// Thread mapping: invocation = row. Dispatch: (ceil(rows / 64), 1, 1); rows is a uniform.

struct Params { V: u32, offZ: u32, ldZ: u32, offOut: u32, seed: u32, position: u32, temperature: f32, topK: u32, rows: u32 }

@group(0) @binding(0) var<storage, read> Z: array<f32>;
@group(0) @binding(1) var<storage, read_write> tokens: array<u32>;
@group(0) @binding(2) var<uniform> p: Params;

#include "sampling"

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let row = gid.x;
  if (row >= p.rows) { return; }
  let base = p.offZ + row * p.ldZ;
  var tv = 3.4e38;
  var ti = 0u;
  let k = min(p.topK, p.V);
  for (var round = 0u; round < k; round++) {
    var s = LOWEST;
    var si = NONE;
    for (var i = 0u; i < p.V; i++) {
      let z = Z[base + i];
      if (above(tv, ti, z, i) && (si == NONE || above(z, i, s, si))) { s = z; si = i; }
    }
    tv = s;
    ti = si;
  }
  var s = LOWEST;
  var si = NONE;
  for (var i = 0u; i < p.V; i++) {
    let z = Z[base + i];
    if (k > 0u && above(tv, ti, z, i)) { continue; }
    var score = z;
    if (p.temperature > 0.0) { score = z / p.temperature - log(-log(uniform01(p.position + row, i))); }
    if (si == NONE || above(score, i, s, si)) { s = score; si = i; }
  }
  tokens[p.offOut + row] = si;
}
