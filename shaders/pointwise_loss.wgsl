// Fused elementwise loss over a [rows, cols] output Z against float targets Y, with a weight per row
// (1, or 0 for a masked timestep), averaged over the weighted elements (invCount = 1 / (Σ w · cols)):
//
//   LOSS = 0  mean squared error      l = (z − y)²                            pred = z
//   LOSS = 1  mean absolute error     l = |z − y|                             pred = z
//   LOSS = 2  binary cross-entropy    l = max(z, 0) − z·y + log(1 + e^−|z|)    pred = sigmoid(z)
//             (Z holds logits: the sigmoid of the last dense layer is fused here, which keeps the loss
//             and its gradient finite for any logit)
//
//   stats[0] = Σ w·l · invCount           the loss
//   stats[1] = Σ w·[pred > ½ = y > ½] · invCount   binary accuracy (LOSS = 2; 0 otherwise)
//   stats[2] = Σ w·|pred − y| · invCount    mae
//   stats[3] = Σ w·(pred − y)² · invCount   mse
//   pred[i]  = the prediction (for evaluation and prediction)
//
// The gradient is pointwise_loss_backward.wgsl's. Thread mapping: one workgroup of 256 invocations;
// invocation l handles elements l, l + 256, …; invocation 0 sums the partials in order (deterministic).
// Dispatch: (1, 1, 1).

#include "activations"

override LOSS: u32 = 0u;

struct Params { rows: u32, cols: u32, offZ: u32, invCount: f32 }

@group(0) @binding(0) var<storage, read> Z: array<f32>;
@group(0) @binding(1) var<storage, read> targets: array<f32>;
@group(0) @binding(2) var<storage, read> rowWeight: array<f32>;
@group(0) @binding(3) var<storage, read_write> pred: array<f32>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

var<workgroup> parts: array<vec4f, 256>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(local_invocation_id) lid: vec3u) {
  var acc = vec4f(0.0);
  let n = p.rows * p.cols;
  for (var i = lid.x; i < n; i += 256u) {
    let w = rowWeight[i / p.cols];
    let z = Z[p.offZ + i];
    let y = targets[i];
    var yHat = z;
    var l = 0.0;
    var hit = 0.0;
    switch LOSS {
      case 0u: { l = (z - y) * (z - y); }
      case 1u: { l = abs(z - y); }
      default: {
        yHat = sigmoidOf(z);
        l = max(z, 0.0) - z * y + log(1.0 + exp(-abs(z)));
        hit = select(0.0, 1.0, (yHat > 0.5) == (y > 0.5));
      }
    }
    pred[i] = yHat;
    let d = yHat - y;
    acc += w * vec4f(l, hit, abs(d), d * d);
  }
  parts[lid.x] = acc;
  workgroupBarrier();
  if (lid.x == 0u) {
    var total = vec4f(0.0);
    for (var i = 0u; i < 256u; i++) { total += parts[i]; }
    let s = total * p.invCount;
    stats[0] = s.x;
    stats[1] = s.y;
    stats[2] = s.z;
    stats[3] = s.w;
  }
}
