// Binding 1 of the LSTM forward kernels that read Wh ([H, 4H] at offWh) one float at a time: whAt(e) is
// Wh's float e. The f32 form; lstm_wh_f16.wgsl stores the same values as float16, with the same indices.
@group(0) @binding(1) var<storage, read> wh: array<f32>;

fn whAt(e: u32) -> f32 { return wh[e]; }
