/**
 * `compile`: the loss, the optimizer and the metrics, checked against the model's last layer, and the
 * loss as fused ops on a step (softmax with sparse categorical cross-entropy, sigmoid with binary
 * cross-entropy, or MSE/MAE on the output as it is).
 */
import type { Step } from '../engine/step';
import type { Slice, Tensor } from '../engine/tensor';
import { pointwiseLoss } from '../ops/pointwise-loss';
import { IGNORE_LABEL, softmaxRows, softmaxXent } from '../ops/softmax-xent';
import type { Graph } from './graph';
import { ruleOf } from './rules';
import type { Activation } from './specs';

export type LossName = 'sparseCategoricalCrossentropy' | 'meanSquaredError' | 'meanAbsoluteError' | 'binaryCrossentropy';
export type MetricName = 'accuracy' | 'mae' | 'mse';

export interface OptimizerConfig {
  type: 'adam' | 'sgd';
  /** Default 1e-3 (Adam) or 1e-2 (SGD), as in Keras. */
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Clip the global gradient norm; 0 or absent: no clipping. */
  clipNorm?: number;
}

export interface CompileArgs {
  loss: LossName;
  /** Default: Adam with Keras's defaults. */
  optimizer?: 'adam' | 'sgd' | OptimizerConfig;
  metrics?: MetricName[];
}

export interface Compiled {
  loss: LossName;
  optimizer: Required<OptimizerConfig>;
  metrics: MetricName[];
}

const LOSSES: readonly LossName[] = ['sparseCategoricalCrossentropy', 'meanSquaredError', 'meanAbsoluteError', 'binaryCrossentropy'];
const LOSS_ALIASES: Record<string, LossName> = {
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  mean_squared_error: 'meanSquaredError',
  mse: 'meanSquaredError',
  mean_absolute_error: 'meanAbsoluteError',
  mae: 'meanAbsoluteError',
  binary_crossentropy: 'binaryCrossentropy',
};
const METRICS: readonly MetricName[] = ['accuracy', 'mae', 'mse'];
const METRIC_ALIASES: Record<string, MetricName> = { acc: 'accuracy', mean_absolute_error: 'mae', meanAbsoluteError: 'mae', mean_squared_error: 'mse', meanSquaredError: 'mse' };

export function lastActivation(graph: Graph): Activation {
  const last = graph.layers[graph.layers.length - 1]!.layer;
  return ruleOf(last).activation(last);
}

export function compileArgs(graph: Graph, args: CompileArgs): Compiled {
  if (!args || typeof args !== 'object') throw new Error("compile: expected { loss, optimizer?, metrics? }");
  const loss = LOSS_ALIASES[args.loss] ?? args.loss;
  if (!LOSSES.includes(loss)) throw new Error(`compile: unknown loss ${JSON.stringify(args.loss)} (known: ${LOSSES.join(', ')})`);
  const last = graph.layers[graph.layers.length - 1]!;
  const act = lastActivation(graph);
  const units = graph.outputShape[graph.outputShape.length - 1] as number;
  if (loss === 'sparseCategoricalCrossentropy' && (act !== 'softmax' || units < 2)) {
    throw new Error(`compile: sparseCategoricalCrossentropy needs a last dense layer with activation 'softmax' and at least 2 units ("${last.name}" is ${last.layer.className}${act !== 'linear' ? `, ${act}` : ''} with ${units})`);
  }
  if (loss === 'binaryCrossentropy' && act !== 'sigmoid') throw new Error(`compile: binaryCrossentropy needs a last dense layer with activation 'sigmoid' ("${last.name}" has ${act})`);
  if (act === 'softmax' && loss !== 'sparseCategoricalCrossentropy') throw new Error(`compile: a softmax output trains with sparseCategoricalCrossentropy, not ${loss}`);
  const metrics = (args.metrics ?? []).map((m) => METRIC_ALIASES[m] ?? m);
  for (const m of metrics) {
    if (!METRICS.includes(m)) throw new Error(`compile: unknown metric ${JSON.stringify(m)} (known: ${METRICS.join(', ')})`);
    if (m === 'accuracy' && loss !== 'sparseCategoricalCrossentropy' && loss !== 'binaryCrossentropy') throw new Error(`compile: accuracy needs a classification loss, not ${loss}`);
    if (m !== 'accuracy' && loss === 'sparseCategoricalCrossentropy') throw new Error(`compile: ${m} is a regression metric; with sparseCategoricalCrossentropy use accuracy`);
  }
  const o = typeof args.optimizer === 'string' || args.optimizer === undefined ? { type: args.optimizer ?? 'adam' } : args.optimizer;
  if (o.type !== 'adam' && o.type !== 'sgd') throw new Error(`compile: unknown optimizer ${JSON.stringify(o.type)} (known: adam, sgd)`);
  const optimizer: Required<OptimizerConfig> = {
    type: o.type,
    learningRate: o.learningRate ?? (o.type === 'adam' ? 1e-3 : 1e-2),
    beta1: o.beta1 ?? 0.9,
    beta2: o.beta2 ?? 0.999,
    epsilon: o.epsilon ?? 1e-7,
    clipNorm: o.clipNorm ?? 0,
  };
  if (!(optimizer.learningRate > 0)) throw new Error(`compile: learningRate must be > 0, got ${optimizer.learningRate}`);
  if (!(optimizer.clipNorm >= 0)) throw new Error(`compile: clipNorm must be ≥ 0, got ${optimizer.clipNorm}`);
  return { loss, optimizer, metrics: [...new Set(metrics)] };
}

