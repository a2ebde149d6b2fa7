// One reset-after GRU timestep, fused, shaped for hardware GPUs: the same computation as
// gru_ra_forward_step.wgsl (read that file's header for the math, gate order z, r, h̃, storage layout and
// masking), spread over many more, lighter invocations (see lstm_forward_step_wide.wgsl for why).
//
// A workgroup owns 8 units × 3 gates (24 gate columns) of 4 batch rows and splits the k sum 8 ways:
// invocation (x = gate column, y = k slice) accumulates the 4 rows of its column over k = y, y + 8, …
// Partial sums meet in workgroup memory; then 32 invocations, one per (row, unit), add them up with
// b_h, apply the activations and update the state. Adjacent invocations read adjacent Wh columns
// (coalesced) and the same h_{t−1} value (a broadcast).
//
// Dispatch: (ceil(H / 8), ceil(B / 4), 1), once per timestep that is not all padding.

override USE_RECURRENT_MASK: bool = false;

const UNITS: u32 = 8u;    // units per workgroup
const COLS: u32 = 24u;    // gate columns per workgroup: 3 gates × UNITS
const ROWS: u32 = 4u;     // batch rows per workgroup
const SLICES: u32 = 8u;   // ways the k sum is split

// partial[(slice · ROWS + row) · COLS + column]
var<workgroup> partial: array<f32, 768>;

// Bindings (xp, wh, mask, rmask, hs, gates, hm, bias; uniform p), hPrev, recurrentBias and cellForward:
#include "gru_ra_step_forward"

@compute @workgroup_size(24, 8, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let H = p.H;
  let G = 3u * H;
  let u0 = wg.x * UNITS;
  let b0 = wg.y * ROWS;

  // Phase 1: partial recurrent sums. Columns past H and rows past B are clamped (computed, never stored)
  // so that every invocation reaches the barrier.
  let col = lid.x;
  let slice = lid.y;
  let gate = col / UNITS;
  let j = min(u0 + col % UNITS, H - 1u);
  let b1 = min(b0 + 1u, p.B - 1u);
  let b2 = min(b0 + 2u, p.B - 1u);
  let b3 = min(b0 + 3u, p.B - 1u);
  var acc = vec4f(0.0);
  for (var k = slice; k < p.kEnd; k += SLICES) {
    let w = wh[p.offWh + k * G + gate * H + j];
    acc += w * vec4f(hPrev(b0, k), hPrev(b1, k), hPrev(b2, k), hPrev(b3, k));
  }
  for (var r = 0u; r < ROWS; r++) { partial[(slice * ROWS + r) * COLS + col] = acc[r]; }
  workgroupBarrier();

  // Phase 2: one invocation per (row, unit) finishes the step.
  let li = lid.y * COLS + lid.x;
  if (li >= ROWS * UNITS) { return; }
  let r = li / UNITS;
  let uu = li % UNITS;
  let b = b0 + r;
  let u = u0 + uu;
  if (b >= p.B || u >= H) { return; }
  var hp = recurrentBias(u);
  for (var s = 0u; s < SLICES; s++) {
    let base = (s * ROWS + r) * COLS + uu;
    hp += vec3f(partial[base + GATE_Z * UNITS], partial[base + GATE_R * UNITS], partial[base + GATE_H * UNITS]);
  }
  cellForward(b, u, hp);
}
