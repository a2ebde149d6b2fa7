/**
 * The training loop behind `fit`: epochs of shuffled (optionally length-bucketed) batches, at most two
 * steps in flight so that the host prepares the next batch while the GPU runs the previous one, progress
 * per batch and per epoch, validation, a NaN/Inf stop that keeps the last good weights, an abort signal
 * that leaves a consistent model, and Keras-style early stopping.
 */
import { epochBatches } from '../data/split';

/** What one training step reports, once the GPU has produced it. */
export interface StepStats {
  loss: number;
  /** Correct predictions in the batch (accuracy × batch size). */
  correct: number;
  /** False when the gradient norm was NaN/Inf (the update was skipped). */
  finite: boolean;
  gradNorm: number;
  /** Batch means of further metrics (layers API: mae, mse). */
  metrics?: Record<string, number>;
}

export interface BatchEndInfo {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** Running mean over the epoch so far. */
  loss: number;
  accuracy: number;
  sequencesPerSecond: number;
  etaSeconds: number;
  /** Running means of the compiled metrics other than accuracy (layers API: mae, mse). */
  metrics: Record<string, number>;
}

export interface EpochEndInfo {
  epoch: number;
  epochs: number;
  loss: number;
  accuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  seconds: number;
  sequencesPerSecond: number;
  /** Epoch means of the other compiled metrics (mae, mse), and their validation values (val_mae, …). */
  metrics: Record<string, number>;
}

export interface EarlyStopping {
  patience: number;
  monitor?: 'val_loss' | 'val_accuracy';
  restoreBestWeights?: boolean;
}

export interface History {
  epochs: EpochEndInfo[];
  /** True when the signal stopped training early (the model is consistent: every submitted step completed). */
  stopped: boolean;
  /** With earlyStopping: the best epoch (1-based) and whether training stopped before `epochs`. */
  bestEpoch: number | null;
  stoppedEarly: boolean;
}

/** What the loop trains: a network's step, its weights, and the data as rows. */
export interface FitTarget<B> {
  rows: number;
  /** Each row's real length (for bucketing). */
  lengths: ArrayLike<number>;
  batchOf(rows: readonly number[]): B;
  trainStep(batch: B): Promise<StepStats>;
  /** Validation metrics after an epoch, or null without validation data. */
  validate: (() => Promise<{ loss: number; accuracy: number; metrics?: Record<string, number> }>) | null;
  readWeights(): Promise<Map<string, Float32Array>>;
  writeWeights(weights: Map<string, Float32Array>): void;
  shuffleRng: () => number;
  /** The loss of an uninformed model (ln C for softmax cross-entropy over C classes): divergence is measured against it. */
  lossScale: number;
}

export interface FitLoopOptions {
  epochs: number;
  batchSize: number;
  bucketing?: boolean;
  /** Shuffle the rows each epoch (default true); false takes them in order. */
  shuffle?: boolean;
  signal?: AbortSignal;
  /**
   * After each batch's results are read back. A returned promise is awaited before any further step is
   * submitted (as TF.js awaits its callbacks); the step already in flight runs on meanwhile.
   */
  onBatchEnd?: (info: BatchEndInfo) => unknown;
  onEpochEnd?: (info: EpochEndInfo) => void | Promise<void>;
  earlyStopping?: EarlyStopping;
}

/**
 * Divergence: a batch loss this many times the baseline, twice in a row, stops training. The baseline
 * is the larger of the first batch's loss and the target's `lossScale` (the loss of a model that knows
 * nothing), so a well-trained model resumed on an easy first batch does not make a noisy batch look
 * like divergence; a diverging run grows with the learning rate, far past it.
 */
export const DIVERGENCE_FACTOR = 100;

