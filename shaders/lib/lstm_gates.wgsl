// The gate order every LSTM kernel, src/nn/lstm-layout.ts, the float64 reference and the TF.js exporter
// share: i, f, c, o (Keras's). Gate g of unit j is column g·H + j of Wx [in, 4H], Wh [H, 4H], b [4H] and
// of the stored gates [T, B, 4H]. A test checks these constants against lstm-layout.ts.
const GATE_I: u32 = 0u;
const GATE_F: u32 = 1u;
const GATE_C: u32 = 2u;
const GATE_O: u32 = 3u;
