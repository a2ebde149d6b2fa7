/**
 * Dropout masks drawn on the GPU (shaders/lib/philox.wgsl): the JS reference of the generator against
 * Philox-4x32-10's published known answers; the GPU's masks (filled by dropout_mask.wgsl, drawn where
 * they are applied by dropout_draw.wgsl) equal to the reference's bit for bit; the masks' statistics
 * (drop rate, independence across training steps and streams); a training run's determinism with
 * dropout on; and how saved training states give the draw counter back (new files: saved; files from
 * before: the optimizer step).
 */
import { describe, expect, it } from 'vitest';
import { sequential } from '../src/layers/sequential';
import { layers } from '../src/layers/specs';
import { openModelZip, restoredDropoutDraws } from '../src/layers/model-zip';
import { backpropFrom, dropout, dropoutMaskSlice } from '../src/ops/elementwise';
import { drawParams, dropoutSeed, dropoutStream, type DropoutDraw } from '../src/ops/dropout-key';
import { dropoutMaskRef, philox4x32Ref } from '../src/reference/dropout-rng';
import { getEngine } from './helpers/gpu';
import { Leaves } from './helpers/leaf';

const engine = await getEngine();

/** The masks the GPU fills for these draws, `count` elements each, in one step. */
async function gpuMasks(draws: readonly DropoutDraw[], count: number): Promise<Float32Array[]> {
  const step = engine.beginStep({ grad: false, label: 'dropout masks' });
  const reads = draws.map((d) => step.read(dropoutMaskSlice(step, d, count)));
  step.submit();
  return Promise.all(reads);
}

const key = (draw: number, seed: readonly [number, number] = [0x243f6a88, 0x85a308d3]) => ({ seed, draw });

describe('the dropout generator (Philox-4x32-10)', () => {
  it('the JS reference gives Random123\'s known answers', () => {
    // Random123's kat_vectors for philox4x32_10: (counter, key) → output.
    expect(philox4x32Ref([0, 0, 0, 0], [0, 0])).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
    expect(philox4x32Ref([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff])).toEqual([0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]);
    expect(philox4x32Ref([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0])).toEqual([0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]);
  });

  it('the GPU draws the reference\'s masks bit for bit (several keys, streams, rates and sizes, a draw counter past 2³²)', async () => {
    const cases: Array<[DropoutDraw, number]> = [
      [{ key: key(0), stream: 0, rate: 0.5 }, 1],
      [{ key: key(1), stream: 3, rate: 0.1 }, 63],
      [{ key: key(7, [0xffffffff, 1]), stream: 2 ** 32 - 1, rate: 0.9 }, 1000],
      [{ key: key(2 ** 32 + 5, dropoutSeed(141)), stream: dropoutStream(12, 5), rate: 0.3 }, 4099],
      [{ key: key(123456), stream: 8, rate: 0 }, 77],
    ];
    const got = await gpuMasks(cases.map(([d]) => d), 4099);
    cases.forEach(([d, n], i) => expect(got[i]!.subarray(0, n), JSON.stringify(d)).toEqual(dropoutMaskRef(d, n)));
  });

  // dropout() with a draw: a mask per element (maskRows = rows) is drawn where it is applied
  // (dropout_draw.wgsl); one shared by every timestep (maskRows = B) is filled by dropout_mask.wgsl and
  // read by dropout.wgsl.
  for (const shared of [false, true]) it(`dropout applies, forward and backward, the mask dropout_mask fills: ${shared ? 'shared by every timestep (maskRows = B; dropout_mask + dropout)' : 'a value per element (maskRows = rows; dropout_draw)'}`, async () => {
    const d: DropoutDraw = { key: key(42), stream: 17, rate: 0.25 };
    const T = 6, B = 5, F = 7;
    const n = T * B * F;
    const maskRows = shared ? B : T * B;
    const leaves = new Leaves(engine);
    const x = leaves.tensor([T, B, F], new Float32Array(n).fill(1), 'ones');
    const step = engine.beginStep({ grad: true });
    const y = dropout(step, x, d, maskRows);
    backpropFrom(step, y, new Float32Array(n).fill(1));
    const out = step.read(y.data);
    step.backward();
    const dX = step.read(x.grad!);
    step.submit();
    const m = dropoutMaskRef(d, maskRows * F);
    const expected = new Float32Array(n);
    for (let i = 0; i < n; i += m.length) expected.set(m, i);
    expect(await out).toEqual(expected);
    expect(await dX).toEqual(expected);
    leaves.free();
  });

  it('drop rates within tolerance at 0.1, 0.3 and 0.5; pre-scaled values; masks of consecutive steps and of other streams agree as independent ones would', async () => {
    const N = 100_000;
    for (const rate of [0.1, 0.3, 0.5]) {
      const draws = [{ key: key(10), stream: 4, rate }, { key: key(11), stream: 4, rate }, { key: key(10), stream: 5, rate }];
      const [a, nextStep, otherStream] = await gpuMasks(draws, N);
      expect(new Set(a)).toEqual(new Set([0, Math.fround(1 / (1 - rate))]));
      for (const m of [a!, nextStep!, otherStream!]) {
        // Standard deviation √(p(1−p)/N) ≤ 0.0016: 0.01 is over 6σ.
        expect(Math.abs(m.filter((v) => v === 0).length / N - rate), `rate ${rate}`).toBeLessThan(0.01);
      }
      // Independent masks agree with probability p² + (1 − p)²; neighbours in the element index too.
      const expected = rate * rate + (1 - rate) * (1 - rate);
      const agreement = (u: Float32Array, v: Float32Array, shift = 0) => {
        let same = 0;
        for (let i = 0; i + shift < N; i++) same += Number((u[i] === 0) === (v[i + shift] === 0));
        return same / (N - shift);
      };
      expect(Math.abs(agreement(a!, nextStep!) - expected), `next step, rate ${rate}`).toBeLessThan(0.01);
      expect(Math.abs(agreement(a!, otherStream!) - expected), `other stream, rate ${rate}`).toBeLessThan(0.01);
      expect(Math.abs(agreement(a!, a!, 1) - expected), `neighbouring elements, rate ${rate}`).toBeLessThan(0.01);
    }
  });

  it('a rate outside [0, 1) throws; rate 0 keeps everything', async () => {
    expect(() => drawParams({ key: key(0), stream: 0, rate: 1 })).toThrow(/rate/);
    expect(() => drawParams({ key: key(0), stream: 0, rate: -0.1 })).toThrow(/rate/);
    expect(() => dropoutStream(0, 8)).toThrow(/sub-stream/);
    const [m] = await gpuMasks([{ key: key(3), stream: 0, rate: 0 }], 9);
    expect(m).toEqual(new Float32Array(9).fill(1));
  });
});

