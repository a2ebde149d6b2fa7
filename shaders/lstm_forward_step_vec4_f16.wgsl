// One LSTM timestep for inference with Wh stored as float16: lstm_forward_step_vec4.wgsl (its header has
// the thread mapping and dispatch) reading each vec4 of Wh from two u32s, each a pair of float16 values
// (pack_f16.wgsl made them), widened to f32 as they are loaded; every sum stays in f32. Half the bytes of
// Wh per multiply-add, on any adapter (unpack2x16float is core WGSL: no `shader-f16` feature needed).
// The result is the f32 kernel's with Wh rounded to float16.

override USE_RECURRENT_MASK: bool = false;
override ONE_ROW: bool = false;  // one batch row per invocation instead of 4
override WG: u32 = 64u;           // invocations per workgroup
override ROWS_PER_INVOCATION: u32 = select(4u, 1u, ONE_ROW);

// [H, 4H] as float16 pairs: element i holds Wh's vec4 i (units 2j, 2j + 1 in .x, 2j + 2, 2j + 3 in .y,
// the lower unit in each u32's low half), from vec4 index offWh / 4 (offWh counts floats, as for f32).
@group(0) @binding(1) var<storage, read> wh: array<vec2u>;

fn whAt(i: u32) -> vec4f {
  let w = wh[i];
  return vec4f(unpack2x16float(w.x), unpack2x16float(w.y));
}

#include "lstm_step_forward_vec4"
