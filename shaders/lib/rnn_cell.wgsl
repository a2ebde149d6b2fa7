// The SimpleRNN cell's arithmetic (Keras 3 SimpleRNN), written once for every rnn_* step and sequence
// kernel: on one unit per value (the scalar and wide kernels) or four units per value (the vec4 and
// whole-sequence kernels). The including file first declares `alias Cell = f32;` or `alias Cell = vec4f;`.
//
//   a_t = Xp[t] + (h_{t−1} ⊙ rmask)·Wh        (Xp = X·Wx + b)      h_t = act(a_t)
//   ∂h_t/∂a_t = act′(a_t), written in terms of the output h_t (so the backward needs nothing but h):
//     sigmoid: h(1 − h)   tanh: 1 − h²   relu: 1 where h > 0, else 0   linear: 1
//
// The activation by code (the kernels' uniform p.act), as shaders/lib/activations.wgsl numbers the dense
// layers' (0 sigmoid, 1 tanh, 2 relu) plus 3 linear; src/ops/simple-rnn.ts's SIMPLE_RNN_ACTIVATION_CODES
// holds the same numbers.

#include "cell_activations"

const ACT_SIGMOID: u32 = 0u;
const ACT_TANH: u32 = 1u;
const ACT_RELU: u32 = 2u;
const ACT_LINEAR: u32 = 3u;

// h = act(a).
fn rnnActivate(act: u32, a: Cell) -> Cell {
  switch act {
    case ACT_SIGMOID: { return sigmoid(a); }
    case ACT_TANH: { return tanhStable(a); }
    case ACT_RELU: { return max(a, Cell(0.0)); }
    default: { return a; }
  }
}

// act′ at the pre-activation that gave h, from h alone.
fn rnnSlope(act: u32, h: Cell) -> Cell {
  switch act {
    case ACT_SIGMOID: { return h * (1.0 - h); }
    case ACT_TANH: { return 1.0 - h * h; }
    case ACT_RELU: { return select(Cell(0.0), Cell(1.0), h > Cell(0.0)); }
    default: { return Cell(1.0); }
  }
}
