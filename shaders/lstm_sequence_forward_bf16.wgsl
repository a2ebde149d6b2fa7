// A whole LSTM layer's recurrence in one dispatch, for prediction with Wh stored as bfloat16
// (weightPrecision 'bfloat16'): lstm_sequence_forward.wgsl (its header has the schedule, requirements and
// dispatch) reading Wh through lib/lstm_wh_vec4_bf16.wgsl, half the bytes per load of Wh from L2; every
// sum stays in f32. The result is the f32 kernel's with Wh rounded to bfloat16.

override ROWS: u32 = 1u; // 1, 2 or 4 (MAX_ROWS)

#include "lstm_wh_vec4_bf16"
#include "lstm_sequence_forward_body"
