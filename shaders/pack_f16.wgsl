// f32 values as float16 pairs packed in u32s (inference weights in half the bytes:
// lstm_forward_step_vec4_f16.wgsl):
//
//   out[offOut + e] = pack2x16float(vec2f(x[offX + 2e], x[offX + 2e + 1])),   e < n
//
// x[offX + 2e] goes to the low 16 bits. Values beyond float16's range (|v| > 65504) are clamped to it
// first (pack2x16float leaves them undefined); NaN stays undefined. WGSL rounds each value to one of
// the two nearest float16 values. No backward: a copy for inference, remade when the weights change.
//
// Thread mapping: a grid-stride loop over the pairs, one pair per invocation per pass.
// Dispatch: (min(ceil(n / 64), 512), 1, 1).

const F16_MAX = 65504.0;

struct Params { n: u32, offX: u32, offOut: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  for (var e = gid.x; e < p.n; e += groups.x * 64u) {
    let v = vec2f(x[p.offX + 2u * e], x[p.offX + 2u * e + 1u]);
    out[p.offOut + e] = pack2x16float(clamp(v, vec2f(-F16_MAX), vec2f(F16_MAX)));
  }
}
