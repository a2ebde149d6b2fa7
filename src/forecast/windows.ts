/**
 * Forecasting data, as a forecaster should be evaluated: a chronological split (the last share of the
 * series for testing, never shuffled into training), min-max scaling fitted on the training part only,
 * sliding windows → the next `horizon` values, and two baselines on the very same test windows:
 * persistence (every next value = the window's last) and the window's mean.
 */

export interface ForecastOptions {
  window: number;
  horizon: number;
  /** The last share of the series to test on (default 1/3). */
  testSize?: number;
}

export interface Scaler {
  min: number;
  max: number;
}

export const scale = (s: Scaler, v: number) => (s.max === s.min ? 0 : (v - s.min) / (s.max - s.min));
export const unscale = (s: Scaler, v: number) => s.min + v * (s.max - s.min);

export interface WindowSet {
  /** [N, window, 1], scaled. */
  x: number[][][];
  /** [N, horizon], scaled. */
  y: number[][];
  /** Index in the series of each window's first target value. */
  at: number[];
}

export interface ForecastData {
  scaler: Scaler;
  train: WindowSet;
  test: WindowSet;
  /** The index of the first test target in the series. */
  testStart: number;
}

export interface Errors {
  rmse: number;
  mae: number;
}

function windowsOf(series: readonly number[], s: Scaler, o: ForecastOptions, from: number, to: number): WindowSet {
  const set: WindowSet = { x: [], y: [], at: [] };
  // Windows whose targets lie in [from, to).
  for (let t = Math.max(from, o.window); t + o.horizon <= to; t++) {
    set.x.push(series.slice(t - o.window, t).map((v) => [scale(s, v)]));
    set.y.push(series.slice(t, t + o.horizon).map((v) => scale(s, v)));
    set.at.push(t);
  }
  return set;
}

export function forecastData(series: readonly number[], o: ForecastOptions): ForecastData {
  const testSize = o.testSize ?? 1 / 3;
  if (!(Number.isInteger(o.window) && o.window >= 1)) throw new Error(`window must be a positive integer, got ${o.window}`);
  if (!(Number.isInteger(o.horizon) && o.horizon >= 1)) throw new Error(`horizon must be a positive integer, got ${o.horizon}`);
  if (!(testSize > 0 && testSize < 1)) throw new Error(`the test share must be in (0, 1), got ${testSize}`);
  const testStart = Math.floor(series.length * (1 - testSize));
  // Training windows use only values before the test part; test windows may look back into training values.
  const need = o.window + o.horizon;
  if (testStart < need + 1 || series.length - testStart < o.horizon) {
    throw new Error(`a series of ${series.length} values is too short for a window of ${o.window} and a horizon of ${o.horizon} with a test share of ${testSize}`);
  }
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < testStart; i++) {
    min = Math.min(min, series[i]!);
    max = Math.max(max, series[i]!);
  }
  const scaler = { min, max };
  return { scaler, train: windowsOf(series, scaler, o, 0, testStart), test: windowsOf(series, scaler, o, testStart, series.length), testStart };
}

/** RMSE and MAE in the series' units, over every predicted value. */
export function errors(s: Scaler, predicted: readonly (readonly number[])[], actual: readonly (readonly number[])[]): Errors {
  let sq = 0, abs = 0, n = 0;
  predicted.forEach((row, i) =>
    row.forEach((p, k) => {
      const d = unscale(s, p) - unscale(s, actual[i]![k]!);
      sq += d * d;
      abs += Math.abs(d);
      n++;
    }),
  );
  return { rmse: Math.sqrt(sq / n), mae: abs / n };
}

/** The baselines' predictions for a window set (scaled, like the model's). */
export function baselines(set: WindowSet, horizon: number): { persistence: number[][]; windowMean: number[][] } {
  return {
    persistence: set.x.map((w) => Array(horizon).fill(w[w.length - 1]![0]!)),
    windowMean: set.x.map((w) => Array(horizon).fill(w.reduce((s, v) => s + v[0]!, 0) / w.length)),
  };
}
