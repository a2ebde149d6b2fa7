// First stage of the global gradient norm: partial sums of squares.
//
//   partials[w] = Σ_{i ≡ invocation (mod W·64)} g[i]²  summed over the 64 invocations of workgroup w
//
// Thread mapping: W workgroups of 64 invocations; invocation k of workgroup w sums g[i]² for
// i = w·64 + k, then every W·64 elements (a grid-stride loop, so W stays small: per-workgroup overhead
// and barriers are what cost on CPU adapters). After one barrier invocation 0 adds the 64 partials in
// order (deterministic). grad_clip_scale.wgsl finishes the sum.
// Dispatch: (W, 1, 1) with W = min(ceil(n / 1024), 64).

struct Params { n: u32 }

@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read_write> partials: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

var<workgroup> part: array<f32, 64>;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(num_workgroups) groups: vec3u) {
  var s = 0.0;
  for (var i = gid.x; i < p.n; i += groups.x * 64u) {
    let v = g[i];
    s += v * v;
  }
  part[lid.x] = s;
  workgroupBarrier();
  if (lid.x == 0u) {
    var total = 0.0;
    for (var k = 0u; k < 64u; k++) { total += part[k]; }
    partials[wid.x] = total;
  }
}
