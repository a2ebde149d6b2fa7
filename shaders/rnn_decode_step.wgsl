// One SimpleRNN timestep of one sequence for generation (where each input is the token just sampled, so
// timesteps cannot be batched): the input row, both matmuls and the activation in one dispatch.
//
//   x   = EMBED ? E[tokens[offTok], :] (the embedding row of a token on the GPU) : X[offX .. offX + In]
//   h_t = act(x·Wx + b + h_{t−1}·Wh)          act: tanh, relu, sigmoid or linear (p.act, lib/rnn_decode.wgsl)
//
// Every weight lives in the parameter arena `theta` (offsets in the uniforms). State: hs holds slots of
// H values; timestep t reads slot t and writes slot t + 1, so a chunk of steps needs no copies.
// Thread mapping: one invocation per unit j (its dot products over In + H in a register).
// Dispatch: (ceil(H / 64), 1, 1).

override EMBED: bool = false;

alias Cell = f32;
#include "rnn_cell"

struct Params { In: u32, H: u32, t: u32, offWx: u32, offWh: u32, offB: u32, offX: u32, offTok: u32, act: u32 }

@group(0) @binding(0) var<storage, read> tokens: array<u32>;
@group(0) @binding(1) var<storage, read> theta: array<f32>;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read_write> hs: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

#include "rnn_decode"

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x < p.H) { rnnDecodeUnit(gid.x, p.t, p.offTok, 0u); }
}
