// The per-(row, unit) end of a forward LSTM step, shared by lib/lstm_cell_forward.wgsl (the scalar and
// wide kernels) and lstm_forward_step_rows8.wgsl. The including kernel declares the override
// USE_RECURRENT_MASK, includes "lstm_gates" and "lstm_cell_math" (Cell = f32), and declares mask, rmask,
// hs, cs, gates, hm and a uniform `p` with fields B, H and t (layouts in lstm_forward_step.wgsl's header).

// Row b, unit j, given its pre-activations z = (z_i, z_f, z_c, z_o) = Xp + h_{t−1}·Wh: cellStep's
// update (lstm_cell_math), with the activated gates stored for the backward pass. A padding row (mask 0) carries h and c
// through unchanged and stores zero gates.
fn cellForward(b: u32, j: u32, z: vec4f) {
  let H = p.H;
  let prev = (p.t * p.B + b) * H + j;
  let next = ((p.t + 1u) * p.B + b) * H + j;
  let gBase = (p.t * p.B + b) * 4u * H + j;
  if (mask[p.t * p.B + b] == 0u) {
    hs[next] = hs[prev];
    if (USE_RECURRENT_MASK) { hm[next] = hm[prev]; }
    cs[next] = cs[prev];
    gates[gBase + GATE_I * H] = 0.0;
    gates[gBase + GATE_F * H] = 0.0;
    gates[gBase + GATE_C * H] = 0.0;
    gates[gBase + GATE_O * H] = 0.0;
    return;
  }
  let s = cellStep(z[GATE_I], z[GATE_F], z[GATE_C], z[GATE_O], cs[prev]);
  cs[next] = s.c;
  hs[next] = s.h;
  if (USE_RECURRENT_MASK) { hm[next] = s.h * rmask[b * H + j]; }
  gates[gBase + GATE_I * H] = s.i;
  gates[gBase + GATE_F * H] = s.f;
  gates[gBase + GATE_C * H] = s.g;
  gates[gBase + GATE_O * H] = s.o;
}
