// The last SimpleRNN layer's timesteps, the output layer and the sampler of generation in one dispatch
// (one workgroup): for each of `count` timesteps, rnn_decode_step.wgsl's step, then dense_sample.wgsl's
// logits and draw, with storage barriers between the phases instead of separate dispatches. A one-layer
// model (EMBED) generates a whole chunk of tokens in one dispatch: the token drawn at timestep i is the
// input of timestep i + 1, read back from `tokens` after a barrier.
//
//   for i in 0 … count − 1, t = t0 + i:
//     h_t      = act(x·Wx + b + h_{t−1}·Wh) on x (EMBED: the embedding row of tokens[offTok + i]; else
//                X[offX + i·In ..]) (lib/rnn_decode.wgsl)
//     z_v      = bd[v] + Σ_k h_t[k]·Wd[k, v]
//     tokens[offOut + i] = Gumbel-max / argmax draw from z_firstToken … z_(V−1) at stream position
//                          position + i (sampling.wgsl), once position + i ≥ drawFrom (a prompt's tokens
//                          are read, not drawn)
//
// Thread mapping: one workgroup of WG invocations; invocation l computes units j = l, l + WG, …, then
// logits v = l, l + WG, …; invocation 0 draws. Dispatch: (1, 1, 1). WG is 256 for hardware GPUs and 32
// for CPU adapters, as lstm_decode_sample.wgsl's (see there why).

override EMBED: bool = true;
override WG: u32 = 256u;

alias Cell = f32;
#include "rnn_cell"

struct Params {
  In: u32, H: u32, t: u32, offWx: u32, offWh: u32, offB: u32, offX: u32, offTok: u32, act: u32,
  V: u32, offWd: u32, offBd: u32, offOut: u32, seed: u32, position: u32, temperature: f32, topK: u32, firstToken: u32, drawFrom: u32,
  count: u32,
}

@group(0) @binding(0) var<storage, read_write> tokens: array<u32>;
@group(0) @binding(1) var<storage, read> theta: array<f32>;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read_write> hs: array<f32>;
@group(0) @binding(4) var<storage, read_write> logits: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

#include "sampling"
#include "dense_draw"
#include "rnn_decode"

@compute @workgroup_size(WG, 1, 1)
fn main(@builtin(local_invocation_id) lid3: vec3u) {
  let lid = lid3.x;
  let H = p.H;
  for (var i = 0u; i < p.count; i++) {
    let t = p.t + i;
    for (var j = lid; j < H; j += WG) { rnnDecodeUnit(j, t, p.offTok + i, i); }
    storageBarrier();
    if (p.position + i >= p.drawFrom) { denseDraw(lid, WG, (t + 1u) * H, H, p.offOut + i, p.position + i); }
    // h_t and the drawn token are read by every invocation at the next timestep.
    storageBarrier();
  }
}
