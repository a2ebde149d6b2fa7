// lstm_wh.wgsl with Wh stored as float16 pairs packed in u32s (pack_half.wgsl): float e is the low (e even)
// or high (e odd) half of u32 e / 2, widened to f32 as it is loaded. The host passes offWh = 2 × the
// packed buffer's u32 offset, so the indices are the f32 form's.
@group(0) @binding(1) var<storage, read> wh: array<u32>;

fn whAt(e: u32) -> f32 { return unpack2x16float(wh[e >> 1u])[e & 1u]; }
