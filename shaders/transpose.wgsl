// Matrix transpose: Y[c · rows + r] = X[offX + r · cols + c] for a rows × cols matrix X.
// Used by the whole-sequence LSTM backward (lstm_sequence_backward.wgsl) to read Whᵀ with coalesced loads.
// Thread mapping: 16 × 16 tiles through workgroup memory, so that both the reads of X and the writes of Y
// are contiguous across adjacent invocations; edges guarded.
// Dispatch: (ceil(cols / 16), ceil(rows / 16), 1).

struct Params { rows: u32, cols: u32, offX: u32 }

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read_write> Y: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

var<workgroup> tile: array<f32, 272>; // 16 × 17: the padding column avoids bank conflicts

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let r = wg.y * 16u + lid.y;
  let c = wg.x * 16u + lid.x;
  if (r < p.rows && c < p.cols) { tile[lid.y * 17u + lid.x] = X[p.offX + r * p.cols + c]; }
  workgroupBarrier();
  let yr = wg.x * 16u + lid.y; // row of Y = column of X
  let yc = wg.y * 16u + lid.x; // column of Y = row of X
  if (yr < p.cols && yc < p.rows) { Y[yr * p.rows + yc] = tile[lid.x * 17u + lid.y]; }
}
