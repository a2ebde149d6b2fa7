// Matrix transpose without workgroup memory or barriers, shaped for CPU adapters (transpose.wgsl's
// tiles cost a software adapter a barrier per 256 elements, and its barriers are slow there):
//
//   Y[c · rows + r] = X[offX + r · ldX + c]   for a rows × cols matrix X with row stride ldX
//
// Thread mapping: invocation = column c of X (row c of Y, written contiguously), looping over the rows
// of X; grid-stride over the columns.
// Dispatch: (min(ceil(cols / 64), 512), 1, 1).

struct Params { rows: u32, cols: u32, ldX: u32, offX: u32 }

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read_write> Y: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  for (var c = gid.x; c < p.cols; c += groups.x * 64u) {
    var src = p.offX + c;
    for (var r = 0u; r < p.rows; r++) {
      Y[c * p.rows + r] = X[src];
      src += p.ldX;
    }
  }
}
