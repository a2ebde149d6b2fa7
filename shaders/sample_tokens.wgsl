// Sample one token per row of logits on the GPU, so that generation never reads a distribution back:
//
//   u_i   = (hash(seed, position + row, i) + ½) / 2^24 ∈ (0, 1)   (a counter-based random stream)
//   g_i   = −log(−log u_i)                                        (a standard Gumbel draw)
//   token = argmax over allowed i of  z_i / temperature + g_i      (distributed as softmax(z / T) over them)
//   temperature = 0: token = argmax z_i (greedy). allowed: every i ≥ firstToken (ids below are special:
//   unknown, padding), or (topK > 0) the K largest z_i among them.
//
// The same (seed, position) gives the same token in any dispatch order; ties go to the lower index.
// Thread mapping ('gpu' tuning): one workgroup of 256 per row; invocation l scans i = l, l + 256, …,
// then a tree reduction over the workgroup keeps the best (score, lower index). With topK, K rounds of
// the same reduction first find the K-th largest (logit, lower index) pair, the threshold.
// sample_tokens_serial.wgsl computes the same with one invocation per row (the 'cpu' tuning: a
// software adapter pays dearly for workgroup barriers). Dispatch: (rows, 1, 1).

struct Params { V: u32, offZ: u32, ldZ: u32, offOut: u32, seed: u32, position: u32, temperature: f32, topK: u32, firstToken: u32 }

@group(0) @binding(0) var<storage, read> Z: array<f32>;
@group(0) @binding(1) var<storage, read_write> tokens: array<u32>;
@group(0) @binding(2) var<uniform> p: Params;

#include "sampling"

// (The serial sampler of the library, unused here, reads rows through this.)
fn logitAt(row: u32, i: u32) -> f32 { return Z[p.offZ + row * p.ldZ + i]; }

var<workgroup> bestScore: array<f32, 256>;
var<workgroup> bestIndex: array<u32, 256>;

// The workgroup's best (score, index) from each invocation's candidate; every invocation gets the result.
fn reduceBest(lid: u32, score: f32, index: u32) -> vec2u {
  bestScore[lid] = score;
  bestIndex[lid] = index;
  workgroupBarrier();
  for (var stride = 128u; stride > 0u; stride >>= 1u) {
    if (lid < stride && above(bestScore[lid + stride], bestIndex[lid + stride], bestScore[lid], bestIndex[lid])) {
      bestScore[lid] = bestScore[lid + stride];
      bestIndex[lid] = bestIndex[lid + stride];
    }
    workgroupBarrier();
  }
  let r = vec2u(bitcast<u32>(bestScore[0]), bestIndex[0]);
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let lid = lid3.x;
  let row = wg.x;
  let base = p.offZ + row * p.ldZ;
  // Top-K threshold: the K-th largest (logit, index) pair, found by K rounds of "the best below the last".
  var tv = 3.4e38;
  var ti = 0u;
  let k = min(p.topK, p.V - p.firstToken);
  for (var round = 0u; round < k; round++) {
    var s = LOWEST;
    var si = NONE;
    for (var i = p.firstToken + lid; i < p.V; i += 256u) {
      let z = Z[base + i];
      if (above(tv, ti, z, i) && (si == NONE || above(z, i, s, si))) { s = z; si = i; }
    }
    let r = reduceBest(lid, s, si);
    tv = bitcast<f32>(r.x);
    ti = r.y;
  }
  // Gumbel-max (or argmax) over the allowed tokens.
  var s = LOWEST;
  var si = NONE;
  for (var i = p.firstToken + lid; i < p.V; i += 256u) {
    let z = Z[base + i];
    if (k > 0u && above(tv, ti, z, i)) { continue; }
    var score = z;
    if (p.temperature > 0.0) { score = z / p.temperature - log(-log(uniform01(p.position + row, i))); }
    if (si == NONE || above(score, i, s, si)) { s = score; si = i; }
  }
  let r = reduceBest(lid, s, si);
  if (lid == 0u) { tokens[p.offOut + row] = r.y; }
}
