/**
 * One loadModel for every kind: exact resume through it (train n, save, loadModel, train m = train n + m
 * in one run, bitwise) for a layers model, a sentiment model and a language model.
 */
import { describe, expect, it } from 'vitest';
import { sequential } from '../src/layers/sequential';
import { layers } from '../src/layers/specs';
import { createLanguageModel } from '../src/lm/language-model';
import { loadModel } from '../src/load-model';
import { createSentimentModel } from '../src/sentiment/sentiment-model';
import { FIXTURE_DATA } from './fixtures/data';
import { getEngine } from './helpers/gpu';

describe('exact resume through loadModel', () => {
  it('a GRU and SimpleRNN stack (bidirectional reset-after GRU, dropouts): 1 epoch, save, loadModel, 1 more = 2 epochs in one run', async () => {
    const engine = await getEngine();
    const { x, y } = FIXTURE_DATA.layersTrain();
    const make = async () => {
      const m = await sequential(
        [
          layers.embedding({ inputDim: 20, outputDim: 6, maskZero: true, inputShape: [7] }),
          layers.bidirectional({ layer: layers.gru({ units: 5, returnSequences: true, dropout: 0.2, recurrentDropout: 0.1 }) }),
          layers.simpleRNN({ units: 4, recurrentDropout: 0.1 }),
          layers.dense({ units: 3, activation: 'softmax' }),
        ],
        { engine, seed: 22 },
      );
      m.compile(FIXTURE_DATA.layersCompile);
      return m;
    };
    const once = await make();
    await once.fit(x, y, { epochs: 2, batchSize: 16 });
    const first = await make();
    await first.fit(x, y, { epochs: 1, batchSize: 16 });
    const resumed = await loadModel(await first.save(), { engine, kind: 'layers' });
    first.dispose();
    expect(resumed.layers.map((b) => b.layer.className)).toEqual(['Embedding', 'Bidirectional', 'SimpleRNN', 'Dense']);
    await resumed.fit(x, y, { epochs: 1, batchSize: 16 });
    expect(await resumed.getWeights()).toEqual(await once.getWeights());
    once.dispose();
    resumed.dispose();
  });

  it('a layers model: 1 epoch, save, loadModel, 1 more = 2 epochs in one run', async () => {
    const engine = await getEngine();
    const { x, y } = FIXTURE_DATA.layersTrain();
    const make = async () => {
      const m = await sequential(FIXTURE_DATA.layersList(), { engine, seed: 21 });
      m.compile(FIXTURE_DATA.layersCompile);
      return m;
    };
    const once = await make();
    await once.fit(x, y, { epochs: 2, batchSize: 16 });
    const first = await make();
    await first.fit(x, y, { epochs: 1, batchSize: 16 });
    const resumed = await loadModel(await first.save(), { engine });
    first.dispose();
    expect(resumed.kind).toBe('layers');
    if (resumed.kind !== 'layers') return;
    await resumed.fit(x, y, { epochs: 1, batchSize: 16 });
    expect(await resumed.getWeights()).toEqual(await once.getWeights());
    once.dispose();
    resumed.dispose();
  });

  it('a sentiment model (balanced class weights, bucketing): 1 epoch, save, loadModel, 1 more = 2 epochs in one run', async () => {
    const engine = await getEngine();
    const data = FIXTURE_DATA.sentimentTrain();
    const config = { ...FIXTURE_DATA.sentimentConfigs['sentiment-bidirectional'], seed: 23 };
    const once = await createSentimentModel(config, { engine });
    await once.fit(data, { epochs: 2, batchSize: 16 });
    const first = await createSentimentModel(config, { engine });
    await first.fit(data, { epochs: 1, batchSize: 16 });
    const resumed = await loadModel(await first.save(), { engine });
    first.dispose();
    expect(resumed.kind).toBe('sentiment');
    if (resumed.kind !== 'sentiment') return;
    await resumed.fit(data, { epochs: 1, batchSize: 16 });
    expect(await resumed.weights()).toEqual(await once.weights());
    once.dispose();
    resumed.dispose();
  });

  it('a language model: 2 steps, save, loadModel, 2 more = 4 steps in one run', async () => {
    const engine = await getEngine();
    const text = FIXTURE_DATA.lmText;
    const config = { ...FIXTURE_DATA.lmConfig, seed: 29 };
    const once = await createLanguageModel(text, config, { engine });
    once.setText(text);
    await once.fit({ steps: 4, evalEvery: 2, batchSize: 8 });
    const first = await createLanguageModel(text, config, { engine });
    first.setText(text);
    await first.fit({ steps: 2, evalEvery: 2, batchSize: 8 });
    const resumed = await loadModel(await first.save(), { engine });
    first.dispose();
    expect(resumed.kind).toBe('language-model');
    if (resumed.kind !== 'language-model') return;
    resumed.setText(text);
    await resumed.fit({ steps: 2, evalEvery: 2, batchSize: 8 });
    expect(await resumed.model.getWeights()).toEqual(await once.model.getWeights());
    once.dispose();
    resumed.dispose();
  });
});
