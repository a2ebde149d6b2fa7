// Fused softmax + cross-entropy, one pass over the logits:
//
//   p[b, :]   = softmax(z[b, :])                                   (written for evaluation and backward)
//   loss      = (1/B) Σ_b w[y_b] · (logsumexp(z[b, :]) − z[b, y_b])  (Keras: mean over the batch size)
//   correct   = #{ b : argmax_c z[b, c] = y_b }
//
// A label ≥ C marks a row that takes no part (a masked timestep): its probabilities are written, it adds
// nothing to the loss, the correct count or the gradient, and invBatch is 1 / (number of other rows).
//
// stats[0] = loss, stats[1] = correct. The gradient dz = w[y]·(p − onehot(y))/B is produced by
// softmax_xent_backward.wgsl from p.
//
// Thread mapping: a single workgroup of 256 invocations; invocation l handles rows l, l+256, …; the
// per-invocation partial sums are then summed in order by invocation 0 after one barrier, so the loss is deterministic.
// Dispatch: (1, 1, 1).

struct Params { B: u32, C: u32, offZ: u32, invBatch: f32 }

@group(0) @binding(0) var<storage, read> Z: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<u32>;
@group(0) @binding(2) var<storage, read> classWeights: array<f32>;
@group(0) @binding(3) var<storage, read_write> probs: array<f32>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

var<workgroup> lossPart: array<f32, 256>;
var<workgroup> correctPart: array<f32, 256>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(local_invocation_id) lid: vec3u) {
  var lossAcc = 0.0;
  var correctAcc = 0.0;
  for (var b = lid.x; b < p.B; b += 256u) {
    let base = p.offZ + b * p.C;
    var zmax = Z[base];
    var arg = 0u;
    for (var c = 1u; c < p.C; c++) {
      let z = Z[base + c];
      if (z > zmax) { zmax = z; arg = c; }
    }
    var sum = 0.0;
    for (var c = 0u; c < p.C; c++) { sum += exp(Z[base + c] - zmax); }
    for (var c = 0u; c < p.C; c++) { probs[b * p.C + c] = exp(Z[base + c] - zmax) / sum; }
    let y = labels[b];
    if (y < p.C) {
      lossAcc += classWeights[y] * (log(sum) + zmax - Z[base + y]);
      if (arg == y) { correctAcc += 1.0; }
    }
  }
  lossPart[lid.x] = lossAcc;
  correctPart[lid.x] = correctAcc;
  workgroupBarrier();
  if (lid.x == 0u) {
    var loss = 0.0;
    var correct = 0.0;
    for (var i = 0u; i < 256u; i++) {
      loss += lossPart[i];
      correct += correctPart[i];
    }
    stats[0] = loss * p.invBatch;
    stats[1] = correct;
  }
}
