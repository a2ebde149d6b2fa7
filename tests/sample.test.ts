/**
 * The GPU sampler of text generation: greedy at temperature 0, softmax(z / T) frequencies at T > 0
 * (a chi-square bound no broken sampler passes by accident), top-K restricted to the K largest logits,
 * a vocabulary's special ids (below firstToken) never drawn, and the same draws for the same seed and
 * positions.
 */
import { describe, expect, it } from 'vitest';
import { ParameterStore } from '../src/engine/parameters';
import { subSlice } from '../src/engine/tensor';
import { denseSample, sampleTokens } from '../src/ops/sample';
import { f32, getTunedEngine, randomArray, rng } from './helpers/gpu';
import type { Tuning } from '../src/engine/engine';

async function draw(logits: number[], rows: number, o: { temperature: number; topK?: number; seed: number; position?: number; firstToken?: number }, tuning: Tuning = 'cpu'): Promise<Uint32Array> {
  const engine = await getTunedEngine(tuning, 'timestep'); // no LSTM here: skip compiling the whole-sequence kernels
  const V = logits.length;
  const z = engine.allocate(rows * V, 'logits');
  engine.write(z, Float32Array.from({ length: rows * V }, (_, i) => logits[i % V]!));
  const out = engine.allocate(rows + 3, 'tokens');
  const step = engine.beginStep({ grad: false });
  sampleTokens(step, z, out, { rows, V, outOffset: 3, seed: o.seed, position: o.position ?? 0, temperature: o.temperature, topK: o.topK ?? 0, firstToken: o.firstToken ?? 0 });
  step.submit();
  const tokens = await engine.readU32(out);
  engine.release(z);
  engine.release(out);
  return tokens.slice(3);
}

/** Pearson's chi-square of observed counts against expected probabilities. */
function chiSquare(tokens: Uint32Array, probs: number[]): number {
  const counts = probs.map(() => 0);
  for (const t of tokens) counts[t]!++;
  return counts.reduce((s, c, i) => (probs[i]! > 0 ? s + (c - tokens.length * probs[i]!) ** 2 / (tokens.length * probs[i]!) : s + (c > 0 ? Infinity : 0)), 0);
}

const softmax = (z: number[], T = 1) => {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp((v - m) / T));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

/** A dense output layer (kernel [H, V], bias [V]) and `rows` hidden states on the GPU, from one seeded stream; `edit` adjusts the bias first. */
async function denseLayer(seed: string, H: number, V: number, rows: number, hRange: number, edit?: (bias: Float64Array) => void) {
  const engine = await getTunedEngine('cpu');
  const r = rng(seed);
  const Wd = randomArray(r, H * V), bd = randomArray(r, V), h = randomArray(r, rows * H, -hRange, hRange);
  edit?.(bd);
  const store = new ParameterStore(engine, [
    { name: 'kernel', shape: [H, V], init: f32(Wd) },
    { name: 'bias', shape: [V], init: f32(bd) },
  ]);
  const hs = engine.allocate(rows * H, 'h');
  engine.write(hs, f32(h));
  return { engine, Wd, bd, h, store, hs, logits: engine.allocate(V, 'logits') };
}

