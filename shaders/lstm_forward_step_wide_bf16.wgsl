// One LSTM timestep for prediction with Wh stored as bfloat16 (weightPrecision 'bfloat16'):
// lstm_forward_step_wide.wgsl (its header has the thread mapping and dispatch) reading Wh through
// lib/lstm_wh_bf16.wgsl; every sum stays in f32. The result is the f32 kernel's with Wh rounded to bfloat16.

override USE_RECURRENT_MASK: bool = false;

#include "lstm_wh_bf16"
#include "lstm_step_forward_wide"
