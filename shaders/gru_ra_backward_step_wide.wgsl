// One reset-after GRU timestep of backpropagation through time, fused, shaped for hardware GPUs: the
// same computation as gru_ra_backward_step.wgsl (read that file's header for the derivatives, gate
// order z, r, h̃ and the masking rules), spread over many lighter invocations (see
// lstm_forward_step_wide.wgsl for why).
//
// A workgroup owns 8 units k of 4 batch rows and splits the recurrent sum Σ_n dGh_{t+1}[b, n]·Wh[k, n]
// (n over 3H) 32 ways: invocation (x = n slice, y = unit) accumulates the 4 rows over n = x, x + 32, …
// so that adjacent invocations read adjacent n of one Wh row and of the dGh rows (coalesced). Partial
// sums meet in workgroup memory; then 32 invocations, one per (row, unit), add them up and form the
// gate gradients and the carry.
//
// Dispatch: (ceil(H / 8), ceil(B / 4), 1), once per timestep that is not all padding, with dhCarry
// zeroed before the first.

override USE_RECURRENT_MASK: bool = false;

const UNITS: u32 = 8u;    // units per workgroup
const ROWS: u32 = 4u;     // batch rows per workgroup
const SLICES: u32 = 32u;  // ways the n sum is split

// partial[(row · UNITS + unit) · SLICES + slice]
var<workgroup> partial: array<f32, 1024>;

// Bindings (wh, mask, rmask, gates, hs, dHs, dGx, dGh, dhCarry; uniform p) and cellBackward:
#include "gru_ra_step_backward"

// dGh_{t+1}[b, n] for 4 batch rows starting at element offsets d.
fn dgRows(d: vec4u, n: u32) -> vec4f {
  return vec4f(dGh[d.x + n], dGh[d.y + n], dGh[d.z + n], dGh[d.w + n]);
}

@compute @workgroup_size(32, 8, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let H = p.H;
  let G = 3u * H;
  let u0 = wg.x * UNITS;
  let b0 = wg.y * ROWS;
  let hasNext = p.t + 1u < p.tEnd;

  // Phase 1: partial recurrent sums (units past H and rows past B clamped: computed, never stored).
  let slice = lid.x;
  let kk = lid.y;
  if (hasNext) {
    let kc = min(u0 + kk, H - 1u);
    let nBase = (p.t + 1u) * p.B;
    let d = vec4u(
      (nBase + b0) * G,
      (nBase + min(b0 + 1u, p.B - 1u)) * G,
      (nBase + min(b0 + 2u, p.B - 1u)) * G,
      (nBase + min(b0 + 3u, p.B - 1u)) * G,
    );
    let wBase = p.offWh + kc * G;
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
