/**
 * Seeded (optionally stratified) train/validation/test splits, per-epoch shuffles, and batching with
 * optional length bucketing. Every random choice comes from a seedrandom stream.
 */
import seedrandom from 'seedrandom';
import { type LabelledTexts } from './dataset';

export function shuffleInPlace<T>(a: T[], rng: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

export interface SplitOptions {
  testSize?: number;
  validationSize?: number;
  stratify?: boolean;
  seed?: number | string;
}

export interface Splits {
  train: LabelledTexts;
  validation: LabelledTexts | null;
  test: LabelledTexts;
}

export function subset(d: LabelledTexts, idx: number[]): LabelledTexts {
  return { texts: idx.map((i) => d.texts[i]!), labels: idx.map((i) => d.labels[i]!), labelNames: d.labelNames };
}

/** Fractions of the whole; each class is split in the same proportions when stratified. */
export function splitDataset(d: LabelledTexts, opts: SplitOptions = {}): Splits {
  const testSize = opts.testSize ?? 0.33;
  const valSize = opts.validationSize ?? 0;
  if (!(testSize > 0 && testSize < 1) || !(valSize >= 0 && testSize + valSize < 1)) {
    throw new Error(`testSize must be in (0, 1) and testSize + validationSize < 1 (got ${testSize}, ${valSize})`);
  }
  const rng = seedrandom(`${opts.seed ?? 0}/split`);
  const groups: number[][] = opts.stratify ?? true ? d.labelNames.map(() => []) : [[]];
  d.labels.forEach((l, i) => groups[opts.stratify ?? true ? l : 0]!.push(i));
  const train: number[] = [];
  const val: number[] = [];
  const test: number[] = [];
  for (const g of groups) {
    shuffleInPlace(g, rng);
    const nTest = Math.round(g.length * testSize);
    const nVal = Math.round(g.length * valSize);
    // Element by element: spreading a class of hundreds of thousands of rows into push overflows the stack.
    g.forEach((row, i) => (i < nTest ? test : i < nTest + nVal ? val : train).push(row));
  }
  for (const s of [train, val, test]) shuffleInPlace(s, rng);
  if (train.length === 0 || test.length === 0) throw new Error('the split left no training or no test rows');
  return { train: subset(d, train), validation: val.length ? subset(d, val) : null, test: subset(d, test) };
}

/**
 * Batches of row indices for one epoch. Shuffled each epoch from `rng`; with `lengths` given (bucketing),
 * rows are sorted by length within windows of 50 batches before being cut into batches, whose order is
 * then shuffled: batches of similar lengths skip more all-padding timesteps.
 */
export function epochBatches(n: number, batchSize: number, rng: () => number, lengths?: ArrayLike<number>): number[][] {
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  const idx = shuffleInPlace(Array.from({ length: n }, (_, i) => i), rng);
  if (lengths) {
    const window = batchSize * 50;
    for (let s = 0; s < n; s += window) {
      const part = idx.slice(s, s + window).sort((a, b) => lengths[a]! - lengths[b]!);
      for (let k = 0; k < part.length; k++) idx[s + k] = part[k]!;
    }
  }
  const batches: number[][] = [];
  for (let s = 0; s < n; s += batchSize) batches.push(idx.slice(s, s + batchSize));
  return lengths ? shuffleInPlace(batches, rng) : batches;
}
