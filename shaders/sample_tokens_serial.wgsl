// sample_tokens.wgsl's sampler with one invocation per row, scanning the row serially: the same
// tokens (same stream, same order, same ties) without workgroup barriers, which a software adapter
// such as SwiftShader runs far faster for vocabularies of a few hundred tokens.
//
//   token = argmax over allowed i ≥ firstToken of z_i / temperature − log(−log u_i)   (argmax z_i at temperature 0)
//
// Thread mapping: invocation = row. Dispatch: (ceil(rows / 64), 1, 1); rows is a uniform.

struct Params { V: u32, offZ: u32, ldZ: u32, offOut: u32, seed: u32, position: u32, temperature: f32, topK: u32, firstToken: u32, rows: u32 }

@group(0) @binding(0) var<storage, read> Z: array<f32>;
@group(0) @binding(1) var<storage, read_write> tokens: array<u32>;
@group(0) @binding(2) var<uniform> p: Params;

#include "sampling"

fn logitAt(row: u32, i: u32) -> f32 { return Z[p.offZ + row * p.ldZ + i]; }

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let row = gid.x;
  if (row >= p.rows) { return; }
  tokens[p.offOut + row] = sampleSerial(row, p.position + row);
}
