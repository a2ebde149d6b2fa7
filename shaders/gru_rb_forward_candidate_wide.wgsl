// Phase B of one reset-before GRU timestep, shaped for hardware GPUs: the same computation as
// gru_rb_forward_candidate.wgsl (read that file's header for the math; layouts and masking in
// shaders/lib/gru_rb_step_forward.wgsl), spread over many lighter invocations (see
// lstm_forward_step_wide.wgsl for why).
//
// A workgroup owns 32 units (the candidate's columns) of 4 batch rows and splits the k sum of
// rh·Wh_h 8 ways: invocation (x = unit, y = k slice) accumulates the 4 rows of its column over k = y,
// y + 8, … Partial sums meet in workgroup memory; then 128 invocations, one per (row, unit), add them
// up and update the state. Adjacent invocations read adjacent Wh columns and the same rh value.
//
// Dispatch: (ceil(H / 32), ceil(B / 4), 1), once per timestep that is not all padding, after phase A.

override USE_RECURRENT_MASK: bool = false;

const UNITS: u32 = 32u;   // units (candidate columns) per workgroup
const ROWS: u32 = 4u;     // batch rows per workgroup
const SLICES: u32 = 8u;   // ways the k sum is split

// partial[(slice · ROWS + row) · UNITS + unit]
var<workgroup> partial: array<f32, 1024>;

// Bindings (xp, wh, mask, rmask, hs, gates, rh, hm; uniform p), rhAt and candidateForward:
#include "gru_rb_step_forward"

@compute @workgroup_size(32, 8, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let H = p.H;
  let G = 3u * H;
  let u0 = wg.x * UNITS;
  let b0 = wg.y * ROWS;

  // 1. Partial sums (units past H and rows past B clamped: computed, never stored). At the first
  //    processed timestep kEnd = 0: rh = r ⊙ 0 adds nothing.
  let col = lid.x;
  let slice = lid.y;
  let j = min(u0 + col, H - 1u);
  let bc = min(b0, p.B - 1u);
  let b1 = min(b0 + 1u, p.B - 1u);
  let b2 = min(b0 + 2u, p.B - 1u);
  let b3 = min(b0 + 3u, p.B - 1u);
  var acc = vec4f(0.0);
  for (var k = slice; k < p.kEnd; k += SLICES) {
    let w = wh[p.offWh + k * G + GATE_H * H + j];
    acc += w * vec4f(rhAt(bc, k), rhAt(b1, k), rhAt(b2, k), rhAt(b3, k));
  }
  for (var r = 0u; r < ROWS; r++) { partial[(slice * ROWS + r) * UNITS + col] = acc[r]; }
  workgroupBarrier();

  // 2. One invocation per (row, unit) finishes the step.
  let li = lid.y * UNITS + lid.x;
  if (li >= ROWS * UNITS) { return; }
  let r = li / UNITS;
  let uu = li % UNITS;
  let b = b0 + r;
  let u = u0 + uu;
  if (b >= p.B || u >= H) { return; }
  var ah = xp[(p.t * p.B + b) * G + GATE_H * H + u];
  for (var s = 0u; s < SLICES; s++) { ah += partial[(s * ROWS + r) * UNITS + uu]; }
  candidateForward(b, u, ah);
}
