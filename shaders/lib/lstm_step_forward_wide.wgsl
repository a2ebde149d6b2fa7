// The body of the wide per-timestep LSTM forward (read lstm_forward_step_wide.wgsl's header), shared by
// the kernels that differ only in how Wh is stored: lstm_forward_step_wide.wgsl (f32) and
// lstm_forward_step_wide_f16.wgsl (float16). The including kernel declares the override USE_RECURRENT_MASK
// and includes Wh's binding and `whAt` (lib/lstm_wh.wgsl or lib/lstm_wh_f16.wgsl).

#include "lstm_gates"

const UNITS: u32 = 8u;    // units per workgroup
const COLS: u32 = 32u;    // gate columns per workgroup: 4 gates × UNITS
const ROWS: u32 = 4u;     // batch rows per workgroup
const SLICES: u32 = 8u;   // ways the k sum is split

// partial[(slice · ROWS + row) · COLS + column]
var<workgroup> partial: array<f32, 1024>;

// Bindings (xp, mask, rmask, hs, cs, gates, hm; uniform p), hPrev and cellForward:
#include "lstm_cell_forward"

@compute @workgroup_size(32, 8, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let H = p.H;
  let G = 4u * H;
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
    let w = whAt(p.offWh + k * G + gate * H + j);
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
  let gBase = (p.t * p.B + b) * G + u;
  var z = vec4f(xp[gBase + GATE_I * H], xp[gBase + GATE_F * H], xp[gBase + GATE_C * H], xp[gBase + GATE_O * H]);
  for (var s = 0u; s < SLICES; s++) {
    let base = (s * ROWS + r) * COLS + uu;
    z += vec4f(partial[base + GATE_I * UNITS], partial[base + GATE_F * UNITS], partial[base + GATE_C * UNITS], partial[base + GATE_O * UNITS]);
  }
  cellForward(b, u, z);
}
