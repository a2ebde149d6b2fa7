// A whole reset-after GRU layer's backpropagation through time in one dispatch, shaped for hardware
// GPUs: every timestep tEnd−1 … tStart of gru_ra_backward_step.wgsl (read that file's header for the
// derivatives, the gate order z, r, h̃ and the masking rules), looped inside the kernel. As in
// gru_ra_sequence_forward.wgsl, a workgroup owns ROWS batch rows for the whole sequence and synchronises
// only with itself (the layout of lstm_sequence_backward.wgsl, with 3 gate blocks).
//
// Per timestep t, going back:
//   1. cell: invocation q < H/4 owns units 4q … 4q+3 of every row. It forms dh_t = dHs[t + 1] + the carry
//      from step t + 1 (dh_{t+1} ⊙ z_{t+1}, or all of dh_{t+1} for a row that was padding there; kept in
//      its registers) + the recurrent gradient from step t + 1 (the slices of step 2 summed, ⊙ the
//      recurrent-dropout mask); gruGrads gives dGx_t and dGh_t, both stored for the weight GEMMs, dGh_t
//      also kept in workgroup memory (dgw).
//   2. sums: invocation (quad q, slice s) accumulates Σ_n dGh_t[r, n] · Whᵀ[n, 4q …] over the n quads
//      s, s + slices, … (n over 3H) for every row (vec4 loads of the transposed Wh: adjacent invocations
//      read adjacent units; 8 loads per trip, issued together), into workgroup memory, for step 1 of t − 1.
// A padding row at t stores dGx_t = dGh_t = 0 and passes dh_t on whole.
//
// Requires H % 4 == 0, H/4 ≤ 256, ROWS·H ≤ 1024 (dgw: ROWS·3H/4 ≤ 768 vec4s) and slices·ROWS·H/4 ≤ 1024
// (the host picks slices). Workgroup memory: 1792 vec4s = 28 KiB.
// Dispatch: (ceil(B / ROWS), 1, 1), once per layer and direction, after whT = Whᵀ (transpose.wgsl).

override ROWS: u32 = 1u; // 1, 2 or 4 (MAX_ROWS)

#include "gru_ra_sequence"

// useRMask: apply the recurrent-dropout mask (a uniform: one pipeline per ROWS).
struct Params { B: u32, H: u32, tStart: u32, tEnd: u32, slices: u32, useRMask: u32 }

@group(0) @binding(0) var<storage, read> whT: array<vec4f>;       // [3H, H]: Whᵀ
@group(0) @binding(1) var<storage, read> mask: array<u32>;        // [T, B]
@group(0) @binding(2) var<storage, read> rmask: array<vec4f>;     // [B, H] (read only with useRMask)
@group(0) @binding(3) var<storage, read> gates: array<vec4f>;     // [T, B, 4H]: z, r, h̃, hp_h
@group(0) @binding(4) var<storage, read> hs: array<vec4f>;        // [T + 1, B, H]
@group(0) @binding(5) var<storage, read> dHs: array<vec4f>;       // [T + 1, B, H]
@group(0) @binding(6) var<storage, read_write> dGx: array<vec4f>; // [T, B, 3H]
@group(0) @binding(7) var<storage, read_write> dGh: array<vec4f>; // [T, B, 3H]
@group(0) @binding(8) var<uniform> p: Params;

// dGh_t of the workgroup's rows, 4 columns per vec4: dgw[r · 3H/4 + nq] holds dGh_t[r, 4nq … 4nq+3].
var<workgroup> dgw: array<vec4f, 768>;
// Partial sums: part[(slice · ROWS + r) · H/4 + q], 4 units per vec4.
var<workgroup> part: array<vec4f, 1024>;

// What the cell's gradient at step tt needs of row b, units 4q …: loaded one step ahead (during the sums
// of the step before), so that the loads' latency overlaps the loop.
struct CellIn { dh: vec4f, z: vec4f, r: vec4f, hh: vec4f, hph: vec4f, hPrev: vec4f, real: bool }

