// The second dispatch of a reset-before GRU timestep for generation (the first: gru_decode_step.wgsl
// with RESET_AFTER false, which left z, the candidate's input sum and r ⊙ h_{t−1} in `gates`):
//
//   h̃   = tanh((x·Wx + b)_h + (r ⊙ h_{t−1})·Wh_h)
//   h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃                      into slot t + 1 of hs
//
// Thread mapping: one invocation per unit j (its candidate dot product over H in a register).
// Dispatch: (ceil(H / 64), 1, 1).

alias Cell = f32;
#include "cell_activations"
#include "gru_decode_gates"

struct Params { H: u32, t: u32, offWh: u32 }

@group(0) @binding(0) var<storage, read> theta: array<f32>;
@group(0) @binding(1) var<storage, read_write> hs: array<f32>;
@group(0) @binding(2) var<storage, read> gates: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

#include "gru_decode_candidate"

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x < p.H) { gruDecodeCandidate(gid.x, p.t); }
}
