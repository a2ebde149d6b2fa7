// Column sums, accumulated, shaped for hardware GPUs: the same contract as column_sum.wgsl
// (out[c] += Σ_r X[r, c], the gradient of a broadcast bias), with the rows split 16 ways inside a
// workgroup instead of one long serial loop per column (896 dependent-latency loads at this engine's
// sizes, which left a GPU idle for ~90 µs per bias gradient).
//
// A workgroup owns 16 columns; invocation (x = column, y = row slice) sums rows y, y + 16, … in order,
// and invocation y = 0 then adds the 16 slice sums in slice order. The partition and the order are fixed,
// so the result is deterministic (though not bitwise equal to column_sum.wgsl's single running sum).
// Adjacent invocations read adjacent columns of a row.
//
// Dispatch: (ceil(cols / 16), 1, 1) workgroups of 16×16.

const COLS: u32 = 16u;
const SLICES: u32 = 16u;

struct Params { rows: u32, cols: u32, offX: u32, offOut: u32 }

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read_write> outSum: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

var<workgroup> partial: array<f32, 256>; // [slice][column]

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let c = wg.x * COLS + lid.x;
  let cc = min(c, p.cols - 1u);  // past the edge: computed, never stored
  var s = 0.0;
  for (var r = lid.y; r < p.rows; r += SLICES) {
    s += X[p.offX + r * p.cols + cc];
  }
  partial[lid.y * COLS + lid.x] = s;
  workgroupBarrier();
  if (lid.y != 0u || c >= p.cols) { return; }
  var total = 0.0;
  for (var i = 0u; i < SLICES; i++) { total += partial[i * COLS + lid.x]; }
  outSum[p.offOut + c] += total;
}
