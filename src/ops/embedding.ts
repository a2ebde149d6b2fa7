/**
 * Embedding lookup (time-major output) and its deterministic segment-sum gradient.
 */
import { grid1d, type Step } from '../engine/step';
import { type Slice, type Tensor } from '../engine/tensor';
import { kernel } from '../kernels/variants';

export const EMBEDDING_KERNELS = { forward: [kernel('embedding_gather')], backward: [kernel('embedding_backward')] };

export interface EmbeddingSegments {
  /** Distinct ids present in the batch, ascending. */
  uniqueIds: Uint32Array;
  /** segStart[s] … segStart[s+1]−1 index `rows` for uniqueIds[s]; S + 1 entries. */
  segStart: Uint32Array;
  /** Time-major output row (t·B + b) of each sorted position. */
  rows: Uint32Array;
}

/**
 * Group the batch's positions by token id on the host (the ids are here anyway), in ascending id and,
 * within an id, ascending row order, so the GPU sum runs in a fixed order. With `skipPadding`, id 0
 * (the padding token under mask_zero) gets no segment and therefore no gradient; ids ≥ `limit` get none
 * either (a one-hot row without a 1).
 */
export function embeddingSegments(ids: Uint32Array, B: number, T: number, skipPadding: boolean, limit = Infinity): EmbeddingSegments {
  const n = B * T;
  // Sort keys id·n + row in one native numeric sort (no comparator callback: this runs on the CPU for
  // every training step, before its submit). Exact in a float64 while id·n + row < 2^53: ids are u32,
  // so any batch of up to 2^21 positions.
  if (n > 2 ** 21) throw new Error(`embedding: a batch of ${n} positions is more than the ${2 ** 21} this engine groups per step`);
  const keys = new Float64Array(n);
  let count = 0;
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const id = ids[b * T + t]!;
      if ((skipPadding && id === 0) || id >= limit) continue;
      keys[count++] = id * n + t * B + b;
    }
  }
  const sorted = keys.subarray(0, count).sort();
  const rows = new Uint32Array(count);
  const unique: number[] = [];
  const starts: number[] = [];
  let last = -1;
  for (let k = 0; k < count; k++) {
    const key = sorted[k]!;
    let id = Math.floor(key / n);
    if (id * n > key) id--; // the division may round up for ids near 2^32
    rows[k] = key - id * n;
    if (id !== last) {
      unique.push(id);
      starts.push(k);
      last = id;
    }
  }
  starts.push(count);
  return { uniqueIds: Uint32Array.from(unique), segStart: Uint32Array.from(starts), rows };
}

/** out[t, b, :] = W[ids[b, t], :] for a [V, E] table W (ids ≥ V: zeros), into any block of a buffer. */
export function gatherRowsInto(step: Step, W: Slice, V: number, E: number, ids: Slice, B: number, T: number, out: Slice): void {
  step.dispatch('embedding_gather', {
    buffers: { ids, W, Y: out },
    params: { B, T, E, V, offW: W.offset, offY: out.offset },
    workgroups: grid1d(T * B * E),
  });
}

/** dW[id] += Σ of the rows of dY (E wide) in each of the segments (deterministic order). */
export function segmentSumInto(step: Step, seg: EmbeddingSegments, dY: Slice, dW: Slice, E: number, name: string): void {
  const S = seg.uniqueIds.length;
  if (S === 0) return;
  step.dispatch('embedding_backward', {
    buffers: { uniqueIds: step.upload(seg.uniqueIds, `${name} unique ids`), segStart: step.upload(seg.segStart, `${name} segment starts`), rows: step.upload(seg.rows, `${name} sorted rows`), dY, dW },
    params: { S, E, offW: dW.offset, offDY: dY.offset },
    workgroups: [Math.min(S, 65535), Math.ceil(S / 65535), 1],
  });
}

/**
 * Y[t, b, :] = W[ids[b, t], :] with ids batch-major [B, T] on the host. Backward: for each unique id,
 * dW[id] += Σ of its rows of dY (embedding_backward.wgsl), skipping id 0 when `maskZero`.
 */
export function embedding(step: Step, W: Tensor, ids: Uint32Array, B: number, T: number, opts: { maskZero?: boolean; name?: string } = {}): Tensor {
  const [V, E] = W.shape as [number, number];
  if (ids.length !== B * T) throw new Error(`embedding: ${ids.length} ids for a ${B}×${T} batch`);
  for (let i = 0; i < ids.length; i++) {
    if (ids[i]! >= V) throw new Error(`embedding: token id ${ids[i]} at position ${i} is outside the vocabulary of ${V}`);
  }
  const name = opts.name ?? 'embedding';
  const out = step.output([T, B, E], name, W.requiresGrad);
  gatherRowsInto(step, W.data, V, E, step.upload(ids, `${name} ids`), B, T, out.data);
  if (W.grad && step.tape.recording) {
    const seg = embeddingSegments(ids, B, T, opts.maskZero ?? false);
    step.tape.record(name, () => segmentSumInto(step, seg, out.grad!, W.grad!, E, name));
  }
  return out;
}
