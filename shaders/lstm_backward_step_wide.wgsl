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

const GATE_I: u32 = 0u;
const GATE_F: u32 = 1u;
const GATE_C: u32 = 2u;
const GATE_O: u32 = 3u;

const UNITS: u32 = 8u;    // units per workgroup
const ROWS: u32 = 4u;     // batch rows per workgroup
const SLICES: u32 = 32u;  // ways the n sum is split

struct Params { B: u32, H: u32, t: u32, tEnd: u32, offWh: u32 }

@group(0) @binding(0) var<storage, read> wh: array<f32>;       // [H, 4H] at offWh
@group(0) @binding(1) var<storage, read> mask: array<u32>;     // [T, B]
@group(0) @binding(2) var<storage, read> rmask: array<f32>;    // [B, H]
@group(0) @binding(3) var<storage, read> gates: array<f32>;    // [T, B, 4H]
@group(0) @binding(4) var<storage, read> cs: array<f32>;       // [T + 1, B, H]
@group(0) @binding(5) var<storage, read> dHs: array<f32>;      // [T + 1, B, H]
@group(0) @binding(6) var<storage, read_write> dG: array<f32>; // [T, B, 4H]
@group(0) @binding(7) var<storage, read_write> dhCarry: array<f32>; // [B, H]
@group(0) @binding(8) var<storage, read_write> dcCarry: array<f32>; // [B, H]
@group(0) @binding(9) var<uniform> p: Params;

// partial[(row · UNITS + unit) · SLICES + slice]
var<workgroup> partial: array<f32, 1024>;

fn tanhStable(x: f32) -> f32 {
  let e = exp(-2.0 * abs(x));
  return sign(x) * (1.0 - e) / (1.0 + e);
}

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
  let bk = b * H + k;
  var recurrent = 0.0;
  if (hasNext) {
    if (mask[(p.t + 1u) * p.B + b] != 0u) {
      let base = (r * UNITS + li % UNITS) * SLICES;
      for (var s = 0u; s < SLICES; s++) { recurrent += partial[base + s]; }
      if (USE_RECURRENT_MASK) { recurrent *= rmask[bk]; }
    } else {
      recurrent = dhCarry[bk];
    }
  }
  let dh = dHs[((p.t + 1u) * p.B) * H + bk] + recurrent;
  let gBase = (p.t * p.B + b) * G + k;
  if (mask[p.t * p.B + b] == 0u) {
    dG[gBase + GATE_I * H] = 0.0;
    dG[gBase + GATE_F * H] = 0.0;
    dG[gBase + GATE_C * H] = 0.0;
    dG[gBase + GATE_O * H] = 0.0;
    dhCarry[bk] = dh;
    return;
  }
  let gi = gates[gBase + GATE_I * H];
  let gf = gates[gBase + GATE_F * H];
  let gc = gates[gBase + GATE_C * H];
  let go = gates[gBase + GATE_O * H];
  let c = cs[((p.t + 1u) * p.B) * H + bk];
  let cPrev = cs[(p.t * p.B) * H + bk];
  let tc = tanhStable(c);
  let dc = dcCarry[bk] + dh * go * (1.0 - tc * tc);
  dG[gBase + GATE_I * H] = dc * gc * gi * (1.0 - gi);
  dG[gBase + GATE_F * H] = dc * cPrev * gf * (1.0 - gf);
  dG[gBase + GATE_C * H] = dc * gi * (1.0 - gc * gc);
  dG[gBase + GATE_O * H] = dh * tc * go * (1.0 - go);
  dcCarry[bk] = dc * gf;
}
