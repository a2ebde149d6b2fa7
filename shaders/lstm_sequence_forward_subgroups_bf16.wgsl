// lstm_sequence_forward_subgroups.wgsl (its header has the schedule, requirements and dispatch) for
// prediction with Wh stored as bfloat16 (weightPrecision 'bfloat16'), read through lib/lstm_wh_vec4_bf16.wgsl:
// half the bytes per load of Wh from L2; every sum stays in f32. The result is the f32 kernel's with Wh
// rounded to bfloat16. Compiles only on a device with the `subgroups` feature.

enable subgroups;

override ROWS: u32 = 1u;       // 1, 2, 4 or 8 (MAX_ROWS)
override THREADS: u32 = 256u;  // invocations per workgroup
override HW_VEC4: u32 = 1024u; // capacity of hw in vec4s (16 bytes each)

#include "lstm_wh_vec4_bf16"
#include "lstm_sequence_forward_subgroups_body"
