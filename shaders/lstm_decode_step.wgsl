// One LSTM timestep of one sequence, everything fused, for generation (where each input is the token
// just sampled, so timesteps cannot be batched): the input row, both matmuls, the gates and the cell
// update in one dispatch.
//
//   x        = EMBED ? E[tokens[offTok], :] (the embedding row of a token on the GPU) : X[offX .. offX + In]
//   z_g[j]   = b[g·H + j] + Σ_k x[k]·Wx[k, g·H + j] + Σ_k h_{t−1}[k]·Wh[k, g·H + j]     (gates i, f, c, o)
//   c_t, h_t = cellStep(z, c_{t−1})                                                     (lstm_cell_math)
//
// Every weight lives in the parameter arena `theta` (offsets in the uniforms). State: hs and cs hold
// slots of H values; timestep t reads slot t and writes slot t + 1, so a chunk of steps needs no copies.
// Thread mapping: one invocation per unit j (its four gate dot products over In + H in registers).
// Dispatch: (ceil(H / 64), 1, 1).

override EMBED: bool = false;

alias Cell = f32;
#include "lstm_cell_math"
#include "lstm_gates"

struct Params { In: u32, H: u32, t: u32, offWx: u32, offWh: u32, offB: u32, offX: u32, offTok: u32 }

@group(0) @binding(0) var<storage, read> tokens: array<u32>;
@group(0) @binding(1) var<storage, read> theta: array<f32>;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read_write> hs: array<f32>;
@group(0) @binding(4) var<storage, read_write> cs: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

#include "lstm_decode"

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x < p.H) { decodeUnit(gid.x, p.t, p.offTok, 0u); }
}
