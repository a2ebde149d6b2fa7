// Phase 2 of one reset-before GRU timestep of backpropagation through time, shaped for hardware GPUs:
// the same computation as gru_rb_backward_reset.wgsl (read that file's header for the derivatives;
// carries and masking in shaders/lib/gru_rb_step_backward.wgsl), spread over many lighter invocations
// (see lstm_forward_step_wide.wgsl for why).
//
// A workgroup owns 8 units k of 4 batch rows and splits d(rh)[k] = Σ_j da_h[b, j] · Wh[k, 2H + j] 32
// ways: invocation (x = j slice, y = unit) accumulates the 4 rows over j = x, x + 32, … (adjacent
// invocations read adjacent j: coalesced). Partial sums meet in workgroup memory; then 32 invocations,
// one per (row, unit), add them up and form dGr and the reset path's carry. At the first processed
// timestep (h̄ = 0) the sum is skipped.
//
// Dispatch: (ceil(H / 8), ceil(B / 4), 1), once per timestep that is not all padding, after phase 1.

override USE_RECURRENT_MASK: bool = false;

const UNITS: u32 = 8u;    // units per workgroup
const ROWS: u32 = 4u;     // batch rows per workgroup
const SLICES: u32 = 32u;  // ways the j sum is split

// partial[(row · UNITS + unit) · SLICES + slice]
var<workgroup> partial: array<f32, 1024>;

// Bindings (wh, mask, rmask, gates, hs, dHs, dG, dhCarry; uniform p) and resetBackward:
#include "gru_rb_step_backward"

// da_h[b, j] for 4 batch rows starting at element offsets d (each at its row's candidate block).
fn daRows(d: vec4u, j: u32) -> vec4f {
  return vec4f(dG[d.x + j], dG[d.y + j], dG[d.z + j], dG[d.w + j]);
}

@compute @workgroup_size(32, 8, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let H = p.H;
  let G = 3u * H;
  let u0 = wg.x * UNITS;
  let b0 = wg.y * ROWS;
  let first = p.t == p.tStart;

  // 1. Partial sums (units past H and rows past B clamped: computed, never stored).
  let slice = lid.x;
  let kk = lid.y;
  if (!first) {
    let kc = min(u0 + kk, H - 1u);
    let tBase = p.t * p.B;
    let d = vec4u(tBase + min(b0, p.B - 1u), tBase + min(b0 + 1u, p.B - 1u), tBase + min(b0 + 2u, p.B - 1u), tBase + min(b0 + 3u, p.B - 1u)) * G + GATE_H * H;
    let wBase = p.offWh + kc * G + GATE_H * H;
    var acc = vec4f(0.0);
    var j = slice;
    for (; j + 3u * SLICES < H; j += 4u * SLICES) {
      let j1 = j + SLICES;
      let j2 = j + 2u * SLICES;
      let j3 = j + 3u * SLICES;
      acc += wh[wBase + j] * daRows(d, j) + wh[wBase + j1] * daRows(d, j1) + wh[wBase + j2] * daRows(d, j2) + wh[wBase + j3] * daRows(d, j3);
    }
    for (; j < H; j += SLICES) {
      acc += wh[wBase + j] * daRows(d, j);
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
  var drh = 0.0;
  if (!first) {
    let base = (r * UNITS + li % UNITS) * SLICES;
    for (var s = 0u; s < SLICES; s++) { drh += partial[base + s]; }
  }
  resetBackward(b, k, drh);
}
