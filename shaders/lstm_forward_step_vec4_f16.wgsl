// One LSTM timestep for inference with Wh stored as float16: lstm_forward_step_vec4.wgsl (its header has
// the thread mapping and dispatch) reading each vec4 of Wh from two u32s, each a pair of float16 values
// (pack_half.wgsl made them), widened to f32 as they are loaded; every sum stays in f32. Half the bytes of
// Wh per multiply-add, on any adapter (unpack2x16float is core WGSL: no `shader-f16` feature needed).
// The result is the f32 kernel's with Wh rounded to float16.

override USE_RECURRENT_MASK: bool = false;
override ONE_ROW: bool = false;  // one batch row per invocation instead of 4
override WG: u32 = 64u;           // invocations per workgroup
override ROWS_PER_INVOCATION: u32 = select(4u, 1u, ONE_ROW);

#include "lstm_wh_vec4_f16"

#include "lstm_step_forward_vec4"
