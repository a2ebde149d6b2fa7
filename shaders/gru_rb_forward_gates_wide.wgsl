// Phase A of one reset-before GRU timestep, shaped for hardware GPUs: the same computation as
// gru_rb_forward_gates.wgsl (read that file's header for the math; gate order z, r, h̃; layouts and
// masking in shaders/lib/gru_rb_step_forward.wgsl), spread over many lighter invocations as
// lstm_forward_step_wide.wgsl does for the LSTM (see there for why).
//
// A workgroup owns 16 units × 2 gates (z, r: 32 gate columns) of 4 batch rows and splits the k sum
// 8 ways: invocation (x = gate column, y = k slice) accumulates the 4 rows of its column over k = y,
// y + 8, … Partial sums meet in workgroup memory; then 64 invocations, one per (row, unit), add them up
// and finish the phase (z, r, rh). Adjacent invocations read adjacent Wh columns (coalesced) and the same
// h̄ value (a broadcast).
//
// Dispatch: (ceil(H / 16), ceil(B / 4), 1), once per timestep that is not all padding, before phase B.

override USE_RECURRENT_MASK: bool = false;

const UNITS: u32 = 16u;   // units per workgroup
const COLS: u32 = 32u;    // gate columns per workgroup: 2 gates × UNITS
const ROWS: u32 = 4u;     // batch rows per workgroup
const SLICES: u32 = 8u;   // ways the k sum is split

// partial[(slice · ROWS + row) · COLS + column]
var<workgroup> partial: array<f32, 1024>;

// Bindings (xp, wh, mask, rmask, hs, gates, rh, hm; uniform p), hBar and gatesForward:
#include "gru_rb_step_forward"

@compute @workgroup_size(32, 8, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let H = p.H;
  let G = 3u * H;
  let u0 = wg.x * UNITS;
  let b0 = wg.y * ROWS;

  // 1. Partial recurrent sums. Columns past H and rows past B are clamped (computed, never stored) so
  //    that every invocation reaches the barrier.
  let col = lid.x;
  let slice = lid.y;
  let gate = col / UNITS;   // GATE_Z or GATE_R
  let j = min(u0 + col % UNITS, H - 1u);
  let b1 = min(b0 + 1u, p.B - 1u);
  let b2 = min(b0 + 2u, p.B - 1u);
  let b3 = min(b0 + 3u, p.B - 1u);
  let bc = min(b0, p.B - 1u);
  var acc = vec4f(0.0);
  for (var k = slice; k < p.kEnd; k += SLICES) {
    let w = wh[p.offWh + k * G + gate * H + j];
    acc += w * vec4f(hBar(bc, k), hBar(b1, k), hBar(b2, k), hBar(b3, k));
  }
  for (var r = 0u; r < ROWS; r++) { partial[(slice * ROWS + r) * COLS + col] = acc[r]; }
  workgroupBarrier();

  // 2. One invocation per (row, unit) finishes the phase.
  let li = lid.y * COLS + lid.x;
  if (li >= ROWS * UNITS) { return; }
  let r = li / UNITS;
  let uu = li % UNITS;
  let b = b0 + r;
  let u = u0 + uu;
  if (b >= p.B || u >= H) { return; }
  let g = (p.t * p.B + b) * G + u;
  var az = xp[g + GATE_Z * H];
  var ar = xp[g + GATE_R * H];
  for (var s = 0u; s < SLICES; s++) {
    let base = (s * ROWS + r) * COLS + uu;
    az += partial[base + GATE_Z * UNITS];
    ar += partial[base + GATE_R * UNITS];
  }
  gatesForward(b, u, az, ar);
}
