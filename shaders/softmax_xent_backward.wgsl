// Gradient of the mean weighted softmax cross-entropy with respect to the logits, accumulated:
//
//   dZ[b, c] += w[y_b] · (p[b, c] − [c = y_b]) / B
//
// (d/dz_c of logsumexp(z) − z_y is softmax(z)_c − [c = y].) p comes from softmax_xent.wgsl.
// Thread mapping: one invocation per (b, c) element. Dispatch: (ceil(B · C / 64), 1, 1).

struct Params { B: u32, C: u32, offDZ: u32, invBatch: f32 }

@group(0) @binding(0) var<storage, read> probs: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<u32>;
@group(0) @binding(2) var<storage, read> classWeights: array<f32>;
@group(0) @binding(3) var<storage, read_write> dZ: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= p.B * p.C) { return; }
  let b = i / p.C;
  let c = i % p.C;
  let y = labels[b];
  if (y >= p.C) { return; }  // a row that takes no part (masked timestep)
  var onehot = 0.0;
  if (c == y) { onehot = 1.0; }
  dZ[p.offDZ + i] += classWeights[y] * (probs[i] - onehot) * p.invBatch;
}
