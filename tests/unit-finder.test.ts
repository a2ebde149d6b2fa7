/**
 * The writer's unit picker (src/component/unit-finder.ts) on synthetic activations whose answer is known:
 * each unit is built to track one feature of a text (plus seeded noise), and the picker must name it
 * first for that criterion, with the right sign.
 */
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { correlation, proposeUnits, textFeatures, type UnitCriterion } from '../src/component/unit-finder';

const TEXT = 'He said "hello (there) friend" and left.\nShe wrote (a note) to "him".\nThe end (of "it") came soon, "or not".\n'.repeat(3);
const tokens = Array.from(TEXT);

describe('textFeatures', () => {
  it('describes the state after each token: quotes, brackets, position in the line, a space just read', () => {
    const f = textFeatures(Array.from('a "b (c)"\nd'));
    //                         a  ␠  "  b  ␠  (  c  )  "  ⏎  d
    expect([...f['in-quotes']]).toEqual([0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
    expect([...f['in-brackets']]).toEqual([0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0]);
    expect([...f['line-position']]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    expect([...f['after-space']]).toEqual([0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0]);
  });

  it('word tokens: a token ending in whitespace counts as a space read', () => {
    const f = textFeatures(['He', ' ', 'said', '\n', '"', 'hi']);
    expect([...f['after-space']]).toEqual([0, 1, 0, 1, 0, 0]);
    expect([...f['in-quotes']]).toEqual([0, 0, 0, 0, 1, 1]);
    expect([...f['line-position']]).toEqual([2, 3, 7, 0, 1, 3]);
  });
});

describe('correlation', () => {
  it('is ±1 for lines, null for a constant', () => {
    expect(correlation([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(correlation([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(correlation([1, 2, 3], [5, 5, 5])).toBeNull();
  });
});

describe('proposeUnits', () => {
  const f = textFeatures(tokens);
  const T = tokens.length;
  const rng = seedrandom('unit-finder');
  const noise = () => 0.15 * (rng() - 0.5);
  // Unit k tracks one thing; units 6 and 7 are noise only. Unit 5 swings widest (no feature).
  const U = 8;
  const build: Array<(t: number) => number> = [
    () => noise(),
    (t) => f['line-position'][t]! / 40 - 0.5 + noise(),
    (t) => -0.8 * f['in-quotes'][t]! + noise(),
    (t) => 0.7 * f['in-brackets'][t]! + noise(),
    (t) => 0.6 * f['after-space'][t]! + noise(),
    (t) => 3 * Math.sin(t * 1.7),
    () => noise(),
    () => noise(),
  ];
  const h = new Float32Array(T * U);
  for (let t = 0; t < T; t++) for (let j = 0; j < U; j++) h[t * U + j] = build[j]!(t);
  const proposals = proposeUnits(h, U, tokens);
  const first = (c: UnitCriterion) => proposals.find((p) => p.criterion === c)!;

  it('names, for each criterion, the unit built to track it first', () => {
    expect(first('variance').unit).toBe(5);
    expect(first('line-position').unit).toBe(1);
    expect(first('in-quotes').unit).toBe(2);
    expect(first('in-brackets').unit).toBe(3);
    expect(first('after-space').unit).toBe(4);
  });

  it('gives the correlation with its sign: a unit that goes down inside quotes is found too', () => {
    expect(first('line-position').score).toBeGreaterThan(0.9);
    expect(first('in-quotes').score).toBeLessThan(-0.9);
    expect(first('in-brackets').score).toBeGreaterThan(0.9);
    expect(first('after-space').score).toBeGreaterThan(0.9);
    // Three per criterion, best first.
    for (const c of ['variance', 'line-position', 'in-quotes', 'in-brackets', 'after-space'] as const) {
      const mine = proposals.filter((p) => p.criterion === c);
      expect(mine).toHaveLength(3);
      const rank = (p: (typeof mine)[number]) => Math.abs(p.score);
      expect(rank(mine[0]!)).toBeGreaterThanOrEqual(rank(mine[1]!));
      expect(rank(mine[1]!)).toBeGreaterThanOrEqual(rank(mine[2]!));
    }
  });

  it('a feature the text does not have (no quotes, no brackets) proposes nothing for it', () => {
    const plain = Array.from('just words here\nand more words\n');
    const hp = Float32Array.from({ length: plain.length * 2 }, (_, i) => Math.sin(i));
    const p = proposeUnits(hp, 2, plain);
    expect(p.filter((x) => x.criterion === 'in-quotes')).toEqual([]);
    expect(p.filter((x) => x.criterion === 'in-brackets')).toEqual([]);
    expect(p.filter((x) => x.criterion === 'variance')).toHaveLength(2);
  });

  it('refuses activations that do not match the tokens', () => {
    expect(() => proposeUnits(new Float32Array(10), 3, tokens)).toThrow(/activations for/);
  });
});