/** The loss's fused kernels take the last layer's activation themselves (its output stays pre-activation). */
export function lossFusesActivation(loss: LossName): boolean {
  return loss === 'sparseCategoricalCrossentropy' || loss === 'binaryCrossentropy';
}

export interface LossStats {
  loss: number;
  accuracy: number;
  metrics: Record<string, number>;
  /** The rows (samples or unmasked timesteps) the means ran over. */
  count: number;
}

/**
 * Encode the loss of `out` against `targets` (time-major rows, width per row) on a step. Masked rows
 * (mask 0) take no part. Returns the stats slice and how to read it.
 */
export function encodeLoss(
  step: Step,
  c: Compiled,
  out: Tensor,
  targets: Float64Array,
  mask: Uint32Array | null,
  classWeights?: Float32Array,
): { stats: Slice; predictions: Slice; decode: (s: Float32Array) => LossStats } {
  const width = out.shape[out.shape.length - 1]!;
  const rows = out.size / width;
  if (mask && mask.length !== rows) throw new Error(`loss: a mask of ${mask.length} for ${rows} output rows`);
  let count = rows;
  if (mask) count = mask.reduce((a, m) => a + (m ? 1 : 0), 0);
  const wanted = (s: Float32Array): Record<string, number> => Object.fromEntries(c.metrics.filter((m) => m !== 'accuracy').map((m) => [m, m === 'mae' ? s[2]! : s[3]!]));
  if (c.loss === 'sparseCategoricalCrossentropy') {
    const labels = Uint32Array.from(targets, (y, r) => (mask && !mask[r] ? IGNORE_LABEL : y));
    const res = softmaxXent(step, out.reshape([rows, width]), labels, classWeights);
    return { stats: res.stats, predictions: res.probs, decode: (s) => ({ loss: s[0]!, accuracy: count > 0 ? s[1]! / count : 0, metrics: {}, count }) };
  }
  const rowWeights = mask ? Float32Array.from(mask, (m) => (m ? 1 : 0)) : undefined;
  const res = pointwiseLoss(step, out.reshape([rows, width]), Float32Array.from(targets), c.loss, rowWeights);
  return { stats: res.stats, predictions: res.pred, decode: (s) => ({ loss: s[0]!, accuracy: s[1]!, metrics: wanted(s), count }) };
}

/** Probabilities of a softmax output (prediction: no labels, no loss). */
export function softmaxOf(step: Step, out: Tensor): Slice {
  const width = out.shape[out.shape.length - 1]!;
  const rows = out.size / width;
  return softmaxRows(step, out.reshape([rows, width]));
}
