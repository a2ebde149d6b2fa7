// lstm_wh_vec4.wgsl with Wh stored as float16 (pack_half.wgsl): element i is Wh's vec4 i as two u32s,
// each a pair of float16 values (units 2j, 2j + 1 in .x, 2j + 2, 2j + 3 in .y, the lower unit in the low
// half), widened to f32 as it is loaded (core WGSL unpack2x16float: no `shader-f16` feature needed). The
// host passes offWh = 2 × the packed buffer's u32 offset, so the indices are the f32 form's.
@group(0) @binding(1) var<storage, read> wh: array<vec2u>;

fn whAt(i: u32) -> vec4f {
  let w = wh[i];
  return vec4f(unpack2x16float(w.x), unpack2x16float(w.y));
}
