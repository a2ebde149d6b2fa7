// lstm_wh.wgsl with Wh stored as bfloat16 pairs packed in u32s (pack_half.wgsl with BFLOAT16): float e is
// the low (e even) or high (e odd) half of u32 e / 2, widened to f32 by moving it to the top half. The host
// passes offWh = 2 × the packed buffer's u32 offset, so the indices are the f32 form's.
@group(0) @binding(1) var<storage, read> wh: array<u32>;

fn whAt(e: u32) -> f32 {
  let w = wh[e >> 1u];
  return bitcast<f32>(select(w << 16u, w & 0xffff0000u, (e & 1u) == 1u));
}
