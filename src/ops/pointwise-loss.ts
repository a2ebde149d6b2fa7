/**
 * Fused elementwise losses against float targets: mean squared error, mean absolute error, and binary
 * cross-entropy on logits (the last layer's sigmoid fused in). One dispatch gives the loss, the
 * predictions and the mae/mse/binary-accuracy metrics; the backward is one dispatch into dZ.
 * Rows with weight 0 (masked timesteps) take no part; the means run over the other rows' elements.
 */
import { grid1d, type Step } from '../engine/step';
import { type Slice, type Tensor } from '../engine/tensor';
import { kernel } from '../kernels/variants';

export const POINTWISE_LOSS_CODES = { meanSquaredError: 0, meanAbsoluteError: 1, binaryCrossentropy: 2 } as const;
export type PointwiseLoss = keyof typeof POINTWISE_LOSS_CODES;

const codes = Object.values(POINTWISE_LOSS_CODES);
export const POINTWISE_LOSS_KERNELS = {
  forward: codes.map((LOSS) => kernel('pointwise_loss', undefined, { LOSS })),
  backward: codes.map((LOSS) => kernel('pointwise_loss_backward', undefined, { LOSS })),
};

export interface PointwiseLossResult {
  /** [loss, binary accuracy, mae, mse], each a mean over the weighted elements. */
  stats: Slice;
  /** [rows, cols] predictions: Z itself, or sigmoid(Z) for binary cross-entropy. */
  pred: Slice;
}

/**
 * `z` is [rows, cols] (any leading shape: the last dimension is `cols`); `targets` has rows·cols values
 * in the same order; `rowWeights` (1 or 0 per row) defaults to all ones.
 */
export function pointwiseLoss(step: Step, z: Tensor, targets: Float32Array, loss: PointwiseLoss, rowWeights?: Float32Array, name: string = loss): PointwiseLossResult {
  const LOSS = POINTWISE_LOSS_CODES[loss];
  if (LOSS === undefined) throw new Error(`pointwiseLoss: unknown loss "${loss}"`);
  const cols = z.shape[z.shape.length - 1]!;
  const rows = z.size / cols;
  if (targets.length !== z.size) throw new Error(`${name}: ${targets.length} targets for "${z.name}" of ${z.size} values`);
  const weights = rowWeights ?? new Float32Array(rows).fill(1);
  if (weights.length !== rows) throw new Error(`${name}: ${weights.length} row weights for ${rows} rows`);
  let weighted = 0;
  for (const w of weights) weighted += w;
  const invCount = weighted > 0 ? 1 / (weighted * cols) : 0;
  const targetSlice = step.upload(targets, `${name} targets`);
  const weightSlice = step.upload(weights, `${name} row weights`);
  const pred = step.scratch(z.size, `${name} predictions`);
  const stats = step.scratch(4, `${name} stats`);
  step.dispatch('pointwise_loss', {
    overrides: { LOSS },
    buffers: { Z: z.data, targets: targetSlice, rowWeight: weightSlice, pred, stats },
    params: { rows, cols, offZ: z.data.offset, invCount },
    workgroups: [1, 1, 1],
  });
  step.tape.record(name, () => {
    if (!z.grad) return;
    step.dispatch('pointwise_loss_backward', {
      overrides: { LOSS },
      buffers: { Z: z.data, targets: targetSlice, rowWeight: weightSlice, dZ: z.grad },
      params: { rows, cols, offZ: z.data.offset, offDZ: z.grad.offset, invCount },
      workgroups: grid1d(z.size),
    });
  });
  return { stats, pred };
}