describe('GPU token sampler', () => {
  it('temperature 0 is argmax for every row (ties to the lower index); a vocabulary wider than the workgroup works', async () => {
    const z = Array.from(randomArray(rng('greedy'), 700, -3, 3));
    const best = z.indexOf(Math.max(...z));
    expect(Array.from(await draw(z, 5, { temperature: 0, seed: 1 }))).toEqual(Array(5).fill(best));
    expect(Array.from(await draw([1, 3, 3, 0], 2, { temperature: 0, seed: 1 }))).toEqual([1, 1]);
  });

  it('at temperature 1 and 0.5 the frequencies match softmax(z / T) (chi-square, 5 degrees of freedom)', async () => {
    const z = [0.3, -1.2, 2.0, 0.9, -0.4, 1.1];
    for (const T of [1, 0.5]) {
      const tokens = await draw(z, 20000, { temperature: T, seed: 42 });
      // The 99.99th percentile of chi-square with 5 degrees of freedom is 25.7: a correct sampler fails 1 time in 10,000.
      expect(chiSquare(tokens, softmax(z, T))).toBeLessThan(25.7);
      // A sampler that ignores the temperature fails: at T = 0.5 against softmax(z) the statistic is in the thousands.
      if (T === 0.5) expect(chiSquare(tokens, softmax(z, 1))).toBeGreaterThan(1000);
    }
  });

  it('top-K samples only among the K largest logits, in their renormalised proportions', async () => {
    const z = [0.5, 2.0, -1.0, 1.5, 1.9, 0.0];
    const tokens = await draw(z, 20000, { temperature: 1, topK: 3, seed: 7 });
    const allowed = [1, 3, 4];
    const p = softmax(allowed.map((i) => z[i]!));
    const probs = z.map((_, i) => (allowed.includes(i) ? p[allowed.indexOf(i)]! : 0));
    expect(new Set(tokens)).toEqual(new Set(allowed));
    expect(chiSquare(tokens, probs)).toBeLessThan(21.1); // 2 degrees of freedom, 99.997th percentile
  });

  it('the same seed and positions give the same tokens; another seed or position does not', async () => {
    const z = Array.from(randomArray(rng('det'), 50, -1, 1));
    const a = await draw(z, 200, { temperature: 1, seed: 9, position: 100 });
    expect(await draw(z, 200, { temperature: 1, seed: 9, position: 100 })).toEqual(a);
    expect(await draw(z, 200, { temperature: 1, seed: 10, position: 100 })).not.toEqual(a);
    // Row r draws at position + r: shifting the start by one shifts the stream.
    expect((await draw(z, 201, { temperature: 1, seed: 9, position: 99 })).slice(1)).toEqual(a);
  });

  it('the workgroup sampler (gpu tuning) draws exactly the tokens of the serial one (cpu tuning)', async () => {
    const z = Array.from(randomArray(rng('tunings'), 300, -2, 2));
    for (const o of [{ temperature: 0.8, seed: 3 }, { temperature: 1, topK: 5, seed: 4 }, { temperature: 0, seed: 5 }]) {
      expect(await draw(z, 40, o, 'gpu')).toEqual(await draw(z, 40, o, 'cpu'));
    }
  });

  it('the fused output layer + sampler (dense_sample) draws what sampleTokens draws from the same logits', async () => {
    const H = 20, V = 37, rows = 40;
    const { engine, Wd, bd, h, store, hs, logits } = await denseLayer('dense-sample', H, V, rows, 2);
    const fused = engine.allocate(rows, 'fused tokens');
    const step = engine.beginStep({ grad: false });
    for (let i = 0; i < rows; i++) {
      denseSample(step, { kernel: store.get('kernel'), bias: store.get('bias') }, subSlice(hs, i * H, H), logits, fused, { outOffset: i, seed: 8, position: 500 + i, temperature: 0.9, topK: i % 2 ? 5 : 0 });
    }
    step.submit();
    const got = await engine.readU32(fused);
    // The same logits on the host (float64), sampled by sampleTokens row by row at the same positions.
    const z = Array.from({ length: rows }, (_, i) => Array.from({ length: V }, (_, v) => bd[v]! + Array.from({ length: H }, (_, k) => h[i * H + k]! * Wd[k * V + v]!).reduce((a, b) => a + b, 0)));
    for (let i = 0; i < rows; i++) {
      const [t] = await draw(z[i]!, 1, { temperature: 0.9, topK: i % 2 ? 5 : 0, seed: 8, position: 500 + i });
      expect(got[i], `row ${i}`).toBe(t);
    }
    for (const s of [hs, logits, fused]) engine.release(s);
    store.destroy();
  });

  it('ids below firstToken (a vocabulary\'s unknown token) are never drawn, even as by far the largest logit: greedy, sampled, top-K, both samplers', async () => {
    // Token 0 holds about 99.7% of softmax(z): a sampler that does not exclude it draws it almost always.
    const z = [9, 0.3, -1.2, 2.0, 0.9, -0.4];
    const allowed = softmax(z.slice(1));
    expect(Array.from(await draw(z, 4, { temperature: 0, seed: 1, firstToken: 1 }))).toEqual([3, 3, 3, 3]);
    const tokens = await draw(z, 20000, { temperature: 1, seed: 42, firstToken: 1 });
    expect(tokens).not.toContain(0);
    // The others in softmax's proportions among themselves (4 degrees of freedom, 99.99th percentile 23.5).
    expect(chiSquare(tokens, [0, ...allowed])).toBeLessThan(23.5);
    expect(new Set(await draw(z, 2000, { temperature: 1, topK: 2, seed: 7, firstToken: 1 }))).toEqual(new Set([3, 4]));
    // The same stream: wherever the excluded token would not have won, the same token is drawn.
    const free = await draw(z, 20000, { temperature: 1, seed: 42 });
    expect(free.filter((t) => t === 0).length).toBeGreaterThan(19000);
    for (let r = 0; r < free.length; r++) if (free[r] !== 0) expect(tokens[r], `row ${r}`).toBe(free[r]);
    // The workgroup sampler (gpu tuning) excludes them too, drawing what the serial one draws.
    const wide = Array.from(randomArray(rng('first-token'), 300, -2, 2));
    wide[0] = 40;
    wide[1] = 30;
    for (const o of [{ temperature: 0, seed: 3 }, { temperature: 1, seed: 4 }, { temperature: 0.7, topK: 3, seed: 5 }, { temperature: 1, topK: 1, seed: 6 }]) {
      const gpu = await draw(wide, 40, { ...o, firstToken: 2 }, 'gpu');
      expect(gpu.every((t) => t >= 2), JSON.stringify(o)).toBe(true);
      expect(gpu).toEqual(await draw(wide, 40, { ...o, firstToken: 2 }, 'cpu'));
    }
  });

  it('the fused output layer + sampler (dense_sample) never draws an id below firstToken, though its bias favours it', async () => {
    const H = 8, V = 12, rows = 60;
    const { engine, store, hs, logits } = await denseLayer('dense-first', H, V, rows, 1, (bd) => (bd[0] = 50));
    const tokens = engine.allocate(2 * rows, 'tokens');
    const step = engine.beginStep({ grad: false });
    for (let i = 0; i < rows; i++) {
      const o = { seed: 2, position: i, temperature: [0, 1, 1.5][i % 3]!, topK: i % 2 ? 1 : 0 };
      denseSample(step, { kernel: store.get('kernel'), bias: store.get('bias') }, subSlice(hs, i * H, H), logits, tokens, { ...o, outOffset: i });
      denseSample(step, { kernel: store.get('kernel'), bias: store.get('bias') }, subSlice(hs, i * H, H), logits, tokens, { ...o, outOffset: rows + i, firstToken: 1 });
    }
    step.submit();
    const got = await engine.readU32(tokens);
    expect(Array.from(got.subarray(0, rows))).toEqual(Array(rows).fill(0));
    expect(got.subarray(rows)).not.toContain(0);
    for (const x of [hs, logits, tokens]) engine.release(x);
    store.destroy();
  });

  it('rejects a negative temperature, a fractional topK and a firstToken that leaves nothing to draw', async () => {
    const engine = await getTunedEngine('cpu');
    const z = engine.allocate(4, 'z');
    const out = engine.allocate(1, 'out');
    const step = engine.beginStep({ grad: false });
    expect(() => sampleTokens(step, z, out, { rows: 1, V: 4, outOffset: 0, seed: 1, position: 0, temperature: -1 })).toThrow(/temperature must be ≥ 0/);
    expect(() => sampleTokens(step, z, out, { rows: 1, V: 4, outOffset: 0, seed: 1, position: 0, temperature: 1, topK: 1.5 })).toThrow(/topK/);
    // Some token must be left to draw.
    expect(() => sampleTokens(step, z, out, { rows: 1, V: 4, outOffset: 0, seed: 1, position: 0, temperature: 1, firstToken: 4 })).toThrow(/firstToken must be an integer in 0…3/);
    step.abort();
    engine.release(z);
    engine.release(out);
  });
});