fn loadCell(tt: u32, b: u32, q: u32) -> CellIn {
  let Q = p.H / 4u;
  let a0 = (tt * p.B + b) * 4u * Q + q;
  return CellIn(
    dHs[((tt + 1u) * p.B + b) * Q + q],
    gates[a0 + GATE_Z * Q], gates[a0 + GATE_R * Q], gates[a0 + GATE_H * Q], gates[a0 + SLOT_HREC * Q],
    hs[(tt * p.B + b) * Q + q],
    mask[tt * p.B + b] != 0u,
  );
}

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let H = p.H;
  let Q = H / 4u;
  let G4 = 3u * Q;            // n quads: vec4s per row of a [*, 3H] matrix
  let slices = p.slices;
  let b0 = wg.x * ROWS;
  let q = li % Q;
  let s = li / Q;
  let summer = s < slices;
  let owner = li < Q;

  var carry: array<vec4f, MAX_ROWS>; // the part of dh_t that step t + 1 passed through its carry
  var inp: array<CellIn, MAX_ROWS>;
  for (var r = 0u; r < MAX_ROWS; r++) { carry[r] = vec4f(0.0); }
  if (owner && p.tEnd > p.tStart) {
    for (var r = 0u; r < ROWS; r++) { inp[r] = loadCell(p.tEnd - 1u, min(b0 + r, p.B - 1u), q); }
  }

  for (var t = p.tEnd; t > p.tStart; t--) {
    let tt = t - 1u;
    // 1. The cell's gradients at tt.
    if (owner) {
      for (var r = 0u; r < ROWS; r++) {
        let b = b0 + r;
        if (b >= p.B) { break; }
        let x = inp[r];
        var dh = x.dh + carry[r];
        if (t < p.tEnd) {
          var rec = vec4f(0.0);
          for (var sl = 0u; sl < slices; sl++) { rec += part[(sl * ROWS + r) * Q + q]; }
          dh += rec * recurrentMask(b, q);
        }
        let g0 = (tt * p.B + b) * G4 + q; // vec4 index of gate 0, units 4q …, in dGx and dGh
        if (!x.real) {
          for (var g = 0u; g < 3u; g++) {
            dGx[g0 + g * Q] = vec4f(0.0);
            dGh[g0 + g * Q] = vec4f(0.0);
            dgw[r * G4 + g * Q + q] = vec4f(0.0);
          }
          carry[r] = dh;
          continue;
        }
        let d = gruGrads(dh, x.z, x.r, x.hh, x.hph, x.hPrev);
        dGx[g0 + GATE_Z * Q] = d.z;
        dGx[g0 + GATE_R * Q] = d.r;
        dGx[g0 + GATE_H * Q] = d.xh;
        dGh[g0 + GATE_Z * Q] = d.z;
        dGh[g0 + GATE_R * Q] = d.r;
        dGh[g0 + GATE_H * Q] = d.hh;
        dgw[r * G4 + GATE_Z * Q + q] = d.z;
        dgw[r * G4 + GATE_R * Q + q] = d.r;
        dgw[r * G4 + GATE_H * Q + q] = d.hh;
        carry[r] = d.carry;
      }
    }
    workgroupBarrier();
    if (owner && tt > p.tStart) {
      for (var r = 0u; r < ROWS; r++) { inp[r] = loadCell(tt - 1u, min(b0 + r, p.B - 1u), q); }
    }
    // 2. Partial sums of dGh_tt · Whᵀ for step tt − 1 (none after the first processed step).
    if (summer && tt > p.tStart) {
      // Zeroed explicitly at every timestep: a declaration inside a loop is not re-initialised by every driver.
      var acc: array<vec4f, MAX_ROWS>;
      for (var r = 0u; r < ROWS; r++) { acc[r] = vec4f(0.0); }
      // Four columns n = 4nq … 4nq+3 per quad, two quads per trip (8 loads of Whᵀ issued together).
      var nq = s;
      for (; nq + slices < G4; nq += 2u * slices) {
        let n1 = nq + slices;
        var w: array<vec4f, 8>;
        for (var i = 0u; i < 4u; i++) {
          w[i] = whT[(4u * nq + i) * Q + q];
          w[4u + i] = whT[(4u * n1 + i) * Q + q];
        }
        for (var r = 0u; r < ROWS; r++) {
          let d0 = dgw[r * G4 + nq];
          let d1 = dgw[r * G4 + n1];
          acc[r] += d0.x * w[0] + d0.y * w[1] + d0.z * w[2] + d0.w * w[3] + d1.x * w[4] + d1.y * w[5] + d1.z * w[6] + d1.w * w[7];
        }
      }
      if (nq < G4) {
        var w: array<vec4f, 4>;
        for (var i = 0u; i < 4u; i++) { w[i] = whT[(4u * nq + i) * Q + q]; }
        for (var r = 0u; r < ROWS; r++) {
          let d0 = dgw[r * G4 + nq];
          acc[r] += d0.x * w[0] + d0.y * w[1] + d0.z * w[2] + d0.w * w[3];
        }
      }
      for (var r = 0u; r < ROWS; r++) { part[(s * ROWS + r) * Q + q] = acc[r]; }
    }
    workgroupBarrier();
  }
}
