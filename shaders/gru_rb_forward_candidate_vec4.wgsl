// Phase B of one reset-before GRU timestep for H divisible by 4: the same computation as
// gru_rb_forward_candidate.wgsl (read that file's header for the math; layouts and masking in
// shaders/lib/gru_rb_step_forward.wgsl), with each invocation owning 4 consecutive units of 4 batch
// rows: per 4 values of k, 4 rh loads and 4 Wh loads (vec4s) feed 64 multiply-adds.
//
// Thread mapping: invocation (gid.x = unit group: units 4·gid.x …, gid.y = group of 4 batch rows).
// Dispatch: (ceil(H / 256), ceil(B / 4), 1), once per timestep that is not all padding, after phase A.

override USE_RECURRENT_MASK: bool = false;

// Bindings (xp, wh, mask, rmask, hs, gates, rh, hm; uniform p):
#include "gru_rb_step_forward_vec4"

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let H4 = p.H / 4u;
  let G4 = 3u * H4;
  let g4 = gid.x;
  let b0 = gid.y * 4u;
  if (g4 >= H4 || b0 >= p.B) { return; }
  let rows = vec4u(b0, min(b0 + 1u, p.B - 1u), min(b0 + 2u, p.B - 1u), min(b0 + 3u, p.B - 1u));

  var ah: array<vec4f, 4>;
  for (var r = 0u; r < 4u; r++) { ah[r] = xp[(p.t * p.B + rows[r]) * G4 + GATE_H * H4 + g4]; }
  var a0 = ah[0]; var a1 = ah[1]; var a2 = ah[2]; var a3 = ah[3];
  let rhBase = p.t * p.B;
  var wBase = p.offWh / 4u + GATE_H * H4 + g4;
  // At the first processed timestep rh = r ⊙ 0: kEnd = 0 skips the sum.
  for (var kq = 0u; kq < p.kEnd / 4u; kq++) {
    let w0 = wh[wBase];
    let w1 = wh[wBase + G4];
    let w2 = wh[wBase + 2u * G4];
    let w3 = wh[wBase + 3u * G4];
    let x0 = rh[(rhBase + rows.x) * H4 + kq];
    let x1 = rh[(rhBase + rows.y) * H4 + kq];
    let x2 = rh[(rhBase + rows.z) * H4 + kq];
    let x3 = rh[(rhBase + rows.w) * H4 + kq];
    a0 += x0.x * w0 + x0.y * w1 + x0.z * w2 + x0.w * w3;
    a1 += x1.x * w0 + x1.y * w1 + x1.z * w2 + x1.w * w3;
    a2 += x2.x * w0 + x2.y * w1 + x2.z * w2 + x2.w * w3;
    a3 += x3.x * w0 + x3.y * w1 + x3.z * w2 + x3.w * w3;
    wBase += 4u * G4;
  }
  ah = array<vec4f, 4>(a0, a1, a2, a3);

  for (var r = 0u; r < 4u; r++) {
    let b = b0 + r;
    if (b >= p.B) { break; }
    let prev = (p.t * p.B + b) * H4 + g4;
    let next = ((p.t + 1u) * p.B + b) * H4 + g4;
    let g = (p.t * p.B + b) * G4 + g4;
    if (mask[p.t * p.B + b] == 0u) {
      hs[next] = hs[prev];
      if (USE_RECURRENT_MASK) { hm[next] = hm[prev]; }
      gates[g + GATE_H * H4] = vec4f(0.0);
      continue;
    }
    let s = candidateStep(ah[r], gates[g + GATE_Z * H4], hs[prev]);
    gates[g + GATE_H * H4] = s.hh;
    hs[next] = s.h;
    if (USE_RECURRENT_MASK) { hm[next] = s.h * rmask[b * H4 + g4]; }
  }
}
