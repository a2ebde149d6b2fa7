// A whole reset-before GRU layer's backpropagation through time in one dispatch, shaped for hardware
// GPUs: every timestep tEnd−1 … tStart of gru_rb_backward_state.wgsl then gru_rb_backward_reset.wgsl
// (read their headers for the derivatives; gate order z, r, h̃; the carries and masking rules in
// shaders/lib/gru_rb_step_backward.wgsl), looped inside the kernel. As in gru_rb_sequence_forward.wgsl,
// a workgroup owns ROWS batch rows for the whole sequence and synchronises only with itself.
//
// Per timestep t, going back:
//   1. state: invocation q < H/4 owns units 4q … 4q+3 of every row. It forms dh_t = dHs[t + 1] + carry
//      + rmask ⊙ (the slices of step 4 of t + 1 summed), then stateGrads gives dGz (kept in registers
//      until step 3) and da_h (stored, and put in workgroup memory dgw); carry ← dh_t ⊙ z.
//   2. sums: invocation (quad q, slice s) accumulates d(rh)[4q …] = Σ_j da_h[r, j] · Whᵀ[2H + j, 4q …]
//      over the j quads s, s + slices, … for every row, into workgroup memory.
//   3. reset: invocation q adds the slices, forms dGr (stored) and carry += d(rh) ⊙ r ⊙ rmask, and puts
//      dGz, dGr of its units into dgw for step 4.
//   4. sums: Σ_{n < 2H} dG_zr[r, n] · Whᵀ[n, 4q …] over the n quads s, s + slices, …, for step 1 of t − 1.
// The carry (dh_t's pointwise parts: through z ⊙ h_{t−1} and through rh) stays in the owners' registers.
// A padding row at t stores dG_t = 0 and passes dh_t on unchanged as its carry. At the first processed
// timestep (h̄ = 0: dGr = 0, nothing carried further) steps 2 and 4 are skipped.
//
// Requires H % 4 == 0, H/4 ≤ 256, ROWS·H ≤ 1024 (2·ROWS·H/4 vec4s of dgw ≤ 512) and slices·ROWS·H/4 ≤
// 1536 (the host picks slices: src/ops/gru-reset-before.ts).
// Dispatch: (ceil(B / ROWS), 1, 1), once per layer and direction, after whT = Whᵀ (transpose.wgsl).

override ROWS: u32 = 1u; // 1, 2 or 4 (MAX_ROWS)

#include "gru_rb_sequence"

// useRMask: apply the recurrent-dropout mask (a uniform: one pipeline per ROWS).
struct Params { B: u32, H: u32, tStart: u32, tEnd: u32, slices: u32, useRMask: u32 }

@group(0) @binding(0) var<storage, read> whT: array<vec4f>;      // [3H, H]: Whᵀ
@group(0) @binding(1) var<storage, read> mask: array<u32>;       // [T, B]
@group(0) @binding(2) var<storage, read> rmask: array<vec4f>;    // [B, H] (read only with useRMask)
@group(0) @binding(3) var<storage, read> gates: array<vec4f>;    // [T, B, 3H]: z, r, h̃
@group(0) @binding(4) var<storage, read> hs: array<vec4f>;       // [T + 1, B, H]
@group(0) @binding(5) var<storage, read> dHs: array<vec4f>;      // [T + 1, B, H]
@group(0) @binding(6) var<storage, read_write> dG: array<vec4f>; // [T, B, 3H]: dGz, dGr, da_h
@group(0) @binding(7) var<uniform> p: Params;

