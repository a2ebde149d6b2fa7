// lstm_sequence_forward.wgsl with its split dot products summed by subgroup shuffles instead of through
// workgroup memory (the `subgroups` feature: this module compiles only on a device that has it). Same
// math, bindings and storage layouts (read that file's header and lstm_forward_step.wgsl's for the math,
// the gate order i, f, c, o and the masking rules); what differs is where the partial sums go.
//
// Invocation li is lane s = li % SLICES of unit quad q = li / SLICES: the SLICES lanes of a quad are
// adjacent, so they sit in one subgroup (SLICES is a power of two no larger than the adapter's smallest
// subgroup: the host picks it; 1-D workgroups fill subgroups with consecutive invocations). Per timestep:
//   1. sums: lane s accumulates, for units 4q … 4q+3 and all 4 gates of every row, Σ_k h_{t−1}[r, k] ·
//      Wh[k, g·H + 4q …] over the k quads s, s + SLICES, … (vec4 loads of Wh, 16 per trip issued
//      together; one load of Wh serves all ROWS rows), then a butterfly of subgroupShuffleXor over the
//      SLICES lanes leaves the whole sum in every lane of the quad — no workgroup array of partial sums;
//   2. cell: lane 0 of quad q adds the input projection and the bias, updates its 4 units of every row (c
//      stays in its registers), stores h (and, when p.store, c and the activated gates) and writes the
//      new h into the other half of hw, which step 1 of t + 1 reads.
// hw is double-buffered (step t reads one half and writes the other), so one barrier per timestep.
// Without the partial-sum array the workgroup holds only 2·ROWS·H floats: more rows fit (ROWS up to 8,
// each load of Wh from L2 then serves 8 rows), and THREADS / HW_VEC4 size the workgroup for the adapter
// (256 invocations and 16 KiB everywhere; 1,024 and 48 KiB where the limits allow: ops/lstm-schedule.ts).
//
// Requires H % 4 == 0, Wh's and b's offsets % 4 == 0, (H/4)·SLICES ≤ THREADS, 2·ROWS·H/4 ≤ HW_VEC4.
// Dispatch: (ceil(B / ROWS), 1, 1), once per layer and direction.

enable subgroups;

override ROWS: u32 = 1u;       // 1, 2, 4 or 8 (MAX_ROWS)
override THREADS: u32 = 256u;  // invocations per workgroup
override HW_VEC4: u32 = 1024u; // capacity of hw in vec4s (16 bytes each)

#include "lstm_wh_vec4"
#include "lstm_sequence_forward_subgroups_body"
