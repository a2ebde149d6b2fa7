// Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011): a counter-based
// generator. Ten rounds of two 32×32→64-bit multiplies and xors turn a 128-bit counter and a 64-bit key
// into 128 random bits; any counter can be drawn in any order, by any invocation, with no state.
// WGSL has no u64, so each multiply is split into 16-bit halves (the low word is the wrapping u32 product).
//
// Dropout keys (written down once; src/reference/dropout-rng.ts is the independent JS reference):
//   key     = (seed0, seed1)                          the model's 64-bit dropout seed
//   counter = (element, drawLo, stream, drawHi)       element: index into the mask; draw: the model's
//                                                      training-step counter; stream: layer·8 + sub-stream
// Element `element` is kept iff word 0 of the output ≥ threshold = floor(rate · 2³²); a kept element is
// scaled by 1/(1 − rate) (given as an f32 by the host).
//
// The including shader declares `p` with seed0, seed1, drawLo, drawHi, stream, threshold and scale.

const PHILOX_M0 = 0xD2511F53u;
const PHILOX_M1 = 0xCD9E8D57u;
const PHILOX_W0 = 0x9E3779B9u;
const PHILOX_W1 = 0xBB67AE85u;

// (high word, low word) of the 64-bit product a·b.
fn mul_hi_lo(a: u32, b: u32) -> vec2u {
  let aLo = a & 0xffffu;
  let aHi = a >> 16u;
  let bLo = b & 0xffffu;
  let bHi = b >> 16u;
  let ll = aLo * bLo;
  let lh = aLo * bHi;
  let hl = aHi * bLo;
  let hh = aHi * bHi;
  // The carry out of the low word: bits 16…31 of ll plus the low halves of the cross terms (< 3·2¹⁶).
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return vec2u(hh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u), a * b);
}

fn philox4x32_10(counter: vec4u, key: vec2u) -> vec4u {
  var c = counter;
  var k = key;
  for (var i = 0u; i < 10u; i++) {
    let p0 = mul_hi_lo(PHILOX_M0, c.x);
    let p1 = mul_hi_lo(PHILOX_M1, c.z);
    c = vec4u(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
    k = k + vec2u(PHILOX_W0, PHILOX_W1);
  }
  return c;
}

// The pre-scaled mask value of `element`: 0 (dropped) or p.scale (kept).
fn dropout_mask_value(element: u32) -> f32 {
  let bits = philox4x32_10(vec4u(element, p.drawLo, p.stream, p.drawHi), vec2u(p.seed0, p.seed1));
  return select(0.0, p.scale, bits.x >= p.threshold);
}
