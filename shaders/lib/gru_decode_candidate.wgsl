// The second half of one unit of a reset-before GRU timestep (generation), shared by
// gru_decode_candidate.wgsl and gru_decode_sample.wgsl: it needs r ⊙ h_{t−1} of every unit, which
// gru_decode.wgsl's half wrote into `gates` (gates[j] = z, gates[H + j] = xs_h, gates[2H + j] = r·h_{t−1}),
// so it runs after a dispatch boundary or a storage barrier. The including shader declares the bindings
// theta, hs, gates and the uniform `p` (H, offWh), and includes cell_activations (alias Cell = f32) and
// gru_decode_gates.
//
//   h̃      = tanh(xs_h + Σ_k (r ⊙ h_{t−1})[k]·Wh[k, 2H + j])
//   h_t[j] = z·h_{t−1}[j] + (1 − z)·h̃                                     into slot t + 1

fn gruDecodeCandidate(j: u32, t: u32) {
  let H = p.H;
  let G = 3u * H;
  var a = gates[H + j];
  for (var k = 0u; k < H; k++) { a += gates[2u * H + k] * theta[p.offWh + k * G + GRU_H * H + j]; }
  let z = gates[j];
  let prev = t * H;
  hs[prev + H + j] = z * hs[prev + j] + (1.0 - z) * tanhStable(a);
}
