// One GRU timestep of one sequence for generation (where each input is the token just sampled, so
// timesteps cannot be batched): the input row, the matmuls and the gates fused in one dispatch — the
// whole timestep for a reset-after GRU; for a reset-before GRU the first of two dispatches, its second
// gru_decode_candidate.wgsl (the candidate's matmul takes r ⊙ h_{t−1} of every unit, and a dispatch
// boundary is the only barrier between workgroups).
//
//   x      = EMBED ? E[tokens[offTok], :] (the embedding row of a token on the GPU) : X[offX .. offX + In]
//   RESET_AFTER:  z, r = σ(x·Wx + b_x + h_{t−1}·Wh + b_h)_{z,r}
//                 h̃ = tanh((x·Wx + b_x)_h + r ⊙ (h_{t−1}·Wh + b_h)_h);   h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃
//   else:         z, r = σ(x·Wx + b + h_{t−1}·Wh)_{z,r};  gates ← z, (x·Wx + b)_h, r ⊙ h_{t−1}
//   (lib/gru_decode.wgsl has the per-unit detail)
//
// Every weight lives in the parameter arena `theta` (offsets in the uniforms). State: hs holds slots of
// H values; timestep t reads slot t and writes slot t + 1, so a chunk of steps needs no copies. `gates`
// ([3H]) is the reset-before form's hand-over to its second dispatch (unused with RESET_AFTER).
// Thread mapping: one invocation per unit j (its three gate dot products over In + H in registers).
// Dispatch: (ceil(H / 64), 1, 1).

override EMBED: bool = false;
override RESET_AFTER: bool = true;

alias Cell = f32;
#include "cell_activations"
#include "gru_decode_gates"

struct Params { In: u32, H: u32, t: u32, offWx: u32, offWh: u32, offB: u32, offX: u32, offTok: u32 }

@group(0) @binding(0) var<storage, read> tokens: array<u32>;
@group(0) @binding(1) var<storage, read> theta: array<f32>;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read_write> hs: array<f32>;
@group(0) @binding(4) var<storage, read_write> gates: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

#include "gru_decode"

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x < p.H) { gruDecodeGates(gid.x, p.t, p.offTok, 0u); }
}
