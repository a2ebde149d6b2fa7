// The last LSTM layer's timestep, the output layer and the sampler of generation in one dispatch (one
// workgroup): lstm_decode_step.wgsl's step, then dense_sample.wgsl's logits and draw, with storage
// barriers between the phases instead of separate dispatches. Per generated token of a one-layer model
// this is the whole GPU work.
//
//   h_t, c_t = LSTM step on x (EMBED: the embedding row of tokens[offTok]; else X[offX ..]) and h_{t−1}
//   z_v      = bd[v] + Σ_k h_t[k]·Wd[k, v]
//   tokens[offOut] = Gumbel-max / argmax draw from z (sampling.wgsl), when SAMPLE; reading a prompt skips it
//
// Thread mapping: one workgroup of 256; invocation l computes units j = l, l + 256, …, then logits
// v = l, l + 256, …; invocation 0 draws. Dispatch: (1, 1, 1).

override EMBED: bool = true;

alias Cell = f32;
#include "lstm_cell_math"
#include "lstm_gates"

struct Params {
  In: u32, H: u32, t: u32, offWx: u32, offWh: u32, offB: u32, offX: u32, offTok: u32,
  V: u32, offWd: u32, offBd: u32, offOut: u32, seed: u32, position: u32, temperature: f32, topK: u32, sample: u32,
}

@group(0) @binding(0) var<storage, read_write> tokens: array<u32>;
@group(0) @binding(1) var<storage, read> theta: array<f32>;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read_write> hs: array<f32>;
@group(0) @binding(4) var<storage, read_write> cs: array<f32>;
@group(0) @binding(5) var<storage, read_write> logits: array<f32>;
@group(0) @binding(6) var<uniform> p: Params;

#include "sampling"

fn logitAt(row: u32, i: u32) -> f32 { return logits[i]; }

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(local_invocation_id) lid3: vec3u) {
  let lid = lid3.x;
  let H = p.H;
  let G = 4u * H;
  var xBase = p.offX;
  if (EMBED) { xBase = p.offX + tokens[p.offTok] * p.In; }
  let prev = p.t * H;
  for (var j = lid; j < H; j += 256u) {
    var z = vec4f(theta[p.offB + GATE_I * H + j], theta[p.offB + GATE_F * H + j], theta[p.offB + GATE_C * H + j], theta[p.offB + GATE_O * H + j]);
    for (var k = 0u; k < p.In; k++) {
      let w = p.offWx + k * G + j;
      z += X[xBase + k] * vec4f(theta[w + GATE_I * H], theta[w + GATE_F * H], theta[w + GATE_C * H], theta[w + GATE_O * H]);
    }
    for (var k = 0u; k < H; k++) {
      let w = p.offWh + k * G + j;
      z += hs[prev + k] * vec4f(theta[w + GATE_I * H], theta[w + GATE_F * H], theta[w + GATE_C * H], theta[w + GATE_O * H]);
    }
    let s = cellStep(z.x, z.y, z.z, z.w, cs[prev + j]);
    cs[prev + H + j] = s.c;
    hs[prev + H + j] = s.h;
  }
  if (p.sample == 0u) { return; }
  storageBarrier();
  let next = prev + H;
  for (var v = lid; v < p.V; v += 256u) {
    var z = theta[p.offBd + v];
    for (var k = 0u; k < H; k++) { z += hs[next + k] * theta[p.offWd + k * p.V + v]; }
    logits[v] = z;
  }
  storageBarrier();
  if (lid == 0u) { tokens[p.offOut] = sampleSerial(0u, p.position); }
}
