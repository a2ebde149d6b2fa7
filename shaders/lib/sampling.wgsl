// Sampling pieces shared by sample_tokens.wgsl (a workgroup per row) and sample_tokens_serial.wgsl
// (one invocation per row): the counter-based random stream and the (value, lower index) order.
// Both need `p` with fields seed.

fn pcg(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

fn uniform01(position: u32, i: u32) -> f32 {
  let h = pcg(pcg(pcg(p.seed) ^ position) ^ i);
  return (f32(h >> 8u) + 0.5) / 16777216.0;
}

// (a, ia) ranks above (b, ib): larger value, or the same value at a lower index.
fn above(a: f32, ia: u32, b: f32, ib: u32) -> bool {
  return a > b || (a == b && ia < ib);
}

const NONE = 0xffffffffu;
const LOWEST = -3.4e38;
