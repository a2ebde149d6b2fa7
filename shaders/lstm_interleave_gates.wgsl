// Wh with each unit's four gates side by side, for the cpu-tuned batch forward (lstm_forward_step_rows8.wgsl):
//
//   whI[k · H + u] = (Wh[k, i·H + u], Wh[k, f·H + u], Wh[k, c·H + u], Wh[k, o·H + u])   (a vec4 per k, u)
//
// from Wh [H, 4H] (gate blocks of H columns, the Keras layout) at offWh floats. A permutation: the
// values are copied, never changed. Thread mapping: invocation = one (k, u), grid-stride over the H·H.
// Dispatch: (min(ceil(H·H / 64), 512), 1, 1), once per layer per step (the weights change every step).

#include "lstm_gates"

struct Params { H: u32, offWh: u32 }

@group(0) @binding(0) var<storage, read> wh: array<f32>;
@group(0) @binding(1) var<storage, read_write> whI: array<vec4f>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let H = p.H;
  for (var i = gid.x; i < H * H; i += groups.x * 64u) {
    let k = i / H;
    let u = i - k * H;
    let base = p.offWh + k * 4u * H + u;
    var v: vec4f;
    v[GATE_I] = wh[base + GATE_I * H];
    v[GATE_F] = wh[base + GATE_F * H];
    v[GATE_C] = wh[base + GATE_C * H];
    v[GATE_O] = wh[base + GATE_O * H];
    whI[i] = v;
  }
}
