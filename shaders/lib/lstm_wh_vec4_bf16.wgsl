// lstm_wh_vec4.wgsl with Wh stored as bfloat16 (pack_half.wgsl with BFLOAT16): element i is Wh's vec4 i as
// two u32s, each a pair of bfloat16 values (units 2j, 2j + 1 in .x, 2j + 2, 2j + 3 in .y, the lower unit in
// the low half). A bfloat16 is the top half of an f32, so widening it is one shift or mask, no conversion.
// The host passes offWh = 2 × the packed buffer's u32 offset, so the indices are the f32 form's.
@group(0) @binding(1) var<storage, read> wh: array<vec2u>;

fn whAt(i: u32) -> vec4f {
  let w = wh[i];
  return bitcast<vec4f>(vec4u(w.x << 16u, w.x & 0xffff0000u, w.y << 16u, w.y & 0xffff0000u));
}
