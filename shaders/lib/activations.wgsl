// Dense-layer activations by code (the ACT override of activation*.wgsl and the prediction side of
// pointwise_loss*.wgsl): 0 sigmoid, 1 tanh, 2 relu. The slope is written in terms of the output y.

fn sigmoidOf(x: f32) -> f32 {
  // Both branches stay finite for any x (e^−|x| never overflows).
  let e = exp(-abs(x));
  if (x >= 0.0) { return 1.0 / (1.0 + e); }
  return e / (1.0 + e);
}

fn activate(act: u32, x: f32) -> f32 {
  switch act {
    case 0u: { return sigmoidOf(x); }
    case 1u: { return tanh(x); }
    default: { return max(x, 0.0); }
  }
}

fn activationSlope(act: u32, y: f32) -> f32 {
  switch act {
    case 0u: { return y * (1.0 - y); }
    case 1u: { return 1.0 - y * y; }
    default: { return select(0.0, 1.0, y > 0.0); }
  }
}
