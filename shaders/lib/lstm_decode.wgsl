// One unit of one LSTM timestep for a single sequence (generation), shared by lstm_decode_step.wgsl and
// lstm_decode_sample.wgsl. The including shader declares the override EMBED, the bindings tokens, theta,
// X, hs, cs and the uniform `p` (In, H, offWx, offWh, offB, offX), and includes lstm_gates and
// lstm_cell_math (alias Cell = f32) before this. The caller gives the timestep t, the token's index
// offTok, and `row` (the input's row within X: timestep i of a chunk reads X[offX + i·In …]).
//
//   x      = EMBED ? E[tokens[offTok], :] : X[offX + row·In .. + In]
//   z_g[j] = b[g·H + j] + Σ_k x[k]·Wx[k, g·H + j] + Σ_k h_{t−1}[k]·Wh[k, g·H + j]
//   c_t, h_t of unit j into slot t + 1 (slot t holds h_{t−1}, c_{t−1})

fn decodeUnit(j: u32, t: u32, offTok: u32, row: u32) {
  let H = p.H;
  let G = 4u * H;
  var xBase = p.offX + row * p.In;
  if (EMBED) { xBase = p.offX + tokens[offTok] * p.In; }
  var z = vec4f(theta[p.offB + GATE_I * H + j], theta[p.offB + GATE_F * H + j], theta[p.offB + GATE_C * H + j], theta[p.offB + GATE_O * H + j]);
  for (var k = 0u; k < p.In; k++) {
    let w = p.offWx + k * G + j;
    z += X[xBase + k] * vec4f(theta[w + GATE_I * H], theta[w + GATE_F * H], theta[w + GATE_C * H], theta[w + GATE_O * H]);
  }
  let prev = t * H;
  for (var k = 0u; k < H; k++) {
    let w = p.offWh + k * G + j;
    z += hs[prev + k] * vec4f(theta[w + GATE_I * H], theta[w + GATE_F * H], theta[w + GATE_C * H], theta[w + GATE_O * H]);
  }
  let s = cellStep(z.x, z.y, z.z, z.w, cs[prev + j]);
  cs[prev + H + j] = s.c;
  hs[prev + H + j] = s.h;
}
