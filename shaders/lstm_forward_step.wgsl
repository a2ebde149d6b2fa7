// One LSTM timestep, fused: recurrent matmul + gate activations + cell update, for every (row, unit).
//
// Gate order (shared with src/nn/lstm-layout.ts, the float64 reference and the TF.js exporter):
// i, f, c, o — Keras's order. Packed weights: Wx [in, 4H], Wh [H, 4H], b [4H]; gate g of unit j is
// column g·H + j.
//
//   z      = Xp[t, b, :] + (h_{t-1}[b, :] ⊙ rmask[b, :]) · Wh        (Xp = X·Wx + b, one GEMM for all t)
//   i = σ(z_i)   f = σ(z_f)   g = tanh(z_c)   o = σ(z_o)
//   c_t    = f ⊙ c_{t-1} + i ⊙ g
//   h_t    = o ⊙ tanh(c_t)
//
// Masking (Keras mask_zero): where mask[t, b] = 0 the row carries h and c through unchanged.
// Storage is time-major with a leading initial-state slot: hs[s, b, :] = h_{s-1}, so hs[t] is h_{t-1}
// and hs[t + 1] receives h_t; likewise cs. The activated gates are stored for the backward pass.
// Recurrent dropout (Keras recurrent_dropout, implementation 2): one pre-scaled mask per sequence,
// applied to h_{t-1} at every step; USE_RECURRENT_MASK = false skips the multiply.
//
// Thread mapping: invocation (gid.x = unit j, gid.y = group of 4 batch rows). Each invocation keeps the
// 4 rows × 4 gates pre-activations in registers, so each Wh element it loads serves 4 rows, and the cell
// update needs no second kernel.
// Dispatch: (ceil(H / 64), ceil(B / 4), 1), once per timestep that is not all padding.

override USE_RECURRENT_MASK: bool = false;

const GATE_I: u32 = 0u;
const GATE_F: u32 = 1u;
const GATE_C: u32 = 2u;
const GATE_O: u32 = 3u;

struct Params { B: u32, H: u32, t: u32, offWh: u32 }

@group(0) @binding(0) var<storage, read> xp: array<f32>;       // [T, B, 4H]
@group(0) @binding(1) var<storage, read> wh: array<f32>;       // [H, 4H] at offWh
@group(0) @binding(2) var<storage, read> mask: array<u32>;     // [T, B]
@group(0) @binding(3) var<storage, read> rmask: array<f32>;    // [B, H]
@group(0) @binding(4) var<storage, read_write> hs: array<f32>; // [T + 1, B, H]
@group(0) @binding(5) var<storage, read_write> cs: array<f32>; // [T + 1, B, H]
@group(0) @binding(6) var<storage, read_write> gates: array<f32>; // [T, B, 4H], activated
@group(0) @binding(7) var<uniform> p: Params;

fn sigmoid(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }

// tanh without the overflow of (e^2x − 1)/(e^2x + 1) for large |x|.
fn tanhStable(x: f32) -> f32 {
  let e = exp(-2.0 * abs(x));
  return sign(x) * (1.0 - e) / (1.0 + e);
}

fn hPrev(b: u32, k: u32) -> f32 {
  let h = hs[(p.t * p.B + b) * p.H + k];
  if (USE_RECURRENT_MASK) { return h * rmask[b * p.H + k]; }
  return h;
}

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let j = gid.x;
  let b0 = gid.y * 4u;
  if (j >= p.H || b0 >= p.B) { return; }
  let H = p.H;
  let G = 4u * H;
  // Rows past the batch edge are clamped (computed, never stored) so the k loop has no branches.
  let b1 = min(b0 + 1u, p.B - 1u);
  let b2 = min(b0 + 2u, p.B - 1u);
  let b3 = min(b0 + 3u, p.B - 1u);
  let rows = vec4u(b0, b1, b2, b3);

  var z: array<vec4f, 4>;
  for (var r = 0u; r < 4u; r++) {
    let base = (p.t * p.B + rows[r]) * G + j;
    z[r] = vec4f(xp[base + GATE_I * H], xp[base + GATE_F * H], xp[base + GATE_C * H], xp[base + GATE_O * H]);
  }
  var z0 = z[0];
  var z1 = z[1];
  var z2 = z[2];
  var z3 = z[3];
  for (var k = 0u; k < H; k++) {
    let wBase = p.offWh + k * G + j;
    let w = vec4f(wh[wBase + GATE_I * H], wh[wBase + GATE_F * H], wh[wBase + GATE_C * H], wh[wBase + GATE_O * H]);
    z0 += hPrev(b0, k) * w;
    z1 += hPrev(b1, k) * w;
    z2 += hPrev(b2, k) * w;
    z3 += hPrev(b3, k) * w;
  }
  z = array<vec4f, 4>(z0, z1, z2, z3);

  for (var r = 0u; r < 4u; r++) {
    let b = b0 + r;
    if (b >= p.B) { break; }
    let prev = (p.t * p.B + b) * H + j;
    let next = ((p.t + 1u) * p.B + b) * H + j;
    let gBase = (p.t * p.B + b) * G + j;
    if (mask[p.t * p.B + b] == 0u) {
      hs[next] = hs[prev];
      cs[next] = cs[prev];
      gates[gBase + GATE_I * H] = 0.0;
      gates[gBase + GATE_F * H] = 0.0;
      gates[gBase + GATE_C * H] = 0.0;
      gates[gBase + GATE_O * H] = 0.0;
      continue;
    }
    let zr = z[r];
    let gi = sigmoid(zr[GATE_I]);
    let gf = sigmoid(zr[GATE_F]);
    let gc = tanhStable(zr[GATE_C]);
    let go = sigmoid(zr[GATE_O]);
    let c = gf * cs[prev] + gi * gc;
    cs[next] = c;
    hs[next] = go * tanhStable(c);
    gates[gBase + GATE_I * H] = gi;
    gates[gBase + GATE_F * H] = gf;
    gates[gBase + GATE_C * H] = gc;
    gates[gBase + GATE_O * H] = go;
  }
}
