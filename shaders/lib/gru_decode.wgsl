// One unit of one GRU timestep for a single sequence (generation), shared by gru_decode_step.wgsl and
// gru_decode_sample.wgsl: the whole timestep of a reset-after GRU, or the first half of a reset-before
// one (whose candidate needs r ⊙ h_{t−1} of every unit: gru_decode_candidate.wgsl's half, after a
// dispatch boundary or a barrier). The including shader declares the overrides EMBED and RESET_AFTER,
// the bindings tokens, theta, X, hs, gates and the uniform `p` (In, H, offWx, offWh, offB, offX), and
// includes cell_activations (alias Cell = f32) and gru_decode_gates before this. The caller gives the
// timestep t, the token's index offTok, and `row` (the input's row within X: timestep i of a chunk
// reads X[offX + i·In …]).
//
// Gate order z, r, h̃ (Keras's): gate g of unit j is column g·H + j of Wx [In, 3H] and Wh [H, 3H], and of
// each 3H block of the bias ([2·3H] = b_x then b_h with RESET_AFTER, else [3H]).
//
//   x     = EMBED ? E[tokens[offTok], :] : X[offX + row·In .. + In]
//   xs_g  = b_x,g[j] + Σ_k x[k]·Wx[k, g·H + j]                       (g = z, r, h̃)
//   hp_g  = (RESET_AFTER ? b_h,g[j] : 0) + Σ_k h_{t−1}[k]·Wh[k, g·H + j]   (g = z, r; and h̃ with RESET_AFTER)
//   z     = σ(xs_z + hp_z)   r = σ(xs_r + hp_r)
//   RESET_AFTER:  h̃ = tanh(xs_h + r ⊙ hp_h);   h_t[j] = z·h_{t−1}[j] + (1 − z)·h̃ into slot t + 1
//   else:         gates[j] = z, gates[H + j] = xs_h, gates[2H + j] = r·h_{t−1}[j]  (the candidate's inputs)

fn gruDecodeGates(j: u32, t: u32, offTok: u32, row: u32) {
  let H = p.H;
  let G = 3u * H;
  var xBase = p.offX + row * p.In;
  if (EMBED) { xBase = p.offX + tokens[offTok] * p.In; }
  var xs = vec3f(theta[p.offB + GRU_Z * H + j], theta[p.offB + GRU_R * H + j], theta[p.offB + GRU_H * H + j]);
  for (var k = 0u; k < p.In; k++) {
    let w = p.offWx + k * G + j;
    xs += X[xBase + k] * vec3f(theta[w + GRU_Z * H], theta[w + GRU_R * H], theta[w + GRU_H * H]);
  }
  let prev = t * H;
  let hPrev = hs[prev + j];
  if (RESET_AFTER) {
    let bh = p.offB + G;
    var hp = vec3f(theta[bh + GRU_Z * H + j], theta[bh + GRU_R * H + j], theta[bh + GRU_H * H + j]);
    for (var k = 0u; k < H; k++) {
      let w = p.offWh + k * G + j;
      hp += hs[prev + k] * vec3f(theta[w + GRU_Z * H], theta[w + GRU_R * H], theta[w + GRU_H * H]);
    }
    let z = sigmoid(xs.x + hp.x);
    let r = sigmoid(xs.y + hp.y);
    let hh = tanhStable(xs.z + r * hp.z);
    hs[prev + H + j] = z * hPrev + (1.0 - z) * hh;
  } else {
    var hp = vec2f(0.0);
    for (var k = 0u; k < H; k++) {
      let w = p.offWh + k * G + j;
      hp += hs[prev + k] * vec2f(theta[w + GRU_Z * H], theta[w + GRU_R * H]);
    }
    let z = sigmoid(xs.x + hp.x);
    let r = sigmoid(xs.y + hp.y);
    gates[j] = z;
    gates[H + j] = xs.z;
    gates[2u * H + j] = r * hPrev;
  }
}
