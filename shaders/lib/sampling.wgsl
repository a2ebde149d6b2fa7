// Sampling pieces shared by sample_tokens.wgsl (a workgroup per row), sample_tokens_serial.wgsl and
// dense_sample.wgsl (one invocation per row): the counter-based random stream, the (value, lower index)
// order, and the serial sampler. The including shader declares `p` (with V, seed, temperature, topK,
// firstToken) and `fn logitAt(row: u32, i: u32) -> f32`. Ids below firstToken (a vocabulary's special
// ids: unknown, padding) are never drawn, nor counted among the top K: the draw is over
// i = firstToken … V − 1 (the host checks firstToken < V), so a seed draws the same token from the same
// logits wherever the excluded ids would not have won.

fn pcg(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

fn uniform01(position: u32, i: u32) -> f32 {
  let h = pcg(pcg(pcg(p.seed) ^ position) ^ i);
  return (f32(h >> 8u) + 0.5) / 16777216.0;
}

// (a, ia) ranks above (b, ib): larger value, or the same value at a lower index.
fn above(a: f32, ia: u32, b: f32, ib: u32) -> bool {
  return a > b || (a == b && ia < ib);
}

const NONE = 0xffffffffu;
const LOWEST = -3.4e38;

// One token from row `row`'s logits, drawn at stream position `position`: the K-th largest (logit, index)
// pair of ids ≥ firstToken found by K scans when topK > 0, then Gumbel-max (argmax at temperature 0) over
// the allowed tokens.
fn sampleSerial(row: u32, position: u32) -> u32 {
  var tv = 3.4e38;
  var ti = 0u;
  let k = min(p.topK, p.V - p.firstToken);
  for (var round = 0u; round < k; round++) {
    var s = LOWEST;
    var si = NONE;
    for (var i = p.firstToken; i < p.V; i++) {
      let z = logitAt(row, i);
      if (above(tv, ti, z, i) && (si == NONE || above(z, i, s, si))) { s = z; si = i; }
    }
    tv = s;
    ti = si;
  }
  var s = LOWEST;
  var si = NONE;
  for (var i = p.firstToken; i < p.V; i++) {
    let z = logitAt(row, i);
    if (k > 0u && above(tv, ti, z, i)) { continue; }
    var score = z;
    if (p.temperature > 0.0) { score = z / p.temperature - log(-log(uniform01(position, i))); }
    if (si == NONE || above(score, i, s, si)) { s = score; si = i; }
  }
  return si;
}
