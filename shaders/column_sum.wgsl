// Column sums, accumulated:  out[c] += Σ_r X[r, c]   (the gradient of a broadcast bias: db = Σ_rows dY).
//
// Thread mapping: one invocation per column, summing its rows in order, so the result is deterministic
// (no atomics, no order-dependent reduction). Adjacent invocations read adjacent addresses.
// Dispatch: (ceil(cols / 64), 1, 1).

struct Params { rows: u32, cols: u32, offX: u32, offOut: u32 }

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read_write> outSum: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  if (c >= p.cols) { return; }
  var s = 0.0;
  for (var r = 0u; r < p.rows; r++) {
    s += X[p.offX + r * p.cols + c];
  }
  outSum[p.offOut + c] += s;
}
