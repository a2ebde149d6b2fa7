// One LSTM timestep, fused, for H divisible by 4: the same computation as lstm_forward_step.wgsl
// (read that file's header for the math, gate order i, f, c, o, storage layout and masking), with each
// invocation owning 4 consecutive units of 4 batch rows so that every Wh load is a vec4 (4 units of one
// gate) and every h_{t−1} load serves 16 multiply-adds: 8 loads per 64 multiply-adds in the k loop.
//
// Thread mapping: invocation (gid.x = unit group j0 = 4·gid.x, gid.y = group of 4 batch rows, or of
// one row with ONE_ROW). Dispatch: (ceil(H / (4·WG)), ceil(B / (ONE_ROW ? 1 : 4)), 1), once per
// timestep that is not all padding. ONE_ROW (prediction of one sequence) leaves out the three other
// rows' loads and multiply-adds, and a smaller WG spreads the H / 4 unit groups over several
// workgroups (a software adapter runs workgroups on its cores side by side, one workgroup on one core).

override USE_RECURRENT_MASK: bool = false;
override ONE_ROW: bool = false;  // one batch row per invocation instead of 4
override WG: u32 = 64u;           // invocations per workgroup
override ROWS_PER_INVOCATION: u32 = select(4u, 1u, ONE_ROW);

#include "lstm_wh_vec4"

#include "lstm_step_forward_vec4"
