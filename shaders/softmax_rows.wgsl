// Softmax of each row, for prediction (no labels, no loss):  P[b, c] = exp(Z[b, c] − max_c Z[b, ·]) / Σ_c exp(…).
// The same numbers as softmax_xent.wgsl's probabilities, without its labels, class weights, loss
// reduction and workgroup barrier (one workgroup of 256 with a barrier costs a software adapter
// about half a millisecond; a prediction of one row needs one invocation).
//
// Thread mapping: one invocation per row, grid-stride over rows.
// Dispatch: (min(ceil(B / 64), 512), 1, 1).

struct Params { B: u32, C: u32, offZ: u32 }

@group(0) @binding(0) var<storage, read> Z: array<f32>;
@group(0) @binding(1) var<storage, read_write> probs: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  for (var b = gid.x; b < p.B; b += groups.x * 64u) {
    let base = p.offZ + b * p.C;
    var zmax = Z[base];
    for (var c = 1u; c < p.C; c++) { zmax = max(zmax, Z[base + c]); }
    var sum = 0.0;
    for (var c = 0u; c < p.C; c++) { sum += exp(Z[base + c] - zmax); }
    for (var c = 0u; c < p.C; c++) { probs[b * p.C + c] = exp(Z[base + c] - zmax) / sum; }
  }
}