export async function fitLoop<B>(target: FitTarget<B>, opts: FitLoopOptions): Promise<History> {
  const { epochs, batchSize } = opts;
  let baseline: number | null = null;
  let overBefore = false;
  const n = target.rows;
  const history: History = { epochs: [], stopped: false, bestEpoch: null, stoppedEarly: false };
  const es = opts.earlyStopping;
  let best: { score: number; epoch: number; weights: Map<string, Float32Array> | null } | null = null;

  for (let epoch = 0; epoch < epochs; epoch++) {
    const batches =
      opts.shuffle === false
        ? Array.from({ length: Math.ceil(n / batchSize) }, (_, k) => Array.from({ length: Math.min(batchSize, n - k * batchSize) }, (_, i) => k * batchSize + i))
        : epochBatches(n, batchSize, target.shuffleRng, opts.bucketing ? target.lengths : undefined);
    const t0 = performance.now();
    let seen = 0;
    let lossSum = 0;
    let correct = 0;
    const metricSums: Record<string, number> = {};
    const means = () => Object.fromEntries(Object.entries(metricSums).map(([k, v]) => [k, v / seen]));
    let done = 0;
    const pending: Array<{ p: Promise<StepStats>; size: number }> = [];
    const settle = async () => {
      const { p, size } = pending.shift()!;
      const s = await p;
      if (!s.finite) {
        // Drain what is still in flight so the model is left consistent.
        await Promise.allSettled(pending.map((q) => q.p));
        pending.length = 0;
        throw new Error(
          `training stopped at epoch ${epoch + 1}, batch ${done + 1}: the loss or gradient became NaN/Inf; ` +
            'that update was skipped, so the model keeps the weights of the last good step (try a lower learning rate or clipNorm)',
        );
      }
      baseline ??= Math.max(s.loss, target.lossScale);
      const over = s.loss > DIVERGENCE_FACTOR * baseline;
      if (over && overBefore) {
        await Promise.allSettled(pending.map((q) => q.p));
        pending.length = 0;
        throw new Error(
          `training stopped at epoch ${epoch + 1}, batch ${done + 1}: the loss grew from ${baseline.toPrecision(3)} to ${s.loss.toPrecision(3)}, ` +
            `more than ${DIVERGENCE_FACTOR} times, so the training diverged (try a lower learning rate or clipNorm)`,
        );
      }
      overBefore = over;
      done++;
      seen += size;
      lossSum += s.loss * size;
      correct += s.correct;
      for (const [k, v] of Object.entries(s.metrics ?? {})) metricSums[k] = (metricSums[k] ?? 0) + v * size;
      const elapsed = (performance.now() - t0) / 1000;
      const rate = seen / Math.max(elapsed, 1e-9);
      const remaining = (batches.length - done) * batchSize + (epochs - epoch - 1) * n;
      await opts.onBatchEnd?.({
        epoch: epoch + 1,
        epochs,
        batch: done,
        batches: batches.length,
        loss: lossSum / seen,
        accuracy: correct / seen,
        sequencesPerSecond: rate,
        etaSeconds: remaining / rate,
        metrics: means(),
      });
    };
    try {
      for (const rows of batches) {
        if (opts.signal?.aborted) break;
        pending.push({ p: target.trainStep(target.batchOf(rows)), size: rows.length });
        if (pending.length >= 2) await settle();
      }
      while (pending.length > 0) await settle();
    } catch (e) {
      // Whatever is still in flight fails the same way (or completes); either way nobody awaits it now.
      for (const q of pending) q.p.catch(() => {});
      throw e;
    }
    if (opts.signal?.aborted && done < batches.length) {
      history.stopped = true;
      break;
    }
    const seconds = (performance.now() - t0) / 1000;
    const v = target.validate ? await target.validate() : null;
    const info: EpochEndInfo = {
      epoch: epoch + 1,
      epochs,
      loss: lossSum / seen,
      accuracy: correct / seen,
      valLoss: v?.loss ?? null,
      valAccuracy: v?.accuracy ?? null,
      seconds,
      sequencesPerSecond: seen / seconds,
      metrics: { ...means(), ...Object.fromEntries(Object.entries(v?.metrics ?? {}).map(([k, x]) => [`val_${k}`, x])) },
    };
    history.epochs.push(info);
    await opts.onEpochEnd?.(info);
    if (opts.signal?.aborted) {
      history.stopped = epoch + 1 < epochs;
      break;
    }
    if (es) {
      // Higher is better: the accuracy itself, or the negated loss.
      const score = es.monitor === 'val_accuracy' ? info.valAccuracy! : -info.valLoss!;
      if (!best || score > best.score) {
        best = { score, epoch: epoch + 1, weights: es.restoreBestWeights === false ? null : await target.readWeights() };
      } else if (epoch + 1 - best.epoch >= es.patience) {
        history.stoppedEarly = epoch + 1 < epochs;
        break;
      }
    }
  }
  if (es && best) {
    history.bestEpoch = best.epoch;
    if (best.weights && best.epoch !== history.epochs.length) target.writeWeights(best.weights);
  }
  return history;
}
