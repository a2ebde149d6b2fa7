// Generation's output layer and draw, written once for dense_sample.wgsl and lstm_decode_sample.wgsl:
// the logits of a dense softmax layer for one h, then one token drawn from them (sampling.wgsl's rule).
// The including kernel declares `theta`, `hs`, `logits`, `tokens` and a uniform `p` with V, offWd and
// offBd (and what sampling.wgsl reads), includes "sampling", and calls denseDraw from uniform control
// flow (it holds a storage barrier).

fn logitAt(row: u32, i: u32) -> f32 { return logits[i]; }

// Invocation `lid` of a workgroup of `threads`: logits v = lid, lid + threads, … of h = hs[hBase …
// hBase + H], then invocation 0 writes the token drawn at stream position `position` to tokens[out].
fn denseDraw(lid: u32, threads: u32, hBase: u32, H: u32, out: u32, position: u32) {
  for (var v = lid; v < p.V; v += threads) {
    var z = theta[p.offBd + v];
    for (var k = 0u; k < H; k++) { z += hs[hBase + k] * theta[p.offWd + k * p.V + v]; }
    logits[v] = z;
  }
  storageBarrier();
  if (lid == 0u) { tokens[out] = sampleSerial(0u, position); }
}
