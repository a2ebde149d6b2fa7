// Binding 1 of the LSTM forward kernels that read Wh ([H, 4H] at offWh floats) four consecutive units of
// one gate at a time: whAt(i) is Wh's vec4 i. The f32 form; lstm_wh_vec4_f16.wgsl stores the same values
// as float16 (prediction with weightPrecision 'float16'), with the same indices.
@group(0) @binding(1) var<storage, read> wh: array<vec4f>;

fn whAt(i: u32) -> vec4f { return wh[i]; }
