// The embedding gradient's segments, built on the GPU: a stable counting sort of the batch's positions
// by token id, so that embedding_backward.wgsl can sum each id's rows of dY in a fixed order.
//
//   n = B·T positions, in time-major row order r = t·B + b; id(r) = ids[offIds + b·T + t] (batch-major).
//   A position takes part unless id(r) ≥ V, or id(r) = 0 with skipPadding (mask_zero's padding token).
//   For each id present, ascending: its segment lists its rows ascending (a stable sort by id).
//
// Output, in `seg` (u32), with cap = min(n, V) the most ids a batch can hold:
//   seg[0]                       S, the number of distinct ids present
//   seg[1]                       the number of positions taking part (= segStart[S])
//   seg[2 ..  2 + cap)           uniqueIds[s], ascending
//   seg[2 + cap .. 3 + 2·cap)    segStart[s] (S + 1 of them are written)
//   seg[3 + 2·cap .. 3 + 2·cap + n)  rows, grouped by id, ascending within an id
// Scratch: `counts` (V atomics: the histogram, then each id's fill cursor) and `work` (u32: the first
// slot of id v at work[v], v < V; the unordered scatter at work[V + k], k < n).
//
// 1. counts[id] = how many positions have id (integer atomics: the same counts in any order).
// 2. An exclusive scan of the counts in chunks of ⌈V/64⌉ ids gives each id's first slot and compacts the
//    ids present (uniqueIds, segStart, S).
// 3. Each position takes a slot of its id with an atomic cursor: the segment holds the right rows, in an
//    order that depends on scheduling.
// 4. So each position then counts the rows of its segment that are smaller than its own: that is its
//    rank within the id, and rows[first + rank] = r is the same on every run. Per position that costs the
//    length of its segment; segments are short except for very frequent ids (Σ over ids of length²).
//
// One workgroup runs it all (every step waits on all the previous ones, and there are only four barriers,
// none inside a loop: barriers are what a CPU adapter pays for). Per invocation: ⌈V/64⌉·3 + ⌈n/64⌉·(3 +
// segment length) simple steps.
//
// Thread mapping: one workgroup of 64 invocations; invocation l clears and scans the l-th chunk of
// ⌈V/64⌉ ids and handles positions l, l + 64, l + 128, ….
// Dispatch: (1, 1, 1).

struct Params { B: u32, T: u32, V: u32, cap: u32, skipPadding: u32, offIds: u32 }

@group(0) @binding(0) var<storage, read> ids: array<u32>;
@group(0) @binding(1) var<storage, read_write> counts: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read_write> work: array<u32>;
@group(0) @binding(3) var<storage, read_write> seg: array<u32>;
@group(0) @binding(4) var<uniform> p: Params;

const WG = 64u;
const NONE = 0xffffffffu;

var<workgroup> chunkPositions: array<u32, WG>;
var<workgroup> chunkSegments: array<u32, WG>;

/** The id of time-major row r, or NONE when that position gets no gradient. */
fn idOf(r: u32) -> u32 {
  let b = r % p.B;
  let t = r / p.B;
  let id = ids[p.offIds + b * p.T + t];
  if (id >= p.V || (p.skipPadding != 0u && id == 0u)) { return NONE; }
  return id;
}

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(local_invocation_id) lid: vec3u) {
  let l = lid.x;
  let n = p.B * p.T;
  let V = p.V;
  let chunk = (V + WG - 1u) / WG;
  let v0 = min(l * chunk, V);
  let v1 = min(v0 + chunk, V);

  // 1. The histogram.
  for (var v = v0; v < v1; v++) { atomicStore(&counts[v], 0u); }
  storageBarrier();
  for (var r = l; r < n; r += WG) {
    let id = idOf(r);
    if (id != NONE) { atomicAdd(&counts[id], 1u); }
  }
  storageBarrier();

  // 2. Exclusive scan over the ids, chunk sums first (invocation 0 scans the 64 of them).
  var positions = 0u;
  var segments = 0u;
  for (var v = v0; v < v1; v++) {
    let c = atomicLoad(&counts[v]);
    positions += c;
    segments += select(0u, 1u, c > 0u);
  }
  chunkPositions[l] = positions;
  chunkSegments[l] = segments;
  workgroupBarrier();
  if (l == 0u) {
    var pos = 0u;
    var s = 0u;
    for (var k = 0u; k < WG; k++) {
      let cp = chunkPositions[k];
      let cs = chunkSegments[k];
      chunkPositions[k] = pos;
      chunkSegments[k] = s;
      pos += cp;
      s += cs;
    }
    seg[0] = s;
    seg[1] = pos;
    seg[2u + p.cap + s] = pos; // segStart[S]
  }
  workgroupBarrier();
  var pos = chunkPositions[l];
  var s = chunkSegments[l];
  for (var v = v0; v < v1; v++) {
    let c = atomicLoad(&counts[v]);
    if (c > 0u) {
      seg[2u + s] = v;
      seg[2u + p.cap + s] = pos;
      s++;
    }
    work[v] = pos;                  // the first slot of id v
    atomicStore(&counts[v], pos);   // from here on: its fill cursor
    pos += c;
  }
  storageBarrier();

  // 3. Unordered scatter into each id's slots.
  for (var r = l; r < n; r += WG) {
    let id = idOf(r);
    if (id != NONE) { work[V + atomicAdd(&counts[id], 1u)] = r; }
  }
  storageBarrier();

  // 4. Order each segment: the rank of r is the number of smaller rows in its segment (the rows are
  // distinct), whatever order step 3 left them in. The cursor now ends the segment.
  let rows0 = 3u + 2u * p.cap;
  for (var r = l; r < n; r += WG) {
    let id = idOf(r);
    if (id != NONE) {
      let k0 = work[id];
      let k1 = atomicLoad(&counts[id]);
      var rank = 0u;
      for (var k = k0; k < k1; k++) { rank += select(0u, 1u, work[V + k] < r); }
      seg[rows0 + k0 + rank] = r;
    }
  }
}
