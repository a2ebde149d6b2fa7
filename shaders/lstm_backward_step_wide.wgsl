// One LSTM timestep of backpropagation through time, fused, shaped for hardware GPUs: the same
// computation as lstm_backward_step.wgsl (read that file's header for the derivatives, gate order
// i, f, c, o and the masking rules), spread over many lighter invocations (see
// lstm_forward_step_wide.wgsl for why).
//
// A workgroup owns 8 units k of 4 batch rows and splits the recurrent sum Σ_n dG_{t+1}[b, n]·Wh[k, n]
// (n over 4H) 32 ways: invocation (x = n slice, y = unit) accumulates the 4 rows over n = x, x + 32, …
// so that adjacent invocations read adjacent n of one Wh row and of the dG rows (coalesced). Partial
// sums meet in workgroup memory; then 32 invocations, one per (row, unit), add them up and form the
// gate gradients and carries.
//
// Dispatch: (ceil(H / 8), ceil(B / 4), 1), once per timestep that is not all padding.

override USE_RECURRENT_MASK: bool = false;

#include "lstm_gates"

const UNITS: u32 = 8u;    // units per workgroup
const ROWS: u32 = 4u;     // batch rows per workgroup
const SLICES: u32 = 32u;  // ways the n sum is split

// partial[(row · UNITS + unit) · SLICES + slice]
var<workgroup> partial: array<f32, 1024>;

// Bindings (wh, mask, rmask, gates, cs, dHs, dG, dhCarry, dcCarry; uniform p) and cellBackward:
#include "lstm_cell_backward"

// dG_{t+1}[b, n] for 4 batch rows starting at element offsets d.
fn dgRows(d: vec4u, n: u32) -> vec4f {
  return vec4f(dG[d.x + n], dG[d.y + n], dG[d.z + n], dG[d.w + n]);
}

@compute @workgroup_size(32, 8, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let H = p.H;
  let G = 4u * H;
  let u0 = wg.x * UNITS;
  let b0 = wg.y * ROWS;
  let hasNext = p.t + 1u < p.tEnd;

  // Phase 1: partial recurrent sums (units past H and rows past B clamped: computed, never stored).
  let slice = lid.x;
  let kk = lid.y;
  if (hasNext) {
    let kc = min(u0 + kk, H - 1u);
    let nBase = (p.t + 1u) * p.B;
    let d0 = (nBase + b0) * G;
    let d1 = (nBase + min(b0 + 1u, p.B - 1u)) * G;
    let d2 = (nBase + min(b0 + 2u, p.B - 1u)) * G;
    let d3 = (nBase + min(b0 + 3u, p.B - 1u)) * G;
    let wBase = p.offWh + kc * G;
    let d = vec4u(d0, d1, d2, d3);
    var acc = vec4f(0.0);
    // Four n values per trip, their loads issued together, then the remainder one at a time.
    var n = slice;
    for (; n + 3u * SLICES < G; n += 4u * SLICES) {
      let n1 = n + SLICES;
      let n2 = n + 2u * SLICES;
      let n3 = n + 3u * SLICES;
      acc += wh[wBase + n] * dgRows(d, n) + wh[wBase + n1] * dgRows(d, n1) + wh[wBase + n2] * dgRows(d, n2) + wh[wBase + n3] * dgRows(d, n3);
    }
    for (; n < G; n += SLICES) {
      acc += wh[wBase + n] * dgRows(d, n);
    }
    for (var r = 0u; r < ROWS; r++) { partial[(r * UNITS + kk) * SLICES + slice] = acc[r]; }
  }
  workgroupBarrier();

  // Phase 2: one invocation per (row, unit).
  let li = lid.y * SLICES + lid.x;
  if (li >= ROWS * UNITS) { return; }
  let r = li / UNITS;
  let k = u0 + li % UNITS;
  let b = b0 + r;
  if (b >= p.B || k >= H) { return; }
  var recSum = 0.0;
  let base = (r * UNITS + li % UNITS) * SLICES;
  for (var s = 0u; s < SLICES; s++) { recSum += partial[base + s]; }
  cellBackward(b, k, recSum);
}
