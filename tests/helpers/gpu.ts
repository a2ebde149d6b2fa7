/**
 * One engine per test file (Vitest runs each file in its own process). A missing adapter makes every GPU
 * test fail with the engine's explanatory message: it is never turned into a skip or a pass.
 */
import seedrandom from 'seedrandom';
import { expect } from 'vitest';
import { type Engine, type Tuning } from '../../src/engine/engine';
import type { LstmSchedule } from '../../src/kernels/variants';
import { createEngine, prepareCells } from '../../src/ops/create-engine';

let engine: Promise<Engine> | null = null;
const tuned = new Map<string, Promise<Engine>>();

export function getEngine(): Promise<Engine> {
  engine ??= createEngine();
  return engine;
}

/**
 * An engine on the same device with the given kernel tuning (both run everywhere; see
 * EngineOptions.tuning) and, for the gpu tuning, LSTM schedule (default 'auto').
 */
export function getTunedEngine(tuning: Tuning, lstmSchedule: LstmSchedule = 'auto'): Promise<Engine> {
  const key = `${tuning} ${JSON.stringify(lstmSchedule)}`;
  let e = tuned.get(key);
  if (!e) {
    e = getEngine().then((base) => (base.tuning === tuning && lstmSchedule === 'auto' ? base : createEngine({ gpu: base.gpu, tuning, lstmSchedule })));
    tuned.set(key, e);
  }
  return e;
}

/**
 * An engine (getEngine, or getTunedEngine for a tuning) with these cells' kernels compiled too: a GRU's or
 * a SimpleRNN's, which models compile when they first run (prepareCells) and op-level tests ask for.
 */
export async function getCellEngine(cells: ReadonlyArray<'gru' | 'simpleRnn'>, tuning?: Tuning, lstmSchedule: LstmSchedule = 'auto'): Promise<Engine> {
  const e = tuning ? await getTunedEngine(tuning, lstmSchedule) : await getEngine();
  await prepareCells(e, cells);
  return e;
}

/** The kernel configurations every LSTM correctness test runs: cpu-tuned, and gpu-tuned with each schedule. */
export const LSTM_KERNEL_SETS: ReadonlyArray<{ label: string; tuning: Tuning; schedule: LstmSchedule }> = [
  { label: 'cpu-tuned kernels', tuning: 'cpu', schedule: 'auto' },
  { label: 'gpu-tuned per-timestep kernels', tuning: 'gpu', schedule: 'timestep' },
  ...([1, 2, 4] as const).map((rows) => ({ label: `gpu-tuned whole-sequence kernels, ${rows} row${rows > 1 ? 's' : ''} per workgroup`, tuning: 'gpu' as const, schedule: { sequenceRows: rows } })),
];

export function rng(seed: string | number): () => number {
  return seedrandom(String(seed));
}

/** Uniform values in [lo, hi) as float64 (exactly representable in f32, so both sides see the same inputs). */
export function randomArray(r: () => number, n: number, lo = -1, hi = 1): Float64Array {
  return Float64Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * r()));
}

export const f32 = (a: ArrayLike<number>) => Float32Array.from(a);

/**
 * |actual − expected| ≤ atol + rtol·|expected| elementwise; on failure the message names the worst
 * element so a wrong index is easy to find.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number, what = 'values'): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    expect.fail(`${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (rtol ${rtol}, atol ${atol})`);
  }
}

/** Central finite differences of a float64 scalar function with respect to every entry of `x`. */
export function numericGrad(f: () => number, x: Float64Array, h = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const old = x[i]!;
    x[i] = old + h;
    const fp = f();
    x[i] = old - h;
    const fm = f();
    x[i] = old;
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
