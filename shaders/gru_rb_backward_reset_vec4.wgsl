// Phase 2 of one reset-before GRU timestep of backpropagation through time for H divisible by 4: the
// same computation as gru_rb_backward_reset.wgsl (read that file's header for the derivatives; carries
// and masking in shaders/lib/gru_rb_step_backward.wgsl), with each invocation owning 4 consecutive
// units of 4 batch rows. d(rh)[k] = Σ_j da_h[b, j] · Wh[k, 2H + j] reads Whᵀ's rows 2H … 3H − 1
// (shaders/lib/gru_rb_step_backward_vec4.wgsl: sumRows). At the first processed timestep (h̄ = 0) the
// sum is skipped.
//
// Thread mapping: invocation (gid.x = unit group: units 4·gid.x …, gid.y = group of 4 batch rows).
// Dispatch: (ceil(H / 256), ceil(B / 4), 1), once per timestep that is not all padding, after phase 1.

override USE_RECURRENT_MASK: bool = false;

// Bindings (whT, mask, rmask, gates, hs, dHs, dG, dhCarry; uniform p), maskOf4 and sumRows:
#include "gru_rb_step_backward_vec4"

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let H4 = p.H / 4u;
  let G4 = 3u * H4;
  let g4 = gid.x;
  let b0 = gid.y * 4u;
  if (g4 >= H4 || b0 >= p.B) { return; }

  var drh = array<vec4f, 4>(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  if (p.t > p.tStart) {
    let tBase = p.t * p.B;
    let d = vec4u(tBase + b0, tBase + min(b0 + 1u, p.B - 1u), tBase + min(b0 + 2u, p.B - 1u), tBase + min(b0 + 3u, p.B - 1u)) * G4 + GATE_H * H4;
    drh = sumRows(d, H4, GATE_H * p.H, g4);   // da_h against Whᵀ's candidate rows
  }

  for (var r = 0u; r < 4u; r++) {
    let b = b0 + r;
    if (b >= p.B) { break; }
    let bk = b * H4 + g4;
    let g = (p.t * p.B + b) * G4 + g4;
    if (mask[p.t * p.B + b] == 0u) {
      dG[g + GATE_R * H4] = vec4f(0.0);
      continue;
    }
    let m = maskOf4(b, g4);
    let s = resetGrads(drh[r], gates[g + GATE_R * H4], hs[p.t * p.B * H4 + bk] * m, m);
    dG[g + GATE_R * H4] = s.gr;
    dhCarry[bk] += s.carry;
  }
}
