/**
 * The long-term-dependency task (src/tasks/long-dependency.ts): the data is what it says (the label is
 * the first token, every other token a distractor, deterministic per seed), and a cell that can carry the
 * clue learns it: on a short gap an LSTM trained by raceCells beats chance by far, with a curve per
 * evaluation.
 */
import { describe, expect, it } from 'vitest';
import { tasks } from '../src/index';
import { getEngine } from './helpers/gpu';

describe('tasks.longDependency', () => {
  it('starts every sequence with its clue, then gap distractors; the same seed gives the same data', () => {
    const t = tasks.longDependency({ gap: 7, classes: 3, vocab: 10, samples: 300, testSamples: 50, seed: 5 });
    expect(t.length).toBe(8);
    expect(t.train.x).toHaveLength(300);
    expect(t.test.y).toHaveLength(50);
    t.train.x.forEach((row, i) => {
      expect(row).toHaveLength(8);
      expect(row[0]).toBe(1 + t.train.y[i]!);
      for (const d of row.slice(1)) expect(d).toBeGreaterThanOrEqual(4), expect(d).toBeLessThan(10);
    });
    // Every class and every distractor occurs.
    expect(new Set(t.train.y)).toEqual(new Set([0, 1, 2]));
    expect(new Set(t.train.x.flatMap((r) => r.slice(1)))).toEqual(new Set([4, 5, 6, 7, 8, 9]));
    expect(tasks.longDependency({ gap: 7, classes: 3, vocab: 10, samples: 300, testSamples: 50, seed: 5 }).train).toEqual(t.train);
    expect(tasks.longDependency({ gap: 7, classes: 3, vocab: 10, samples: 300, testSamples: 50, seed: 6 }).train).not.toEqual(t.train);
    expect(() => tasks.longDependency({ gap: 3, classes: 4, vocab: 5 })).toThrow('vocab must be an integer ≥ classes + 2');
  });

  it('an LSTM carries the clue across a short gap: raceCells trains it far above chance', async () => {
    const t = tasks.longDependency({ gap: 4, classes: 4, samples: 512, testSamples: 128, seed: 1 });
    const points: number[] = [];
    const r = await tasks.raceCells(t, { cells: ['lstm'], units: 16, steps: 60, evalEvery: 20, engine: await getEngine(), onPoint: (p) => void points.push(p.step) });
    expect(points).toEqual([20, 40, 60]);
    expect(r.chance).toBe(0.25);
    expect(r.cells[0]!.curve.map((p) => p.step)).toEqual([20, 40, 60]);
    expect(r.cells[0]!.accuracy).toBeGreaterThan(0.9);
  });
});
