/** Generated data for the layers tests: a noisy seasonal series and its sliding windows. */
import seedrandom from 'seedrandom';

/** Two seasonal cycles plus a slow trend and Gaussian-ish noise, seeded. */
export function seasonalSeries(n: number, seed = 'series', noise = 0.1): number[] {
  const r = seedrandom(seed);
  return Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * i) / 24) + 0.5 * Math.sin((2 * Math.PI * i) / 7) + i / n + noise * (r() + r() + r() - 1.5));
}

/** [N, window, 1] windows and the value after each. */
export function windows(series: readonly number[], window: number): { x: number[][][]; y: number[] } {
  const x: number[][][] = [];
  const y: number[] = [];
  for (let i = 0; i + window < series.length; i++) {
    x.push(series.slice(i, i + window).map((v) => [v]));
    y.push(series[i + window]!);
  }
  return { x, y };
}
