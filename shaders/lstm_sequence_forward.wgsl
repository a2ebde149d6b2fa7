// A whole LSTM layer's recurrence in one dispatch, shaped for hardware GPUs: every timestep
// tStart … tEnd−1 of lstm_forward_step.wgsl (read that file's header for the math, the gate order i, f,
// c, o, the storage layouts and the masking rules), looped inside the kernel instead of one dispatch
// per timestep. Batch rows are independent, so a workgroup owns ROWS of them for the whole sequence and
// needs no other workgroup: between timesteps it waits only on its own workgroupBarrier.
//
// Per timestep, with the rows' h_{t−1} (⊙ the recurrent-dropout mask) in workgroup memory (hw):
//   1. sums: invocation (quad q, slice s) accumulates, for its 4 units 4q … 4q+3 and all 4 gates of every
//      row, Σ_k h_{t−1}[r, k] · Wh[k, g·H + 4q …] over the k quads s, s + slices, … (vec4 loads of Wh:
//      adjacent invocations read adjacent columns; it stays in L2 between timesteps; 16 loads per trip,
//      issued together, since at these sizes the loop is bound by load latency), into workgroup memory;
//   2. cell: invocation q < H/4 adds the slices and the input projection, updates its 4 units of every
//      row (c stays in its registers for the whole sequence), stores h (and, when p.store, c and the
//      activated gates for the backward pass) and writes the new h into hw for step 1 of t + 1.
// Two barriers per timestep; one invocation per unit quad owns the cell state, so no step ever needs
// another workgroup's data.
//
// Requires H % 4 == 0, Wh's and b's offsets % 4 == 0, H/4 ≤ 256, ROWS·H ≤ 1024 and slices·ROWS·H ≤ 1792 (the
// host picks slices; ops/lstm-schedule.ts).
// Dispatch: (ceil(B / ROWS), 1, 1), once per layer and direction.

override ROWS: u32 = 1u; // 1, 2 or 4 (MAX_ROWS)

#include "lstm_wh_vec4"
#include "lstm_sequence_forward_body"
