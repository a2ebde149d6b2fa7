// One SimpleRNN timestep, fused, shaped for hardware GPUs: the same computation as rnn_forward_step.wgsl
// (read that file's header for the math, storage layout and masking), spread over many more, lighter
// invocations (see lstm_forward_step_wide.wgsl for why).
//
// A workgroup owns 16 units of 4 batch rows and splits the k sum 16 ways: invocation (x = unit, y = k
// slice) accumulates the 4 rows of its unit over k = y, y + 16, … Partial sums meet in workgroup memory;
// then 64 invocations, one per (row, unit), add them up and apply the activation. Adjacent invocations
// read adjacent Wh columns (coalesced) and the same h_{t−1} value (a broadcast). (The LSTM's splits its
// sums 8 ways over 32 gate columns; one gate per unit here makes the sums a quarter as long, so fewer
// columns and more slices keep as many workgroups busy with short loops.)
//
// Dispatch: (ceil(H / 16), ceil(B / 4), 1), once per timestep that is not all padding.

override USE_RECURRENT_MASK: bool = false;

const UNITS: u32 = 16u;   // units per workgroup
const ROWS: u32 = 4u;     // batch rows per workgroup
const SLICES: u32 = 16u;  // ways the k sum is split

// partial[(slice · ROWS + row) · UNITS + unit]
var<workgroup> partial: array<f32, 1024>;

// Bindings (xp, wh, mask, rmask, hs, hm; uniform p), hPrev and cellForward:
#include "rnn_step_forward"

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let H = p.H;
  let u0 = wg.x * UNITS;
  let b0 = wg.y * ROWS;

  // Phase 1: partial recurrent sums. Units past H and rows past B are clamped (computed, never stored)
  // so that every invocation reaches the barrier.
  let col = lid.x;
  let slice = lid.y;
  let j = min(u0 + col, H - 1u);
  let b1 = min(b0 + 1u, p.B - 1u);
  let b2 = min(b0 + 2u, p.B - 1u);
  let b3 = min(b0 + 3u, p.B - 1u);
  var acc = vec4f(0.0);
  for (var k = slice; k < p.kEnd; k += SLICES) {
    acc += wh[p.offWh + k * H + j] * vec4f(hPrev(b0, k), hPrev(b1, k), hPrev(b2, k), hPrev(b3, k));
  }
  for (var r = 0u; r < ROWS; r++) { partial[(slice * ROWS + r) * UNITS + col] = acc[r]; }
  workgroupBarrier();

  // Phase 2: one invocation per (row, unit) finishes the step.
  let li = lid.y * UNITS + lid.x;
  if (li >= ROWS * UNITS) { return; }
  let r = li / UNITS;
  let uu = li % UNITS;
  let b = b0 + r;
  let u = u0 + uu;
  if (b >= p.B || u >= H) { return; }
  var a = xp[(p.t * p.B + b) * H + u];
  for (var s = 0u; s < SLICES; s++) { a += partial[(s * ROWS + r) * UNITS + uu]; }
  cellForward(b, u, a);
}
