// The output layer and the sampler of generation in one dispatch: the logits of a dense softmax layer
// for one h, then one token drawn from them (sample_tokens.wgsl's rule, the same random stream), written
// where the next timestep's embedding lookup reads it.
//
//   z_v    = bd[v] + Σ_k h[k]·Wd[k, v]            (into `logits`, for v < V)
//   token  = argmax over allowed v of z_v / temperature − log(−log u_v)   (argmax z_v at temperature 0;
//            allowed: v ≥ firstToken, or the topK largest of those)
//
// Thread mapping: one workgroup of 64; invocations compute logits v = l, l + 64, …; after a storage
// barrier invocation 0 samples serially (a vocabulary of hundreds to thousands of tokens).
// Dispatch: (1, 1, 1).

struct Params { V: u32, H: u32, offH: u32, offWd: u32, offBd: u32, offOut: u32, seed: u32, position: u32, temperature: f32, topK: u32, firstToken: u32 }

@group(0) @binding(0) var<storage, read> theta: array<f32>;
@group(0) @binding(1) var<storage, read> hs: array<f32>;
@group(0) @binding(2) var<storage, read_write> logits: array<f32>;
@group(0) @binding(3) var<storage, read_write> tokens: array<u32>;
@group(0) @binding(4) var<uniform> p: Params;

#include "sampling"
#include "dense_draw"

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(local_invocation_id) lid3: vec3u) {
  denseDraw(lid3.x, 64u, p.offH, p.H, p.offOut, p.position);
}
