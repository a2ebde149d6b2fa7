// The body of the subgroup whole-sequence LSTM forward (read lstm_sequence_forward_subgroups.wgsl's
// header), shared by the kernels that differ only in how Wh is stored: lstm_sequence_forward_subgroups.wgsl
// (f32) and lstm_sequence_forward_subgroups_f16.wgsl (float16). The including kernel enables subgroups,
// declares the overrides ROWS, THREADS and HW_VEC4 and includes Wh's binding and `whAt`
// (lib/lstm_wh_vec4.wgsl or lib/lstm_wh_vec4_f16.wgsl).

#include "lstm_gates"

alias Cell = vec4f;
#include "lstm_cell_math"

const MAX_ROWS: u32 = 8u; // function-scope arrays need a constant size; loops run to ROWS

// slices: lanes per unit quad (SLICES above: a power of two); the other fields as lstm_sequence_forward's.
struct Params { B: u32, H: u32, tStart: u32, tEnd: u32, offWh: u32, offB: u32, slices: u32, useRMask: u32, store: u32 }

@group(0) @binding(0) var<storage, read> xp: array<vec4f>;          // [T, B, 4H]: X·Wx, without the bias
@group(0) @binding(2) var<storage, read> mask: array<u32>;          // [T, B]
@group(0) @binding(3) var<storage, read> rmask: array<vec4f>;       // [B, H] (read only with useRMask)
@group(0) @binding(4) var<storage, read_write> hs: array<vec4f>;    // [T + 1, B, H]
@group(0) @binding(5) var<storage, read_write> cs: array<vec4f>;    // [T + 1, B, H]
@group(0) @binding(6) var<storage, read_write> gates: array<vec4f>; // [T, B, 4H], activated
@group(0) @binding(7) var<storage, read> bias: array<vec4f>;       // [4H] at offB (floats)
@group(0) @binding(8) var<uniform> p: Params;

// h_{t−1} of the workgroup's rows as the recurrence sees it, in two halves of ROWS · H/4 vec4s:
// hw[half + r · H/4 + kq], half = 0 at even steps (counted from tStart), ROWS · H/4 at odd ones.
var<workgroup> hw: array<vec4f, HW_VEC4>;

// The recurrent-dropout mask of row b, units 4q … 4q+3 (ones without one).
fn recurrentMask(b: u32, q: u32) -> vec4f {
  if (p.useRMask != 0u) { return rmask[b * (p.H / 4u) + q]; }
  return vec4f(1.0);
}

@compute @workgroup_size(THREADS, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let H = p.H;
  let Q = H / 4u;             // unit quads; also vec4s per h row
  let slices = p.slices;
  let b0 = wg.x * ROWS;
  let q = li / slices;
  let s = li % slices;
  let summer = q < Q;         // takes part in step 1 (the others still join the shuffles, adding zeros)
  let owner = summer && s == 0u; // owns quad q of every row in step 2
  let whBase = p.offWh / 4u;  // vec4 index of Wh[0, 0]
  let RQ = ROWS * Q;

  // The state at tStart: zero (see lstm_sequence_forward.wgsl); c starts in registers.
  var c: array<vec4f, MAX_ROWS>;
  if (owner) {
    for (var r = 0u; r < ROWS; r++) {
      let b = min(b0 + r, p.B - 1u);
      c[r] = vec4f(0.0);
      hw[r * Q + q] = hs[(p.tStart * p.B + b) * Q + q] * recurrentMask(b, q);
    }
  }

  // Every invocation runs every trip of these loops (their bounds are uniform): the shuffles below must
  // be reached by the whole subgroup.
  for (var t = p.tStart; t < p.tEnd; t++) {
    workgroupBarrier();
    let cur = ((t - p.tStart) & 1u) * RQ; // the half holding h_{t−1}
    let nxt = RQ - cur;                   // the half receiving h_t
    // The input projection plus the bias, loaded before the sums so that their latency overlaps the loop.
    var zx: array<vec4f, 4u * MAX_ROWS>;
    if (owner) {
      for (var r = 0u; r < ROWS; r++) {
        let g0 = (t * p.B + min(b0 + r, p.B - 1u)) * H + q;
        for (var g = 0u; g < 4u; g++) { zx[4u * r + g] = xp[g0 + g * Q] + bias[p.offB / 4u + g * Q + q]; }
      }
    }
    // 1. This lane's share of the recurrent sums (zeroed at every timestep: a declaration inside a loop
    // is not re-initialised by every driver).
    var acc: array<vec4f, 4u * MAX_ROWS>;
    for (var i = 0u; i < 4u * ROWS; i++) { acc[i] = vec4f(0.0); }
    for (var k0 = 0u; k0 < Q; k0 += slices) {
      let kq = k0 + s;
      if (summer && kq < Q) {
        // Row k of Wh holds 4H floats = H vec4s; gate g of units 4q … starts at vec4 g·Q + q.
        let w0 = whBase + 4u * kq * H + q;
        var w: array<vec4f, 16>; // [k offset · 4 + gate]
        for (var i = 0u; i < 4u; i++) {
          for (var g = 0u; g < 4u; g++) { w[4u * i + g] = whAt(w0 + i * H + g * Q); }
        }
        for (var r = 0u; r < ROWS; r++) {
          let h = hw[cur + r * Q + kq];
          for (var g = 0u; g < 4u; g++) {
            acc[4u * r + g] += h.x * w[g] + h.y * w[4u + g] + h.z * w[8u + g] + h.w * w[12u + g];
          }
        }
      }
    }
    // The quad's SLICES lanes exchange their sums: after log2(SLICES) rounds every lane holds the total.
    for (var m = 1u; m < slices; m <<= 1u) {
      for (var i = 0u; i < 4u * ROWS; i++) { acc[i] += subgroupShuffleXor(acc[i], m); }
    }
    // 2. The cell update of quad q of every row.
    if (owner) {
      for (var r = 0u; r < ROWS; r++) {
        let b = b0 + r;
        if (b >= p.B) { break; }
        let prev = (t * p.B + b) * Q + q;
        let next = ((t + 1u) * p.B + b) * Q + q;
        let g0 = (t * p.B + b) * H + q; // vec4 index of gate 0, units 4q …, in xp and gates
        if (mask[t * p.B + b] == 0u) {
          // Padding: the state carries over (into the other half of hw too).
          hs[next] = hs[prev];
          hw[nxt + r * Q + q] = hw[cur + r * Q + q];
          if (p.store != 0u) {
            cs[next] = c[r];
            for (var g = 0u; g < 4u; g++) { gates[g0 + g * Q] = vec4f(0.0); }
          }
          continue;
        }
        let z = array<vec4f, 4>(zx[4u * r] + acc[4u * r], zx[4u * r + 1u] + acc[4u * r + 1u], zx[4u * r + 2u] + acc[4u * r + 2u], zx[4u * r + 3u] + acc[4u * r + 3u]);
        let st = cellStep(z[GATE_I], z[GATE_F], z[GATE_C], z[GATE_O], c[r]);
        c[r] = st.c;
        hs[next] = st.h;
        hw[nxt + r * Q + q] = st.h * recurrentMask(b, q);
        if (p.store != 0u) {
          cs[next] = st.c;
          gates[g0 + GATE_I * Q] = st.i;
          gates[g0 + GATE_F * Q] = st.f;
          gates[g0 + GATE_C * Q] = st.g;
          gates[g0 + GATE_O * Q] = st.o;
        }
      }
    }
  }
}
