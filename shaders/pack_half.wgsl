// f32 values as 16-bit pairs packed in u32s (inference weights in half the bytes: the LSTM forwards'
// float16 and bfloat16 forms, lib/lstm_wh*_f16.wgsl and lib/lstm_wh*_bf16.wgsl):
//
//   out[offOut + e] = half(x[offX + 2e]) | half(x[offX + 2e + 1]) << 16,   e < n
//
// float16 (BFLOAT16 false): pack2x16float, after clamping to ±65504 (pack2x16float leaves values beyond
// float16's range undefined); WGSL rounds each value to one of its two float16 neighbours; NaN undefined.
// bfloat16 (BFLOAT16 true): the top half of the f32 rounded to nearest, ties to even, in integer
// arithmetic (exact and the same on every device); beyond the largest bfloat16 it rounds to ±infinity as
// IEEE rounding does; NaN stays NaN.
// No backward: a copy for inference, remade when the weights change.
//
// Thread mapping: a grid-stride loop over the pairs, one pair per invocation per pass.
// Dispatch: (min(ceil(n / 64), 512), 1, 1).

override BFLOAT16: bool = false;

const F16_MAX = 65504.0;

struct Params { n: u32, offX: u32, offOut: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<uniform> p: Params;

// The bfloat16 nearest to v (ties to even), as its 16 bits.
fn bfloat16Bits(v: f32) -> u32 {
  let b = bitcast<u32>(v);
  if ((b & 0x7fffffffu) > 0x7f800000u) { return (b >> 16u) | 0x40u; } // NaN: kept quiet
  return (b + 0x7fffu + ((b >> 16u) & 1u)) >> 16u;
}

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  for (var e = gid.x; e < p.n; e += groups.x * 64u) {
    let v = vec2f(x[p.offX + 2u * e], x[p.offX + 2u * e + 1u]);
    if (BFLOAT16) {
      out[p.offOut + e] = bfloat16Bits(v.x) | (bfloat16Bits(v.y) << 16u);
    } else {
      out[p.offOut + e] = pack2x16float(clamp(v, vec2f(-F16_MAX), vec2f(F16_MAX)));
    }
  }
}
