/**
 * Prediction's token tables (layers/token-tables.ts): a model whose first recurrent layer reads an
 * embedding's output predicts the same numbers — bit for bit — with its input projection looked up per
 * token as with the GEMM, for every cell, both directions of a Bidirectional, a SpatialDropout1D in
 * between, and after the weights change; the tables are built only when the rule says so, rebuilt after
 * training, and never for a model where something transforms the embedding's output first.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { layers, sequential, type Layer } from '../src/index';
import type { Engine } from '../src/engine/engine';
import { getEngine, getTunedEngine } from './helpers/gpu';

const V = 40;
const T = 6;

/** Token-id rows, zero-padded in front (the last row all real), from a small fixed generator. */
function rows(n: number, seed: number): number[][] {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  return Array.from({ length: n }, (_, r) => {
    const len = r === n - 1 ? T : 2 + Math.floor(next() * (T - 1));
    return Array.from({ length: T }, (_, t) => (t < T - len ? 0 : 1 + Math.floor(next() * (V - 1))));
  });
}

/** Counts the engine's steps that build tables. */
function countTableBuilds(engine: Engine): { count: () => number; restore: () => void } {
  const original = engine.beginStep.bind(engine);
  let n = 0;
  engine.beginStep = (o) => {
    if (o.label === 'token tables') n++;
    return original(o);
  };
  return { count: () => n, restore: () => void (engine.beginStep = original) };
}

const bits = (a: number[][]) => Float32Array.from(a.flat());

describe('token tables', () => {
  let spy: ReturnType<typeof countTableBuilds> | null = null;
  let engine: Engine;
  beforeEach(async () => {
    engine = await getEngine();
    spy = countTableBuilds(engine);
  });
  afterEach(() => spy?.restore());

  const recurrent: Array<[string, () => Layer]> = [
    ['LSTM', () => layers.lstm({ units: 12 })],
    ['GRU (reset after)', () => layers.gru({ units: 8 })],
    ['GRU (reset before)', () => layers.gru({ units: 8, resetAfter: false })],
    ['SimpleRNN', () => layers.simpleRNN({ units: 8 })],
    ['Bidirectional LSTM, sequences summed', () => layers.bidirectional({ layer: layers.lstm({ units: 8, returnSequences: true }), mergeMode: 'sum' })],
    ['LSTM going backwards', () => layers.lstm({ units: 8, goBackwards: true })],
  ];
  for (const [name, layer] of recurrent) {
    it(`${name}: the same predictions bit for bit, built once the rule says so, rebuilt after training`, async () => {
      const model = await sequential([layers.embedding({ inputDim: V, outputDim: 8, maskZero: true }), layers.spatialDropout1d({ rate: 0.3 }), layer(), ...(name.startsWith('Bidirectional') ? [layers.lstm({ units: 5 })] : []), layers.dense({ units: 3, activation: 'softmax' })], { engine, seed: 5 });
      model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: { type: 'adam', learningRate: 0.05 } });
      const small = rows(3, 1); // under V tokens: the GEMM
      const big = rows(20, 2); // over V tokens by itself (20 rows of 2 or more): the tables are built
      const gemmPath = await model.predict(small);
      expect(spy!.count()).toBe(0);
      await model.predict(big);
      expect(spy!.count()).toBe(1);
      const tablePath = await model.predict(small);
      expect(spy!.count()).toBe(1);
      expect(bits(tablePath)).toEqual(bits(gemmPath));

      // Training changes the weights: the tables are out of date and the GEMM is back until the rule is met again.
      await model.fit(big, big.map((_, i) => i % 3), { epochs: 1, batchSize: 12 });
      const trainedGemm = await model.predict(small);
      expect(bits(trainedGemm)).not.toEqual(bits(gemmPath));
      expect(spy!.count()).toBe(1);
      await model.predict(big);
      expect(spy!.count()).toBe(2);
      expect(bits(await model.predict(small))).toEqual(bits(trainedGemm));

      // setWeights changes them too.
      const w = await model.getWeights();
      const e = w.get('embedding/embeddings')!;
      e[V + 1] = e[V + 1]! + 0.5;
      model.setWeights(w);
      const afterSet = await model.predict(big);
      expect(spy!.count()).toBe(3);
      model.dispose();
      const fresh = await sequential([layers.embedding({ inputDim: V, outputDim: 8, maskZero: true }), layers.spatialDropout1d({ rate: 0.3 }), layer(), ...(name.startsWith('Bidirectional') ? [layers.lstm({ units: 5 })] : []), layers.dense({ units: 3, activation: 'softmax' })], { engine, seed: 5 });
      fresh.setWeights(w);
      expect(bits(afterSet)).toEqual(bits(await fresh.predict(big)));
      fresh.dispose();
    });
  }

  it('the gpu-tuned kernels give the same predictions with the tables, whose GEMM takes larger tiles than a sentence\'s', async () => {
    const gpu = await getTunedEngine('gpu', 'timestep');
    const builds = countTableBuilds(gpu);
    try {
      // V 1100 × 4·120 columns: 18 × 8 tiles of 64, enough for matmul_tiled's 4 × 4 blocks; 3 rows take 1 × 1.
      const big = 1100;
      const model = await sequential([layers.embedding({ inputDim: big, outputDim: 8, maskZero: true }), layers.dropout({ rate: 0.5 }), layers.lstm({ units: 120 }), layers.dense({ units: 3, activation: 'softmax' })], { engine: gpu, seed: 9 });
      const small = rows(3, 4).map((r) => r.map((id) => (id * 37) % big));
      const gemmPath = await model.predict(small);
      expect(builds.count()).toBe(0);
      await model.predict(Array.from({ length: 200 }, (_, r) => Array.from({ length: T }, (_, t) => 1 + ((r * 31 + t * 17) % (big - 1)))));
      expect(builds.count()).toBe(1);
      expect(bits(await model.predict(small))).toEqual(bits(gemmPath));
      model.dispose();
    } finally {
      builds.restore();
    }
  });

  it('no tables where a layer transforms the embedding\'s output before the recurrent layer, or where there is no embedding', async () => {
    const dense = await sequential([layers.embedding({ inputDim: V, outputDim: 8 }), layers.timeDistributed({ layer: layers.dense({ units: 6 }) }), layers.lstm({ units: 4 }), layers.dense({ units: 2, activation: 'softmax' })], { engine, seed: 3 });
    await dense.predict(rows(30, 6));
    await dense.predict(rows(30, 7));
    dense.dispose();
    const floats = await sequential([layers.lstm({ units: 4, inputShape: [T, 2] }), layers.dense({ units: 1 })], { engine, seed: 3 });
    await floats.predict(Array.from({ length: 40 }, () => Array.from({ length: T }, () => [0.5, -0.5])));
    floats.dispose();
    expect(spy!.count()).toBe(0);
  });
});
