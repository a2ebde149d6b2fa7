/**
 * Train, then evaluate on the test split: the sentiment recipe's run, shared by the CLI's `train` and
 * <lstm-trainer>'s controller (as forecast/train.ts is for forecasting). Each completed epoch's model
 * file is handed to the caller (for an interrupted run, a lost device, the browser's shelf); saving the
 * final model and printing or showing results are the caller's.
 */
import type { Splits } from '../data/split';
import type { BatchEndInfo, EpochEndInfo, History } from '../layers/fit-loop';
import type { Evaluation, SentimentModel } from './sentiment-model';

export interface RunSettings {
  /** Epochs to train in this run. */
  epochs: number;
  batchSize: number;
  /** Batches of similar length (the recipe's default: true). */
  bucketing: boolean;
  /** Early stopping's patience in epochs (on the validation loss, keeping the best epoch's weights); 0: off. */
  patience: number;
  /** Keep Adam's state and the random streams in the epoch files (exact resume). Default true. */
  includeOptimizer?: boolean;
  /** Hand over the last epoch's file too (default true; the CLI saves the final model itself and skips it). */
  lastEpochFile?: boolean;
}

export interface RunCallbacks {
  signal?: AbortSignal;
  onBatchEnd?: (b: BatchEndInfo) => unknown;
  /** After each epoch, with that epoch's model file (stored without compression: quick to write; null for the last epoch when `lastEpochFile` is false). */
  onEpochEnd?: (e: EpochEndInfo, file: Uint8Array | null) => void | Promise<void>;
}

export interface RunResult {
  history: History;
  /** The test split's evaluation; null when the run was stopped (signal) before its end. */
  evaluation: Evaluation | null;
}

export async function trainAndEvaluate(model: SentimentModel, splits: Splits, s: RunSettings, cb: RunCallbacks = {}): Promise<RunResult> {
  const validation = splits.validation && splits.validation.texts.length > 0 ? splits.validation : null;
  const history = await model.fit(splits.train, {
    epochs: s.epochs,
    batchSize: s.batchSize,
    validation,
    bucketing: s.bucketing,
    ...(s.patience > 0 && validation ? { earlyStopping: { patience: s.patience, monitor: 'val_loss' as const } } : {}),
    ...(cb.signal ? { signal: cb.signal } : {}),
    ...(cb.onBatchEnd ? { onBatchEnd: cb.onBatchEnd } : {}),
    onEpochEnd: async (e) => {
      if (!cb.onEpochEnd) return;
      const wanted = e.epoch < e.epochs || (s.lastEpochFile ?? true);
      await cb.onEpochEnd(e, wanted ? await model.save({ compress: false, includeOptimizer: s.includeOptimizer ?? true }) : null);
    },
  });
  // Stopped (the signal) before the planned epochs ended: no test. A signal after the last epoch does not stop the test.
  if (history.stopped) return { history, evaluation: null };
  return { history, evaluation: await model.evaluate(splits.test) };
}
