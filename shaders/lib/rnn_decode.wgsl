// One unit of one SimpleRNN timestep for a single sequence (generation), shared by rnn_decode_step.wgsl
// and rnn_decode_sample.wgsl. The including shader declares the override EMBED, the bindings tokens,
// theta, X, hs and the uniform `p` (In, H, offWx, offWh, offB, offX, act), and includes
// rnn_cell (alias Cell = f32: the activation by code, as the training kernels have it) before this. The caller gives the timestep t, the token's index
// offTok, and `row` (the input's row within X: timestep i of a chunk reads X[offX + i·In …]).
//
//   x      = EMBED ? E[tokens[offTok], :] : X[offX + row·In .. + In]
//   h_t[j] = act(b[j] + Σ_k x[k]·Wx[k, j] + Σ_k h_{t−1}[k]·Wh[k, j])       into slot t + 1
//
// The activation is a uniform (p.act, rnn_cell's codes: the training kernels' numbering), not an
// override: it runs once per unit and timestep, next to In + H multiply-adds, and an override would make
// four variants of each kernel.

fn rnnDecodeUnit(j: u32, t: u32, offTok: u32, row: u32) {
  let H = p.H;
  var xBase = p.offX + row * p.In;
  if (EMBED) { xBase = p.offX + tokens[offTok] * p.In; }
  var a = theta[p.offB + j];
  for (var k = 0u; k < p.In; k++) { a += X[xBase + k] * theta[p.offWx + k * H + j]; }
  let prev = t * H;
  for (var k = 0u; k < H; k++) { a += hs[prev + k] * theta[p.offWh + k * H + j]; }
  hs[prev + H + j] = rnnActivate(p.act, a);
}
