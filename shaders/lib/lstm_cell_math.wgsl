// The LSTM cell's arithmetic, written once for every step kernel: on one unit per value (the scalar and
// wide kernels, through lstm_cell_forward / lstm_cell_backward) or four units per value (the vec4
// kernels). The including file first declares `alias Cell = f32;` or `alias Cell = vec4f;`.

#include "cell_activations"

// The activated gates and the new state.
struct CellState { i: Cell, f: Cell, g: Cell, o: Cell, c: Cell, h: Cell }

// Forward, from the pre-activations z = Xp + h_{t−1}·Wh and c_{t−1}:
//   i = σ(z_i)   f = σ(z_f)   g = tanh(z_c)   o = σ(z_o)   c_t = f ⊙ c_{t−1} + i ⊙ g   h_t = o ⊙ tanh(c_t)
fn cellStep(zi: Cell, zf: Cell, zc: Cell, zo: Cell, cPrev: Cell) -> CellState {
  let i = sigmoid(zi);
  let f = sigmoid(zf);
  let g = tanhStable(zc);
  let o = sigmoid(zo);
  let c = f * cPrev + i * g;
  return CellState(i, f, g, o, c, o * tanhStable(c));
}

// Gradients of the pre-activations and the carried cell gradient.
struct CellGrads { zi: Cell, zf: Cell, zc: Cell, zo: Cell, cPrev: Cell }

// Backward, given dh_t (everything flowing into h_t), dcNext (the gradient carried into c_t from step
// t + 1), the stored gates and c_t, c_{t−1}:
//   dc_t = dcNext + dh_t · o · (1 − tanh²(c_t))
//   dz_i = dc_t · g · i(1 − i)   dz_f = dc_t · c_{t−1} · f(1 − f)   dz_c = dc_t · i · (1 − g²)
//   dz_o = dh_t · tanh(c_t) · o(1 − o)   and dc_{t−1} (carried on) = dc_t · f
fn cellGrads(dh: Cell, dcNext: Cell, i: Cell, f: Cell, g: Cell, o: Cell, c: Cell, cPrev: Cell) -> CellGrads {
  let tc = tanhStable(c);
  let dc = dcNext + dh * o * (1.0 - tc * tc);
  return CellGrads(dc * g * i * (1.0 - i), dc * cPrev * f * (1.0 - f), dc * i * (1.0 - g * g), dh * tc * o * (1.0 - o), dc * f);
}
