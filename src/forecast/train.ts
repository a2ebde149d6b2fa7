/**
 * Train and test a forecaster on a series: a recurrent layer (LSTM by default) → dense on scaled windows (windows.ts), then the test
 * errors of the model and of both baselines on the same windows. The CLI and <lstm-forecaster> both
 * run this.
 */
import type { Engine } from '../engine/engine';
import type { BatchEndInfo, EpochEndInfo } from '../layers/fit-loop';
import { sequential, type Sequential, type SequentialHistory } from '../layers/sequential';
import { layers, recurrentLayerFor, type CellName } from '../layers/specs';
import { baselines, errors, forecastData, type Errors, type ForecastData } from './windows';

export interface ForecastSettings {
  /** The recurrent cell: 'lstm' (default), 'gru' or 'rnn' (SimpleRNN). */
  cell: CellName;
  window: number;
  horizon: number;
  /** The last share of the series to test on. */
  testSize: number;
  epochs: number;
  batchSize: number;
  units: number;
  learningRate: number;
  /** Validation share of the training windows (their last part); 0: none. */
  valSize: number;
  seed: number | string;
}

export const DEFAULT_FORECAST: ForecastSettings = { cell: 'lstm', window: 30, horizon: 1, testSize: 0.33, epochs: 20, batchSize: 32, units: 32, learningRate: 1e-2, valSize: 0.1, seed: 141 };

export interface ForecastResult {
  model: Sequential;
  data: ForecastData;
  history: SequentialHistory;
  /** Scaled predictions for the test windows, [N, horizon]. */
  predicted: number[][];
  baselines: { persistence: number[][]; windowMean: number[][] };
  /** Test errors in the series' units: the model's, and each baseline's (`lstm`: the model's, by its 0.x name, whatever the cell). */
  errors: { model: Errors; persistence: Errors; windowMean: Errors; /** @deprecated Use `model`. */ lstm: Errors };
}

/** Prepare the data and the model (compiled; its scaling and window saved as user-defined metadata). Throws on a series too short for the settings. */
export async function createForecaster(values: readonly number[], s: ForecastSettings, column: string, engine?: Engine): Promise<{ model: Sequential; data: ForecastData }> {
  const data = forecastData(values, { window: s.window, horizon: s.horizon, testSize: s.testSize });
  const model = await sequential([recurrentLayerFor(s.cell ?? 'lstm', { units: s.units, inputShape: [s.window, 1] }), layers.dense({ units: s.horizon })], { seed: s.seed, name: 'forecaster', ...(engine ? { engine } : {}) });
  model.compile({ loss: 'meanSquaredError', optimizer: { type: 'adam', learningRate: s.learningRate }, metrics: ['mae'] });
  model.setUserDefinedMetadata({ forecast: { column, window: s.window, horizon: s.horizon, scaler: data.scaler } });
  return { model, data };
}

export async function trainForecaster(
  model: Sequential,
  data: ForecastData,
  s: ForecastSettings,
  cb: { signal?: AbortSignal; onBatchEnd?: (b: BatchEndInfo) => unknown; onEpochEnd?: (e: EpochEndInfo) => void | Promise<void> } = {},
): Promise<ForecastResult> {
  const history = await model.fit(data.train.x, data.train.y, {
    epochs: s.epochs,
    batchSize: s.batchSize,
    ...(s.valSize > 0 ? { validationSplit: s.valSize } : {}),
    ...(cb.signal ? { signal: cb.signal } : {}),
    ...(cb.onBatchEnd ? { onBatchEnd: cb.onBatchEnd } : {}),
    ...(cb.onEpochEnd ? { onEpochEnd: cb.onEpochEnd } : {}),
  });
  const predicted = await model.predict<number[][]>(data.test.x);
  const base = baselines(data.test, s.horizon);
  const modelErrors = errors(data.scaler, predicted, data.test.y);
  return {
    model,
    data,
    history,
    predicted,
    baselines: base,
    errors: {
      model: modelErrors,
      lstm: modelErrors,
      persistence: errors(data.scaler, base.persistence, data.test.y),
      windowMean: errors(data.scaler, base.windowMean, data.test.y),
    },
  };
}
