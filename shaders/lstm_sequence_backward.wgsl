// A whole LSTM layer's backpropagation through time in one dispatch, shaped for hardware GPUs: every
// timestep tEnd−1 … tStart of lstm_backward_step.wgsl (read that file's header for the derivatives, the
// gate order i, f, c, o and the masking rules), looped inside the kernel. As in
// lstm_sequence_forward.wgsl, a workgroup owns ROWS batch rows for the whole sequence and synchronises
// only with itself.
//
// Per timestep t, going back:
//   1. cell: invocation q < H/4 owns units 4q … 4q+3 of every row. It forms dh_t = dHs[t + 1] + the
//      recurrent gradient from step t + 1 (the slices of step 2 summed, ⊙ the recurrent-dropout mask;
//      or, for a row that was padding at t + 1, the dh it passed through), then cellGrads gives dG_t,
//      stored for the weight GEMMs and kept in workgroup memory (dgw); dc stays in its registers.
//   2. sums: invocation (quad q, slice s) accumulates Σ_n dG_t[r, n] · Whᵀ[n, 4q …] over the n quads
//      s, s + slices, … for every row (vec4 loads of the transposed Wh: adjacent invocations read
//      adjacent units; 8 loads per trip, issued together), into workgroup memory, for step 1 of t − 1.
// A padding row at t stores dG_t = 0, passes dh_t on unchanged and keeps its dc (as the per-timestep
// kernels do with dhCarry and dcCarry).
//
// Requires H % 4 == 0, H/4 ≤ 256, ROWS·H ≤ 1024 and slices·ROWS·H/4 ≤ 768 (the host picks slices).
// Dispatch: (ceil(B / ROWS), 1, 1), once per layer and direction, after whT = Whᵀ (transpose.wgsl).

override ROWS: u32 = 1u; // 1, 2 or 4 (MAX_ROWS)

#include "lstm_gates"

#include "lstm_sequence"

// useRMask: apply the recurrent-dropout mask (a uniform: one pipeline per ROWS).
struct Params { B: u32, H: u32, tStart: u32, tEnd: u32, slices: u32, useRMask: u32 }

@group(0) @binding(0) var<storage, read> whT: array<vec4f>;      // [4H, H]: Whᵀ
@group(0) @binding(1) var<storage, read> mask: array<u32>;       // [T, B]
@group(0) @binding(2) var<storage, read> rmask: array<vec4f>;    // [B, H] (read only with useRMask)
@group(0) @binding(3) var<storage, read> gates: array<vec4f>;    // [T, B, 4H]
@group(0) @binding(4) var<storage, read> cs: array<vec4f>;       // [T + 1, B, H]
@group(0) @binding(5) var<storage, read> dHs: array<vec4f>;      // [T + 1, B, H]
@group(0) @binding(6) var<storage, read_write> dG: array<vec4f>; // [T, B, 4H]
@group(0) @binding(7) var<uniform> p: Params;

// dG_t of the workgroup's rows, 4 columns per vec4: dgw[r · H + nq] holds dG_t[r, 4nq … 4nq+3].
var<workgroup> dgw: array<vec4f, 1024>;
// Partial sums: part[(slice · ROWS + r) · H/4 + q], 4 units per vec4.
var<workgroup> part: array<vec4f, 768>;

// What the cell's gradient at step tt needs of row b, units 4q …: loaded one step ahead (during the sums
// of the step before), so that the loads' latency overlaps the loop.
struct CellIn { dh: vec4f, i: vec4f, f: vec4f, g: vec4f, o: vec4f, c: vec4f, cPrev: vec4f, real: bool }

