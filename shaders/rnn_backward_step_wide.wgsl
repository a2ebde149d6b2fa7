// One SimpleRNN timestep of backpropagation through time, fused, shaped for hardware GPUs: the same
// computation as rnn_backward_step.wgsl (read that file's header for the derivatives and the masking
// rules), spread over many lighter invocations (see lstm_forward_step_wide.wgsl for why).
//
// A workgroup owns 16 units k of 4 batch rows and splits the recurrent sum Σ_j dG_{t+1}[b, j]·Wh[k, j]
// (j over H) 16 ways: invocation (x = j slice, y = unit) accumulates the 4 rows over j = x, x + 16, …
// so that adjacent invocations read adjacent j of one Wh row and of the dG rows (coalesced). Partial
// sums meet in workgroup memory; then 64 invocations, one per (row, unit), add them up and form dG.
//
// Dispatch: (ceil(H / 16), ceil(B / 4), 1), once per timestep that is not all padding.

override USE_RECURRENT_MASK: bool = false;

const UNITS: u32 = 16u;   // units per workgroup
const ROWS: u32 = 4u;     // batch rows per workgroup
const SLICES: u32 = 16u;  // ways the j sum is split

// partial[(row · UNITS + unit) · SLICES + slice]
var<workgroup> partial: array<f32, 1024>;

// Bindings (wh, mask, rmask, hs, dHs, dG, dhCarry; uniform p) and cellBackward:
#include "rnn_step_backward"

// dG_{t+1}[b, j] for 4 batch rows starting at element offsets d.
fn dgRows(d: vec4u, j: u32) -> vec4f {
  return vec4f(dG[d.x + j], dG[d.y + j], dG[d.z + j], dG[d.w + j]);
}

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let H = p.H;
  let u0 = wg.x * UNITS;
  let b0 = wg.y * ROWS;

  // Phase 1: partial recurrent sums (units past H and rows past B clamped: computed, never stored).
  let slice = lid.x;
  let kk = lid.y;
  if (p.t + 1u < p.tEnd) {
    let kc = min(u0 + kk, H - 1u);
    let nBase = (p.t + 1u) * p.B;
    let d = vec4u(
      (nBase + b0) * H,
      (nBase + min(b0 + 1u, p.B - 1u)) * H,
      (nBase + min(b0 + 2u, p.B - 1u)) * H,
      (nBase + min(b0 + 3u, p.B - 1u)) * H,
    );
    let wBase = p.offWh + kc * H;
    var acc = vec4f(0.0);
    // Four j per trip, their loads issued together, then the remainder one at a time.
    var j = slice;
    for (; j + 3u * SLICES < H; j += 4u * SLICES) {
      let j1 = j + SLICES;
      let j2 = j + 2u * SLICES;
      let j3 = j + 3u * SLICES;
      acc += wh[wBase + j] * dgRows(d, j) + wh[wBase + j1] * dgRows(d, j1) + wh[wBase + j2] * dgRows(d, j2) + wh[wBase + j3] * dgRows(d, j3);
    }
    for (; j < H; j += SLICES) {
      acc += wh[wBase + j] * dgRows(d, j);
    }
    for (var r = 0u; r < ROWS; r++) { partial[(r * UNITS + kk) * SLICES + slice] = acc[r]; }
  }
  workgroupBarrier();

  // Phase 2: one invocation per (row, unit).
  let li = lid.y * SLICES + lid.x;
  if (li >= ROWS * UNITS) { return; }
  let r = li / UNITS;
  let uu = li % UNITS;
  let b = b0 + r;
  let k = u0 + uu;
  if (b >= p.B || k >= H) { return; }
  var recSum = 0.0;
  let base = (r * UNITS + uu) * SLICES;
  for (var s = 0u; s < SLICES; s++) { recSum += partial[base + s]; }
  cellBackward(b, k, recSum);
}
