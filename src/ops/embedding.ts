/**
 * Embedding lookup (time-major output) and its deterministic segment-sum gradient, both on the GPU:
 * the positions are grouped by id by a counting sort in a kernel (embedding_segments.wgsl), not on the
 * host, so nothing of the gradient is computed or uploaded before the step's submit.
 */
import { grid1d, rowsGrid, type Step } from '../engine/step';
import { type Slice, type Tensor } from '../engine/tensor';
import { kernel } from '../kernels/variants';

export const EMBEDDING_KERNELS = { forward: [kernel('embedding_gather')], backward: [kernel('embedding_segments'), kernel('embedding_backward')] };

/**
 * Where embedding_segments.wgsl puts things in its output (u32 offsets), for n positions and a
 * vocabulary of V: S and the count of positions, the unique ids, the segment starts, the sorted rows.
 */
export function segmentsLayout(n: number, V: number): { cap: number; uniqueIds: number; segStart: number; rows: number; length: number } {
  const cap = Math.min(n, V);
  return { cap, uniqueIds: 2, segStart: 2 + cap, rows: 3 + 2 * cap, length: 3 + 2 * cap + n };
}

/**
 * Group the B·T positions of `ids` (batch-major [B, T] u32 on the GPU) by token id into a fresh scratch
 * buffer (layout: segmentsLayout): ascending ids, and within an id ascending time-major rows t·B + b, so
 * that the sum runs in a fixed order. With `skipPadding`, id 0 (the padding token under mask_zero) gets
 * no segment and therefore no gradient; ids ≥ V get none either (a one-hot row without a 1).
 */
export function embeddingSegmentsInto(step: Step, ids: Slice, B: number, T: number, V: number, skipPadding: boolean, name: string): Slice {
  const n = B * T;
  if (ids.length < n) throw new Error(`embedding: ${ids.length} ids for a ${B}×${T} batch`);
  const layout = segmentsLayout(n, V);
  const seg = step.scratch(layout.length, `${name} segments`);
  step.dispatch('embedding_segments', {
    buffers: { ids, counts: step.scratch(V, `${name} id counts`), work: step.scratch(V + n, `${name} segment scratch`), seg },
    params: { B, T, V, cap: layout.cap, skipPadding: skipPadding ? 1 : 0, offIds: ids.offset },
    workgroups: [1, 1, 1],
  });
  return seg;
}

/** embedding_gather's grid: a column per invocation x, batch rows over y, timesteps over z (rowsGrid's budget of workgroups). */
export function embeddingGrid(E: number, B: number, T: number): [number, number, number] {
  const [gx, gy] = rowsGrid(E, B);
  if (gx === 0) return [0, 1, 1];
  return [gx, gy, Math.max(1, Math.min(T, Math.floor(512 / (gx * gy))))];
}

/** out[t, b, :] = W[ids[b, t], :] for a [V, E] table W (ids ≥ V: zeros), into any block of a buffer. */
export function gatherRowsInto(step: Step, W: Slice, V: number, E: number, ids: Slice, B: number, T: number, out: Slice): void {
  step.dispatch('embedding_gather', {
    buffers: { ids, W, Y: out },
    params: { B, T, E, V, offW: W.offset, offY: out.offset },
    workgroups: embeddingGrid(E, B, T),
  });
}

/**
 * dW[id] += Σ of the rows of dY (E wide) at the positions of each id in `ids` (batch-major [B, T] on the
 * GPU; dY time-major), in a fixed order: segments by embeddingSegmentsInto, then one workgroup per
 * segment (embedding_backward.wgsl). Ids ≥ V, and id 0 with `skipPadding`, add nothing.
 */
export function embeddingGradInto(step: Step, ids: Slice, B: number, T: number, V: number, skipPadding: boolean, dY: Slice, dW: Slice, E: number, name: string): void {
  const n = B * T;
  if (n === 0) return;
  const seg = embeddingSegmentsInto(step, ids, B, T, V, skipPadding, name);
  const { cap } = segmentsLayout(n, V);
  step.dispatch('embedding_backward', {
    buffers: { seg, dY, dW },
    params: { E, cap, offW: dW.offset, offDY: dY.offset },
    workgroups: grid1d(cap * 64),
  });
}

/**
 * Y[t, b, :] = W[ids[b, t], :] with ids batch-major [B, T] on the host. Backward: for each unique id,
 * dW[id] += Σ of its rows of dY (embedding_segments.wgsl, embedding_backward.wgsl), skipping id 0 when
 * `maskZero`.
 */
export function embedding(step: Step, W: Tensor, ids: Uint32Array, B: number, T: number, opts: { maskZero?: boolean; name?: string } = {}): Tensor {
  const [V, E] = W.shape as [number, number];
  if (ids.length !== B * T) throw new Error(`embedding: ${ids.length} ids for a ${B}×${T} batch`);
  for (let i = 0; i < ids.length; i++) {
    if (ids[i]! >= V) throw new Error(`embedding: token id ${ids[i]} at position ${i} is outside the vocabulary of ${V}`);
  }
  const name = opts.name ?? 'embedding';
  const out = step.output([T, B, E], name, W.requiresGrad);
  const idsOnGpu = step.upload(ids, `${name} ids`);
  gatherRowsInto(step, W.data, V, E, idsOnGpu, B, T, out.data);
  if (W.grad && step.tape.recording) {
    const maskZero = opts.maskZero ?? false;
    step.tape.record(name, () => embeddingGradInto(step, idsOnGpu, B, T, V, maskZero, out.grad!, W.grad!, E, name));
  }
  return out;
}
