// The activations every recurrent cell uses (LSTM, GRU, SimpleRNN), on one unit per value or four: the
// including file first declares `alias Cell = f32;` or `alias Cell = vec4f;`.

fn sigmoid(x: Cell) -> Cell { return 1.0 / (1.0 + exp(-x)); }

// tanh without the overflow of (e^2x − 1)/(e^2x + 1) for large |x|.
fn tanhStable(x: Cell) -> Cell {
  let e = exp(-2.0 * abs(x));
  return sign(x) * (1.0 - e) / (1.0 + e);
}
