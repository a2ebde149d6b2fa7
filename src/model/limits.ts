/**
 * Will a configuration fit the device? Computed from the configuration before any GPU work, against the
 * adapter's limits, so that a model too large for the GPU is refused with a sentence (which size, how
 * big, the limit, what to lower) instead of hanging, running out of memory or dispatching an invalid
 * grid. The default sequence length is chosen here too.
 */
import { GEMM_ROWS_PER_GROUP, maxBufferOf, size, type DeviceLimits } from '../layers/limits';
import type { NetworkConfig } from './network';

export type { DeviceLimits };

const n = (x: number) => x.toLocaleString('en-US');

/** The step's per-batch buffers for B sequences of T tokens: [what, bytes, what to lower]. */
function batchBuffers(c: NetworkConfig, T: number, B: number): Array<[string, number, string]> {
  const H = c.units;
  const widest = Math.max(c.embedDim, (c.bidirectional ? 2 : 1) * H);
  return [
    [`the LSTM gates of one batch (T ${n(T)} × B ${n(B)} × 4·${H})`, T * B * 4 * H * 4, 'maxLen or batchSize'],
    [`the LSTM states of one batch ((T + 1) × B × ${H})`, (T + 1) * B * H * 4, 'maxLen or batchSize'],
    [`the embedded batch (T × B × ${widest})`, T * B * widest * 4, 'maxLen or batchSize'],
  ];
}


/**
 * Throws when one buffer or one dispatch grid of a step over a batch of B sequences of T tokens exceeds
 * the device's limits. T and B are omitted for the parameters alone (checked when the model is created).
 */
export function checkFitsDevice(c: NetworkConfig, limits: DeviceLimits, shape?: { T: number; B: number }): void {
  const maxBuffer = maxBufferOf(limits);
  const H = c.units;
  const dirs = c.bidirectional ? 2 : 1;
  const feat = dirs * H;
  const lstmIn = (layer: number) => (layer === 0 ? c.embedDim : feat);
  let params = c.vocabSize * c.embedDim + feat * c.numClasses + c.numClasses;
  for (let l = 0; l < c.layers; l++) params += dirs * (lstmIn(l) * 4 * H + H * 4 * H + 4 * H);
  const buffers: Array<[string, number, string]> = [
    ['the embedding matrix', c.vocabSize * c.embedDim * 4, 'vocabSize or embedDim'],
    ['the parameters (one of their four arenas: values, gradients, Adam m and v)', params * 4, 'vocabSize, embedDim, units or layers'],
  ];
  const grids: Array<[string, number, string]> = [];
  if (shape) {
    const rows = shape.T * shape.B;
    buffers.push(...batchBuffers(c, shape.T, shape.B));
    // The input projection over all rows of a batch: GEMM grids tile the T·B rows by 16 at the finest.
    grids.push([`the input projection over T·B = ${n(rows)} rows`, Math.ceil(rows / GEMM_ROWS_PER_GROUP), 'maxLen or batchSize']);
  }
  for (const [what, bytes, lower] of buffers) {
    if (bytes > maxBuffer) {
      throw new Error(`the model does not fit this GPU: ${what} needs ${size(bytes)}, over its ${size(maxBuffer)} buffer limit; lower ${lower}`);
    }
  }
  for (const [what, groups, lower] of grids) {
    if (groups > limits.maxComputeWorkgroupsPerDimension) {
      throw new Error(
        `the model does not fit this GPU: ${what} need ${n(groups)} workgroups in one dimension, over its limit of ${n(limits.maxComputeWorkgroupsPerDimension)}; lower ${lower}`,
      );
    }
  }
}

/** The most sequences of length T one step can hold on this device (at least 1; checkFitsDevice(…, { T, B: 1 }) says whether 1 fits). */
export function maxRowsPerStep(c: NetworkConfig, limits: DeviceLimits, T: number): number {
  // Every per-batch buffer grows linearly in B: the size for one row bounds the rows.
  const perRow = Math.max(...batchBuffers(c, T, 1).map(([, bytes]) => bytes));
  const byBytes = Math.floor(maxBufferOf(limits) / perRow);
  const byGrid = Math.floor((limits.maxComputeWorkgroupsPerDimension * GEMM_ROWS_PER_GROUP) / T);
  return Math.max(1, Math.min(byBytes, byGrid));
}

/** Where the default sequence length is capped: the longest text when it is within this factor of the 99th percentile. */
export const OUTLIER_FACTOR = 4;

/**
 * The default sequence length (Keras pad_sequences pads to the longest): the longest training sequence,
 * unless it is more than OUTLIER_FACTOR × the 99th percentile of lengths (one huge cell would otherwise
 * set the cost of every batch), then that percentile.
 */
export function defaultMaxLen(lengths: ArrayLike<number>): { maxLen: number; longest: number; p99: number; capped: boolean } {
  const sorted = Float64Array.from(lengths).sort();
  const longest = Math.max(1, sorted[sorted.length - 1] ?? 1);
  const p99 = Math.max(1, sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)] ?? 1);
  const capped = longest > OUTLIER_FACTOR * p99;
  return { maxLen: capped ? p99 : longest, longest, p99, capped };
}
