// First stage of the global gradient norm: partial sums of squares.
//
//   partials[w] = Σ_{i in chunk w} g[i]²      chunk w = [w · 4096, (w + 1) · 4096) ∩ [0, n)
//
// Thread mapping: workgroup w, 256 invocations, each summing 16 strided elements, then a fixed-order
// in-order sum of the 256 partials by invocation 0 (deterministic). grad_clip_scale.wgsl finishes the sum.
// Dispatch: (ceil(n / 4096), 1, 1).

struct Params { n: u32 }

@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read_write> partials: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

var<workgroup> part: array<f32, 256>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  var s = 0.0;
  let base = wid.x * 4096u;
  for (var j = 0u; j < 16u; j++) {
    let i = base + j * 256u + lid.x;
    if (i < p.n) { let v = g[i]; s += v * v; }
  }
  part[lid.x] = s;
  // One barrier, then invocation 0 adds the 256 partials in order: barriers are expensive on CPU
  // adapters, 256 serial adds are not, and the order is fixed (deterministic).
  workgroupBarrier();
  if (lid.x == 0u) {
    var total = 0.0;
    for (var i = 0u; i < 256u; i++) { total += part[i]; }
    partials[wid.x] = total;
  }
}