// Per row 2·H/4 vec4s, 4 columns per vec4: da_h in the first H/4 (steps 1–2), then dGz, dGr (steps 3–4).
var<workgroup> dgw: array<vec4f, 512>;
// Partial sums: part[(slice · ROWS + r) · H/4 + q], 4 units per vec4.
var<workgroup> part: array<vec4f, 1536>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let H = p.H;
  let Q = H / 4u;
  let Q2 = 2u * Q;
  let Q3 = 3u * Q;
  let slices = p.slices;
  let b0 = wg.x * ROWS;
  let q = li % Q;
  let s = li / Q;
  let summer = s < slices;
  let owner = li < Q;

  var carry: array<vec4f, MAX_ROWS>; // dh_t's pointwise parts from step t + 1
  var gz: array<vec4f, MAX_ROWS>;    // dGz of the current step, kept from step 1 to step 3
  for (var r = 0u; r < ROWS; r++) {
    carry[r] = vec4f(0.0);
    gz[r] = vec4f(0.0);
  }

  for (var t = p.tEnd; t > p.tStart; t--) {
    let tt = t - 1u;
    let first = tt == p.tStart;
    // 1. dh_t, dGz and da_h.
    if (owner) {
      for (var r = 0u; r < ROWS; r++) {
        let b = b0 + r;
        if (b >= p.B) { break; }
        var dh = dHs[((tt + 1u) * p.B + b) * Q + q] + carry[r];
        if (t < p.tEnd) {
          var rec = vec4f(0.0);
          for (var sl = 0u; sl < slices; sl++) { rec += part[(sl * ROWS + r) * Q + q]; }
          dh += rec * recurrentMask(b, q);
        }
        let g0 = (tt * p.B + b) * Q3 + q; // vec4 index of gate 0, units 4q …, in gates and dG
        if (mask[tt * p.B + b] == 0u) {
          dG[g0 + GATE_Z * Q] = vec4f(0.0);
          dG[g0 + GATE_H * Q] = vec4f(0.0);
          dgw[r * Q2 + q] = vec4f(0.0);
          gz[r] = vec4f(0.0);
          carry[r] = dh;
          continue;
        }
        let d = stateGrads(dh, gates[g0 + GATE_Z * Q], gates[g0 + GATE_H * Q], hs[(tt * p.B + b) * Q + q]);
        dG[g0 + GATE_Z * Q] = d.gz;
        dG[g0 + GATE_H * Q] = d.ah;
        dgw[r * Q2 + q] = d.ah;
        gz[r] = d.gz;
        carry[r] = d.carry;
      }
    }
    workgroupBarrier();
    // 2. Partial sums of d(rh) = da_h · Wh_hᵀ: four columns j = 4jq … 4jq+3 per quad.
    if (summer && !first) {
      var acc: array<vec4f, MAX_ROWS>;
      for (var r = 0u; r < ROWS; r++) { acc[r] = vec4f(0.0); }
      for (var jq = s; jq < Q; jq += slices) {
        var w: array<vec4f, 4>;
        for (var i = 0u; i < 4u; i++) { w[i] = whT[(GATE_H * H + 4u * jq + i) * Q + q]; }
        for (var r = 0u; r < ROWS; r++) {
          let d = dgw[r * Q2 + jq];
          acc[r] += d.x * w[0] + d.y * w[1] + d.z * w[2] + d.w * w[3];
        }
      }
      for (var r = 0u; r < ROWS; r++) { part[(s * ROWS + r) * Q + q] = acc[r]; }
    }
    workgroupBarrier();
    // 3. dGr and the reset path's carry; dGz, dGr into dgw.
    if (owner) {
      for (var r = 0u; r < ROWS; r++) {
        let b = b0 + r;
        if (b >= p.B) { break; }
        let g0 = (tt * p.B + b) * Q3 + q;
        if (mask[tt * p.B + b] == 0u) {
          dG[g0 + GATE_R * Q] = vec4f(0.0);
          dgw[r * Q2 + GATE_Z * Q + q] = vec4f(0.0);
          dgw[r * Q2 + GATE_R * Q + q] = vec4f(0.0);
          continue;
        }
        var drh = vec4f(0.0);
        if (!first) {
          for (var sl = 0u; sl < slices; sl++) { drh += part[(sl * ROWS + r) * Q + q]; }
        }
        let m = recurrentMask(b, q);
        let d = resetGrads(drh, gates[g0 + GATE_R * Q], hs[(tt * p.B + b) * Q + q] * m, m);
        dG[g0 + GATE_R * Q] = d.gr;
        carry[r] += d.carry;
        dgw[r * Q2 + GATE_Z * Q + q] = gz[r];
        dgw[r * Q2 + GATE_R * Q + q] = d.gr;
      }
    }
    workgroupBarrier();
    // 4. Partial sums of dG_zr · Wh_zrᵀ for step 1 of tt − 1: columns n = 4nq … 4nq+3, nq < 2·H/4.
    if (summer && !first) {
      var acc: array<vec4f, MAX_ROWS>;
      for (var r = 0u; r < ROWS; r++) { acc[r] = vec4f(0.0); }
      for (var nq = s; nq < Q2; nq += slices) {
        var w: array<vec4f, 4>;
        for (var i = 0u; i < 4u; i++) { w[i] = whT[(4u * nq + i) * Q + q]; }
        for (var r = 0u; r < ROWS; r++) {
          let d = dgw[r * Q2 + nq];
          acc[r] += d.x * w[0] + d.y * w[1] + d.z * w[2] + d.w * w[3];
        }
      }
      for (var r = 0u; r < ROWS; r++) { part[(s * ROWS + r) * Q + q] = acc[r]; }
    }
    workgroupBarrier();
  }
}
