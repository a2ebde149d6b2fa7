// Phase 1 of one reset-before GRU timestep of backpropagation through time, shaped for hardware GPUs:
// the same computation as gru_rb_backward_state.wgsl (read that file's header for the derivatives;
// carries and masking in shaders/lib/gru_rb_step_backward.wgsl), spread over many lighter invocations
// (see lstm_forward_step_wide.wgsl for why).
//
// A workgroup owns 8 units k of 4 batch rows and splits the recurrent sum Σ_{n < 2H} dG_{t+1}[b, n] ·
// Wh[k, n] (the z and r columns) 32 ways: invocation (x = n slice, y = unit) accumulates the 4 rows over
// n = x, x + 32, … so that adjacent invocations read adjacent n of one Wh row and of the dG rows
// (coalesced). Partial sums meet in workgroup memory; then 32 invocations, one per (row, unit), add them
// up and form dh_t, dGz, da_h and the carry.
//
// Dispatch: (ceil(H / 8), ceil(B / 4), 1), once per timestep that is not all padding, before phase 2.

override USE_RECURRENT_MASK: bool = false;

const UNITS: u32 = 8u;    // units per workgroup
const ROWS: u32 = 4u;     // batch rows per workgroup
const SLICES: u32 = 32u;  // ways the n sum is split

// partial[(row · UNITS + unit) · SLICES + slice]
var<workgroup> partial: array<f32, 1024>;

// Bindings (wh, mask, rmask, gates, hs, dHs, dG, dhCarry; uniform p) and stateBackward:
#include "gru_rb_step_backward"

// dG[b, n] for 4 batch rows starting at element offsets d.
fn dgRows(d: vec4u, n: u32) -> vec4f {
  return vec4f(dG[d.x + n], dG[d.y + n], dG[d.z + n], dG[d.w + n]);
}

@compute @workgroup_size(32, 8, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let H = p.H;
  let G = 3u * H;
  let N = 2u * H;           // the z and r columns
  let u0 = wg.x * UNITS;
  let b0 = wg.y * ROWS;

  // 1. Partial recurrent sums (units past H and rows past B clamped: computed, never stored).
  let slice = lid.x;
  let kk = lid.y;
  if (p.t + 1u < p.tEnd) {
    let kc = min(u0 + kk, H - 1u);
    let nBase = (p.t + 1u) * p.B;
    let d = vec4u(nBase + min(b0, p.B - 1u), nBase + min(b0 + 1u, p.B - 1u), nBase + min(b0 + 2u, p.B - 1u), nBase + min(b0 + 3u, p.B - 1u)) * G;
    let wBase = p.offWh + kc * G;
    var acc = vec4f(0.0);
    // Four n values per trip, their loads issued together, then the remainder one at a time.
    var n = slice;
    for (; n + 3u * SLICES < N; n += 4u * SLICES) {
      let n1 = n + SLICES;
      let n2 = n + 2u * SLICES;
      let n3 = n + 3u * SLICES;
      acc += wh[wBase + n] * dgRows(d, n) + wh[wBase + n1] * dgRows(d, n1) + wh[wBase + n2] * dgRows(d, n2) + wh[wBase + n3] * dgRows(d, n3);
    }
    for (; n < N; n += SLICES) {
      acc += wh[wBase + n] * dgRows(d, n);
    }
    for (var r = 0u; r < ROWS; r++) { partial[(r * UNITS + kk) * SLICES + slice] = acc[r]; }
  }
  workgroupBarrier();

  // 2. One invocation per (row, unit).
  let li = lid.y * SLICES + lid.x;
  if (li >= ROWS * UNITS) { return; }
  let r = li / UNITS;
  let k = u0 + li % UNITS;
  let b = b0 + r;
  if (b >= p.B || k >= H) { return; }
  var recSum = 0.0;
  if (p.t + 1u < p.tEnd) {
    let base = (r * UNITS + li % UNITS) * SLICES;
    for (var s = 0u; s < SLICES; s++) { recSum += partial[base + s]; }
  }
  stateBackward(b, k, recSum);
}
