// Phase A of one reset-before GRU timestep for H divisible by 4: the same computation as
// gru_rb_forward_gates.wgsl (read that file's header for the math; gate order z, r, h̃; layouts and
// masking in shaders/lib/gru_rb_step_forward.wgsl), with each invocation owning 4 consecutive units of
// 4 batch rows, so that every Wh load is a vec4 (4 units of one gate) and every h̄ load a vec4 of 4 k:
// per 4 values of k, 4 h̄ loads and 8 Wh loads feed 128 multiply-adds.
//
// Thread mapping: invocation (gid.x = unit group: units 4·gid.x …, gid.y = group of 4 batch rows).
// Dispatch: (ceil(H / 256), ceil(B / 4), 1), once per timestep that is not all padding, before phase B.

override USE_RECURRENT_MASK: bool = false;

// Bindings (xp, wh, mask, rmask, hs, gates, rh, hm; uniform p) and hBar4:
#include "gru_rb_step_forward_vec4"

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let H4 = p.H / 4u;               // vec4s per gate block
  let G4 = 3u * H4;                // vec4s per row of a [*, 3H] matrix
  let g4 = gid.x;
  let b0 = gid.y * 4u;
  if (g4 >= H4 || b0 >= p.B) { return; }
  let rows = vec4u(b0, min(b0 + 1u, p.B - 1u), min(b0 + 2u, p.B - 1u), min(b0 + 3u, p.B - 1u));

  // Pre-activations of 4 units, per row, starting from Xp = X·Wx + b.
  var az: array<vec4f, 4>;
  var ar: array<vec4f, 4>;
  for (var r = 0u; r < 4u; r++) {
    let base = (p.t * p.B + rows[r]) * G4 + g4;
    az[r] = xp[base + GATE_Z * H4];
    ar[r] = xp[base + GATE_R * H4];
  }
  var z0 = az[0]; var z1 = az[1]; var z2 = az[2]; var z3 = az[3];
  var r0 = ar[0]; var r1 = ar[1]; var r2 = ar[2]; var r3 = ar[3];
  var wBase = p.offWh / 4u + g4;
  for (var kq = 0u; kq < p.kEnd / 4u; kq++) {
    // Rows 4kq … 4kq+3 of Wh, the z and r blocks of units 4·g4 …
    let wz0 = wh[wBase + GATE_Z * H4]; let wr0 = wh[wBase + GATE_R * H4];
    let wz1 = wh[wBase + G4 + GATE_Z * H4]; let wr1 = wh[wBase + G4 + GATE_R * H4];
    let wz2 = wh[wBase + 2u * G4 + GATE_Z * H4]; let wr2 = wh[wBase + 2u * G4 + GATE_R * H4];
    let wz3 = wh[wBase + 3u * G4 + GATE_Z * H4]; let wr3 = wh[wBase + 3u * G4 + GATE_R * H4];
    let h0 = hBar4(rows.x, kq);
    let h1 = hBar4(rows.y, kq);
    let h2 = hBar4(rows.z, kq);
    let h3 = hBar4(rows.w, kq);
    z0 += h0.x * wz0 + h0.y * wz1 + h0.z * wz2 + h0.w * wz3;
    r0 += h0.x * wr0 + h0.y * wr1 + h0.z * wr2 + h0.w * wr3;
    z1 += h1.x * wz0 + h1.y * wz1 + h1.z * wz2 + h1.w * wz3;
    r1 += h1.x * wr0 + h1.y * wr1 + h1.z * wr2 + h1.w * wr3;
    z2 += h2.x * wz0 + h2.y * wz1 + h2.z * wz2 + h2.w * wz3;
    r2 += h2.x * wr0 + h2.y * wr1 + h2.z * wr2 + h2.w * wr3;
    z3 += h3.x * wz0 + h3.y * wz1 + h3.z * wz2 + h3.w * wz3;
    r3 += h3.x * wr0 + h3.y * wr1 + h3.z * wr2 + h3.w * wr3;
    wBase += 4u * G4;              // four rows of Wh further
  }
  az = array<vec4f, 4>(z0, z1, z2, z3);
  ar = array<vec4f, 4>(r0, r1, r2, r3);

  for (var r = 0u; r < 4u; r++) {
    let b = b0 + r;
    if (b >= p.B) { break; }
    let g = (p.t * p.B + b) * G4 + g4;
    let u = (p.t * p.B + b) * H4 + g4;
    if (mask[p.t * p.B + b] == 0u) {
      gates[g + GATE_Z * H4] = vec4f(0.0);
      gates[g + GATE_R * H4] = vec4f(0.0);
      rh[u] = vec4f(0.0);
      continue;
    }
    let s = resetGates(az[r], ar[r], hBar4(b, g4));
    gates[g + GATE_Z * H4] = s.z;
    gates[g + GATE_R * H4] = s.r;
    rh[u] = s.rh;
  }
}
