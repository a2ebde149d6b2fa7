// One LSTM timestep for prediction with Wh stored as bfloat16 (weightPrecision 'bfloat16'):
// lstm_forward_step_vec4.wgsl (its header has the thread mapping and dispatch) reading each vec4 of Wh from
// two u32s of bfloat16 pairs (lib/lstm_wh_vec4_bf16.wgsl), widened to f32 by a shift or a mask; every sum
// stays in f32. The result is the f32 kernel's with Wh rounded to bfloat16.

override USE_RECURRENT_MASK: bool = false;
override ONE_ROW: bool = false;  // one batch row per invocation instead of 4
override WG: u32 = 64u;           // invocations per workgroup
override ROWS_PER_INVOCATION: u32 = select(4u, 1u, ONE_ROW);

#include "lstm_wh_vec4_bf16"

#include "lstm_step_forward_vec4"