fn loadCell(tt: u32, b: u32, q: u32) -> CellIn {
  let Q = p.H / 4u;
  let g0 = (tt * p.B + b) * p.H + q;
  let next = ((tt + 1u) * p.B + b) * Q + q;
  return CellIn(
    dHs[next],
    gates[g0 + GATE_I * Q], gates[g0 + GATE_F * Q], gates[g0 + GATE_C * Q], gates[g0 + GATE_O * Q],
    cs[next], cs[(tt * p.B + b) * Q + q],
    mask[tt * p.B + b] != 0u,
  );
}

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let H = p.H;
  let Q = H / 4u;
  let slices = p.slices;
  let b0 = wg.x * ROWS;
  let q = li % Q;
  let s = li / Q;
  let summer = s < slices;
  let owner = li < Q;

  var dc: array<vec4f, MAX_ROWS>;   // gradient carried into c_t from t + 1
  var carried: array<vec4f, MAX_ROWS>; // dh passed through a padding step at t + 1
  var inp: array<CellIn, MAX_ROWS>;
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
        var dh = x.dh;
        if (t < p.tEnd) {
          var rec = vec4f(0.0);
          for (var sl = 0u; sl < slices; sl++) { rec += part[(sl * ROWS + r) * Q + q]; }
          dh += rec * recurrentMask(b, q) + carried[r];
        }
        let g0 = (tt * p.B + b) * H + q; // vec4 index of gate 0, units 4q …, in gates and dG
        if (!x.real) {
          for (var g = 0u; g < 4u; g++) {
            dG[g0 + g * Q] = vec4f(0.0);
            dgw[r * H + g * Q + q] = vec4f(0.0);
          }
          carried[r] = dh;
          continue;
        }
        carried[r] = vec4f(0.0);
        let d = cellGrads(dh, dc[r], x.i, x.f, x.g, x.o, x.c, x.cPrev);
        dG[g0 + GATE_I * Q] = d.zi;
        dG[g0 + GATE_F * Q] = d.zf;
        dG[g0 + GATE_C * Q] = d.zc;
        dG[g0 + GATE_O * Q] = d.zo;
        dgw[r * H + GATE_I * Q + q] = d.zi;
        dgw[r * H + GATE_F * Q + q] = d.zf;
        dgw[r * H + GATE_C * Q + q] = d.zc;
        dgw[r * H + GATE_O * Q + q] = d.zo;
        dc[r] = d.cPrev;
      }
    }
    workgroupBarrier();
    if (owner && tt > p.tStart) {
      for (var r = 0u; r < ROWS; r++) { inp[r] = loadCell(tt - 1u, min(b0 + r, p.B - 1u), q); }
    }
    // 2. Partial sums of dG_tt · Whᵀ for step tt − 1 (none after the first processed step).
    if (summer && tt > p.tStart) {
      // Zeroed explicitly at every timestep: a declaration inside a loop is not re-initialised by every driver.
      var acc: array<vec4f, MAX_ROWS>;
      for (var r = 0u; r < ROWS; r++) { acc[r] = vec4f(0.0); }
      // Four columns n = 4nq … 4nq+3 per quad, two quads per trip (8 loads of Whᵀ issued together).
      var nq = s;
      for (; nq + slices < H; nq += 2u * slices) {
        let n1 = nq + slices;
        var w: array<vec4f, 8>;
        for (var i = 0u; i < 4u; i++) {
          w[i] = whT[(4u * nq + i) * Q + q];
          w[4u + i] = whT[(4u * n1 + i) * Q + q];
        }
        for (var r = 0u; r < ROWS; r++) {
          let d0 = dgw[r * H + nq];
          let d1 = dgw[r * H + n1];
          acc[r] += d0.x * w[0] + d0.y * w[1] + d0.z * w[2] + d0.w * w[3] + d1.x * w[4] + d1.y * w[5] + d1.z * w[6] + d1.w * w[7];
        }
      }
      if (nq < H) {
        var w: array<vec4f, 4>;
        for (var i = 0u; i < 4u; i++) { w[i] = whT[(4u * nq + i) * Q + q]; }
        for (var r = 0u; r < ROWS; r++) {
          let d0 = dgw[r * H + nq];
          acc[r] += d0.x * w[0] + d0.y * w[1] + d0.z * w[2] + d0.w * w[3];
        }
      }
      for (var r = 0u; r < ROWS; r++) { part[(s * ROWS + r) * Q + q] = acc[r]; }
    }
    workgroupBarrier();
  }
}