describe('dropout in training', () => {
  const list = () => [
    layers.embedding({ inputDim: 20, outputDim: 6, inputShape: [8] }),
    layers.spatialDropout1d({ rate: 0.3 }),
    layers.bidirectional({ layer: layers.lstm({ units: 5, returnSequences: true, dropout: 0.2, recurrentDropout: 0.3 }) }),
    layers.gru({ units: 4, recurrentDropout: 0.2 }),
    layers.dropout({ rate: 0.5 }),
    layers.dense({ units: 2, activation: 'softmax' }),
  ];
  const data = () => {
    const x = Array.from({ length: 24 }, (_, i) => Array.from({ length: 8 }, (_, t) => ((i * 7 + t * 3) % 19) + 1));
    const y = x.map((r) => r[0]! % 2);
    return { x, y };
  };
  async function trained(seed: number, epochs: number) {
    const m = await sequential(list(), { engine, seed });
    m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: { type: 'adam', learningRate: 0.01 } });
    const { x, y } = data();
    await m.fit(x, y, { epochs, batchSize: 8 });
    return m;
  }

  it('the same seed trains to bitwise the same weights on the same device; another seed does not; the draw counter is saved', async () => {
    const a = await trained(5, 2);
    const b = await trained(5, 2);
    const c = await trained(6, 2);
    const wa = await a.getWeights();
    const wb = await b.getWeights();
    const wc = await c.getWeights();
    for (const [name, v] of wa) expect(wb.get(name), name).toEqual(v);
    expect(wc.get('dense/kernel')).not.toEqual(wa.get('dense/kernel'));
    const manifest = (await openModelZip(await a.save())).manifest as { training?: { rng: Record<string, unknown>; optimizerStep: number } };
    // 24 rows in batches of 8, two epochs: six training steps, six draws.
    expect(manifest.training?.rng['dropoutDraws']).toBe(6);
    expect(manifest.training?.rng['dropout']).toBeUndefined();
    for (const m of [a, b, c]) m.dispose();
  });

  it('a saved state gives its draw counter back; a file from before GPU masks (an Arc4 stream state) continues from its optimizer step', () => {
    const base = { m: new Float32Array(1), v: new Float32Array(1), step: 9 };
    expect(restoredDropoutDraws({ ...base, rng: { dropoutDraws: 4, shuffle: {} } })).toBe(4);
    expect(restoredDropoutDraws({ ...base, rng: { dropout: { i: 0, j: 0, S: [] }, shuffle: {} } })).toBe(9);
    expect(() => restoredDropoutDraws({ ...base, rng: { dropoutDraws: -1 } })).toThrow(/dropout draw counter/);
    expect(() => restoredDropoutDraws({ ...base, rng: { shuffle: {} } })).toThrow(/no dropout draw counter/);
  });
});
