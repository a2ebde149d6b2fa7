// Second stage of global-norm clipping: finish the sum of squares and turn it into a scale.
//
//   norm = sqrt(Σ_w partials[w]);   scale = min(1, clipNorm / norm)  (1 when clipNorm = 0 or norm = 0)
//   out[0] = scale (read by adam.wgsl, which multiplies every gradient by it), out[1] = norm,
//   out[2] = 1 if norm is finite else 0 (a NaN/Inf gradient is reported, and Adam then skips the update).
//
// Thread mapping: one workgroup of 64; invocation l sums partials l, l+64, …; in-order sum by invocation 0.
// Dispatch: (1, 1, 1).

struct Params { count: u32, clipNorm: f32 }

@group(0) @binding(0) var<storage, read> partials: array<f32>;
@group(0) @binding(1) var<storage, read_write> outScale: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

var<workgroup> part: array<f32, 64>;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(local_invocation_id) lid: vec3u) {
  var s = 0.0;
  for (var i = lid.x; i < p.count; i += 64u) { s += partials[i]; }
  part[lid.x] = s;
  // One barrier, then invocation 0 adds the 64 partials in order: barriers are expensive on CPU
  // adapters, 64 serial adds are not, and the order is fixed (deterministic).
  workgroupBarrier();
  if (lid.x == 0u) {
    var total = 0.0;
    for (var i = 0u; i < 64u; i++) { total += part[i]; }
    let norm = sqrt(total);
    // A NaN fails every comparison, an Inf is larger than the largest finite f32.
    let finite = norm == norm && norm <= 3.4e38;
    var scale = 1.0;
    if (p.clipNorm > 0.0 && norm > p.clipNorm) { scale = p.clipNorm / norm; }
    outScale[0] = scale;
    outScale[1] = norm;
    outScale[2] = select(0.0, 1.0, finite);
  }
}
