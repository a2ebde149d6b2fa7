/**
 * Will a layers model fit the device? From the built graph and the adapter's limits, before any GPU
 * work: each weight and the parameter arena when the model is made, and a batch's activations (every
 * layer's output, each LSTM direction's gates and states) and GEMM grids when its shape is known. A
 * model too large is refused with which buffer, its size, the limit and what to lower.
 */
import type { Graph } from './graph';
import { ruleOf } from './rules';

/** The adapter limits a model must fit (a subset of GPUSupportedLimits). */
export interface DeviceLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  maxComputeWorkgroupsPerDimension: number;
}

const GiB = 2 ** 30;
export const size = (bytes: number) => (bytes >= GiB ? `${(bytes / GiB).toFixed(1)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`);
const n = (x: number) => x.toLocaleString('en-US');
/** The finest GEMM tiling of the rows (16 per workgroup, the gpu tuning's small tiles). */
export const GEMM_ROWS_PER_GROUP = 16;

/** The largest buffer one binding can hold. */
export const maxBufferOf = (limits: DeviceLimits) => Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize);

/** Per-sequence bytes of each per-batch buffer, for sequences of T steps: [what, bytes per sequence]. */
function perSequence(graph: Graph, T: number): Array<[string, number]> {
  return graph.layers.flatMap((b) => ruleOf(b.layer).perSequence(b, T));
}

/** What to lower when a model does not fit, in the words of whoever made it (a preset names its own options). */
export interface LimitAdvice {
  /** For the weights. */
  sizes: string;
  /** For a batch's buffers and grids. */
  batch: string;
}

const GENERIC_ADVICE: LimitAdvice = { sizes: 'the layer sizes', batch: 'the batch size or the sequence length' };

export function checkGraphFits(graph: Graph, limits: DeviceLimits, shape?: { T: number; B: number }, advice: LimitAdvice = GENERIC_ADVICE): void {
  const maxBuffer = maxBufferOf(limits);
  const weights = graph.layers.flatMap((b) => b.weights);
  const total = weights.reduce((s, w) => s + Math.ceil(w.shape.reduce((a, c) => a * c, 1) / 64) * 64, 0);
  const buffers: Array<[string, number, string]> = [['the parameters (one of their four arenas: values, gradients, Adam m and v)', total * 4, advice.sizes]];
  if (shape) {
    for (const [what, bytes] of perSequence(graph, shape.T)) buffers.push([`${what} for B ${n(shape.B)}${shape.T > 1 ? `, T ${n(shape.T)}` : ''}`, bytes * shape.B, advice.batch]);
  }
  for (const [what, bytes, lower] of buffers) {
    if (bytes > maxBuffer) throw new Error(`the model does not fit this GPU: ${what} needs ${size(bytes)}, over its ${size(maxBuffer)} buffer limit; lower ${lower}`);
  }
  if (shape) {
    const groups = Math.ceil((shape.T * shape.B) / GEMM_ROWS_PER_GROUP);
    if (groups > limits.maxComputeWorkgroupsPerDimension) {
      throw new Error(`the model does not fit this GPU: the GEMMs over T·B = ${n(shape.T * shape.B)} rows need ${n(groups)} workgroups in one dimension, over its limit of ${n(limits.maxComputeWorkgroupsPerDimension)}; lower ${advice.batch}`);
    }
  }
}

/** The most sequences of T steps one step can hold (at least 1; checkGraphFits(…, { T, B: 1 }) says whether 1 fits). */
export function maxGraphRows(graph: Graph, limits: DeviceLimits, T: number): number {
  const perRow = Math.max(...perSequence(graph, T).map(([, bytes]) => bytes));
  const byBytes = Math.floor(maxBufferOf(limits) / perRow);
  const byGrid = Math.floor((limits.maxComputeWorkgroupsPerDimension * GEMM_ROWS_PER_GROUP) / T);
  return Math.max(1, Math.min(byBytes, byGrid));
}
