// Phase 1 of one reset-before GRU timestep of backpropagation through time for H divisible by 4: the
// same computation as gru_rb_backward_state.wgsl (read that file's header for the derivatives; carries
// and masking in shaders/lib/gru_rb_step_backward.wgsl), with each invocation owning 4 consecutive
// units of 4 batch rows. The recurrent sum Σ_{n < 2H} dG_{t+1}[b, n] · Wh[k, n] reads Whᵀ
// (shaders/lib/gru_rb_step_backward_vec4.wgsl: sumRows).
//
// Thread mapping: invocation (gid.x = unit group: units 4·gid.x …, gid.y = group of 4 batch rows).
// Dispatch: (ceil(H / 256), ceil(B / 4), 1), once per timestep that is not all padding, before phase 2.

override USE_RECURRENT_MASK: bool = false;

// Bindings (whT, mask, rmask, gates, hs, dHs, dG, dhCarry; uniform p), maskOf4 and sumRows:
#include "gru_rb_step_backward_vec4"

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let H4 = p.H / 4u;
  let G4 = 3u * H4;                // vec4s per row of dG
  let g4 = gid.x;
  let b0 = gid.y * 4u;
  if (g4 >= H4 || b0 >= p.B) { return; }
  let hasNext = p.t + 1u < p.tEnd;

  var rec: array<vec4f, 4>;
  if (hasNext) {
    let nBase = (p.t + 1u) * p.B;
    let d = vec4u(nBase + b0, nBase + min(b0 + 1u, p.B - 1u), nBase + min(b0 + 2u, p.B - 1u), nBase + min(b0 + 3u, p.B - 1u)) * G4;
    rec = sumRows(d, 2u * H4, 0u, g4);   // the z and r columns: n < 2H
  }

  for (var r = 0u; r < 4u; r++) {
    let b = b0 + r;
    if (b >= p.B) { break; }
    let bk = b * H4 + g4;          // vec4 index of (b, units) in a [B, H] array
    var dh = dHs[(p.t + 1u) * p.B * H4 + bk] + dhCarry[bk];
    if (hasNext) { dh += rec[r] * maskOf4(b, g4); }
    let g = (p.t * p.B + b) * G4 + g4;
    if (mask[p.t * p.B + b] == 0u) {
      dG[g + GATE_Z * H4] = vec4f(0.0);
      dG[g + GATE_H * H4] = vec4f(0.0);
      dhCarry[bk] = dh;
      continue;
    }
    let s = stateGrads(dh, gates[g + GATE_Z * H4], gates[g + GATE_H * H4], hs[p.t * p.B * H4 + bk]);
    dG[g + GATE_Z * H4] = s.gz;
    dG[g + GATE_H * H4] = s.ah;
    dhCarry[bk] = s.carry;
  }
}
