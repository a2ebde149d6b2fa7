// One LSTM timestep, fused, for a batch of several rows on the cpu tuning: the same computation as
// lstm_forward_step.wgsl (read that file's header for the math, gate order i, f, c, o, storage layout
// and masking), with each invocation owning 2 units of 8 batch rows. The recurrent sum reads Wh
// interleaved by unit (whI [H, H] vec4s: the four gates of unit u in row k side by side, made by
// lstm_interleave_gates.wgsl), so one vec4 load holds everything one unit needs from a row of Wh: per k,
// 8 h_{t−1} floats (the same for every invocation of a row group) and 2 whI vec4s feed 64 multiply-adds
// into 16 running vec4 sums, the register block of matmul_vec4.wgsl. On SwiftShader this beats 4 units of
// 4 rows over gate-blocked Wh (lstm_forward_step_vec4.wgsl: 4 Wh vec4s and 4 h floats per 64
// multiply-adds), which remains for one row and for 16-bit weights.
//
// Thread mapping: invocation (gid.x = pair of units u0 = 2·gid.x, u0 + 1; gid.y = group of 8 batch
// rows), workgroups of 8 × 8. Dispatch: (ceil(H / 16), ceil(B / 64), 1), once per timestep that is not
// all padding. An invocation whose 8 rows are all padding at this timestep skips the recurrent sum (the
// rows only carry their state on, and the sums would be thrown away): pre-padded texts of mixed lengths
// leave many such blocks in a batch's first timesteps.

override USE_RECURRENT_MASK: bool = false;

#include "lstm_gates"
alias Cell = f32;
#include "lstm_cell_math"

// kEnd: H, or 0 at the first processed timestep (h_{t−1} is then the zero initial state).
struct Params { B: u32, H: u32, t: u32, kEnd: u32 }

@group(0) @binding(0) var<storage, read> xp: array<f32>;         // [T, B, 4H]
@group(0) @binding(1) var<storage, read> whI: array<vec4f>;      // [H, H]: gates of (k, u)
@group(0) @binding(2) var<storage, read> mask: array<u32>;       // [T, B]
@group(0) @binding(3) var<storage, read> rmask: array<f32>;      // [B, H]
@group(0) @binding(4) var<storage, read_write> hs: array<f32>;   // [T + 1, B, H]
@group(0) @binding(5) var<storage, read_write> cs: array<f32>;   // [T + 1, B, H]
@group(0) @binding(6) var<storage, read_write> gates: array<f32>; // [T, B, 4H], activated
@group(0) @binding(7) var<uniform> p: Params;
// With USE_RECURRENT_MASK: h ⊙ rmask beside h (the recurrent sum reads it without a multiply; dWh's H_prev).
@group(0) @binding(8) var<storage, read_write> hm: array<f32>;   // [T + 1, B, H]

fn hPrev(i: u32) -> f32 {
  if (USE_RECURRENT_MASK) { return hm[i]; }
  return hs[i];
}

#include "lstm_cell_store"

// The cell of row b, unit u, from its pre-activations z (gates in the order of lstm_gates), for the rows
// and units inside the batch (the block's clamped copies are not stored).
fn cell(b: u32, u: u32, z: vec4f) {
  if (b < p.B && u < p.H) { cellForward(b, u, z); }
}

// Xp's four gates of unit u in the row whose h_{t−1} starts at hRow = (t·B + b)·H, gates in the order of
// lstm_gates (Xp's row starts at 4·hRow).
fn xpAt(hRow: u32, u: u32) -> vec4f {
  let base = 4u * hRow + u;
  var z: vec4f;
  z[GATE_I] = xp[base + GATE_I * p.H];
  z[GATE_F] = xp[base + GATE_F * p.H];
  z[GATE_C] = xp[base + GATE_C * p.H];
  z[GATE_O] = xp[base + GATE_O * p.H];
  return z;
}

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let H = p.H;
  let u0 = gid.x * 2u;
  let b0 = gid.y * 8u;
  if (u0 >= H || b0 >= p.B) { return; }
  let u1 = min(u0 + 1u, H - 1u);

  // s[2r + j]: the recurrent sums of row b0 + r, unit u0 + j, all four gates.
  var aLo: vec4u;
  var aHi: vec4u;
  for (var i = 0u; i < 4u; i++) {
    aLo[i] = (p.t * p.B + min(b0 + i, p.B - 1u)) * H;
    aHi[i] = (p.t * p.B + min(b0 + 4u + i, p.B - 1u)) * H;
  }
  var live = false;
  for (var r = 0u; r < 8u; r++) { live = live || mask[p.t * p.B + min(b0 + r, p.B - 1u)] != 0u; }
  let kEnd = select(0u, p.kEnd, live);
  // The sums start from Xp = X·Wx + b and add one k's product at a time: the rounding of
  // lstm_forward_step_vec4.wgsl, so that this kernel and that one's 16-bit forms agree bit for bit.
  var s0 = xpAt(aLo.x, u0); var s1 = xpAt(aLo.x, u1); var s2 = xpAt(aLo.y, u0); var s3 = xpAt(aLo.y, u1);
  var s4 = xpAt(aLo.z, u0); var s5 = xpAt(aLo.z, u1); var s6 = xpAt(aLo.w, u0); var s7 = xpAt(aLo.w, u1);
  var s8 = xpAt(aHi.x, u0); var s9 = xpAt(aHi.x, u1); var s10 = xpAt(aHi.y, u0); var s11 = xpAt(aHi.y, u1);
  var s12 = xpAt(aHi.z, u0); var s13 = xpAt(aHi.z, u1); var s14 = xpAt(aHi.w, u0); var s15 = xpAt(aHi.w, u1);
  var w0 = u0;
  var w1 = u1;
  for (var k = 0u; k < kEnd; k++) {
    let x0 = whI[w0];
    let x1 = whI[w1];
    let a0 = hPrev(aLo.x + k); let a1 = hPrev(aLo.y + k); let a2 = hPrev(aLo.z + k); let a3 = hPrev(aLo.w + k);
    let a4 = hPrev(aHi.x + k); let a5 = hPrev(aHi.y + k); let a6 = hPrev(aHi.z + k); let a7 = hPrev(aHi.w + k);
    s0 += a0 * x0; s1 += a0 * x1; s2 += a1 * x0; s3 += a1 * x1;
    s4 += a2 * x0; s5 += a2 * x1; s6 += a3 * x0; s7 += a3 * x1;
    s8 += a4 * x0; s9 += a4 * x1; s10 += a5 * x0; s11 += a5 * x1;
    s12 += a6 * x0; s13 += a6 * x1; s14 += a7 * x0; s15 += a7 * x1;
    w0 += H;
    w1 += H;
  }
  let acc = array<vec4f, 16>(s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15);
  for (var r = 0u; r < 8u; r++) {
    for (var j = 0u; j < 2u; j++) { cell(b0 + r, u0 + j, acc[2u * r + j]); }
  }
}
