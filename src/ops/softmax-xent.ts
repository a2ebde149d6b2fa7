/**
 * Fused softmax cross-entropy (mean over the batch, optional per-class weights): one pass gives the
 * loss, the correct count and the probabilities; the backward adds w[y]·(p − onehot)/B into dlogits.
 * Rows labelled IGNORE_LABEL (masked timesteps) take no part; B is then the number of other rows.
 */
import { grid1d, type Step } from '../engine/step';
import { type Slice, type Tensor } from '../engine/tensor';
import { kernel } from '../kernels/variants';

export const SOFTMAX_XENT_KERNELS = { forward: [kernel('softmax_xent'), kernel('softmax_rows')], backward: [kernel('softmax_xent_backward')] };

/** A label that takes no part in the loss, the correct count or the gradient (a masked timestep). */
export const IGNORE_LABEL = 0xffffffff;

export interface XentResult {
  /** [loss, correct] */
  stats: Slice;
  /** [B, C] softmax probabilities */
  probs: Slice;
}

export function softmaxXent(step: Step, logits: Tensor, labels: Uint32Array, classWeights?: Float32Array, name = 'softmax_xent'): XentResult {
  const [B, C] = logits.shape as [number, number];
  if (labels.length !== B) throw new Error(`softmaxXent: ${labels.length} labels for ${B} rows`);
  let rows = 0;
  for (const y of labels) {
    if (y === IGNORE_LABEL) continue;
    if (y >= C) throw new Error(`softmaxXent: label ${y} is outside ${C} classes`);
    rows++;
  }
  // The mean runs over the rows that take part (all of them unless some are IGNORE_LABEL).
  const invBatch = rows > 0 ? 1 / rows : 0;
  const weights = classWeights ?? new Float32Array(C).fill(1);
  if (weights.length !== C) throw new Error(`softmaxXent: ${weights.length} class weights for ${C} classes`);
  const labelSlice = step.upload(labels, `${name} labels`);
  const weightSlice = step.upload(weights, `${name} class weights`);
  const probs = step.scratch(B * C, `${name} probs`);
  const stats = step.scratch(2, `${name} stats`);
  step.dispatch('softmax_xent', {
    buffers: { Z: logits.data, labels: labelSlice, classWeights: weightSlice, probs, stats },
    params: { B, C, offZ: logits.data.offset, invBatch },
    workgroups: [1, 1, 1],
  });
  step.tape.record(name, () => {
    if (!logits.grad) return;
    step.dispatch('softmax_xent_backward', {
      buffers: { probs, labels: labelSlice, classWeights: weightSlice, dZ: logits.grad },
      params: { B, C, offDZ: logits.grad.offset, invBatch },
      workgroups: [Math.ceil((B * C) / 64), 1, 1],
    });
  });
  return { stats, probs };
}

/**
 * The softmax of each row of logits [B, C] (prediction: no labels, no loss, no tape entry): the
 * probabilities softmaxXent gives, in one light dispatch without its uploads and reduction.
 */
export function softmaxRows(step: Step, logits: Tensor, name = 'softmax'): Slice {
  const [B, C] = logits.shape as [number, number];
  const probs = step.scratch(B * C, `${name} probs`);
  step.dispatch('softmax_rows', {
    buffers: { Z: logits.data, probs },
    params: { B, C, offZ: logits.data.offset },
    workgroups: grid1d(B),
  });
  return probs;
}
