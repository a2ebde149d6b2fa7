/**
 * Files saved by version 0.2 (tests/fixtures/v0.2, made by tests/fixtures/make-fixtures.ts before the
 * model core was unified) load with today's code and predict what they predicted then; files with their
 * training state continue training to bitwise the weights that 0.2 reached. Predictions are compared
 * exactly on the adapter and kernel tuning that made the files (SwiftShader, cpu-tuned), within 1e-5
 * elsewhere; the weight digests only where the adapter is the same (other float hardware rounds otherwise).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../src/load-model';
import { LanguageModel } from '../src/lm/language-model';
import { createSentimentModel, SentimentModel } from '../src/sentiment/sentiment-model';
import { sequential } from '../src/layers/sequential';
import { createLanguageModel } from '../src/lm/language-model';
import { FIXTURE_DATA, weightsDigest } from './fixtures/data';
import { getEngine } from './helpers/gpu';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/v0.2');
const file = (name: string) => new Uint8Array(fs.readFileSync(path.join(DIR, name)));
const expected = JSON.parse(fs.readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as Record<string, { predictions: number[][]; afterOneMoreEpoch?: string; afterTwoMoreSteps?: string }> & { adapter: string; tuning: string };

const engine = await getEngine();
const sameDevice = engine.gpu.adapterInfo.description === expected.adapter && engine.tuning === expected.tuning;

function expectSamePredictions(got: number[][], want: number[][]): void {
  if (sameDevice) {
    expect(got).toEqual(want);
    return;
  }
  expect(got.length).toBe(want.length);
  got.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - want[i]![j]!)).toBeLessThan(1e-5)));
}

const onOtherDevice = sameDevice ? '' : ` [skipped: the files were made on ${expected.adapter} (${expected.tuning}-tuned), this is ${engine.gpu.adapterInfo.description} (${engine.tuning}-tuned)]`;

describe('model files saved by version 0.2', () => {
  for (const name of Object.keys(FIXTURE_DATA.sentimentConfigs)) {
    it(`${name}: with and without the optimizer state, loads and predicts as it did`, async () => {
      for (const f of [`${name}.zip`, `${name}-light.zip`]) {
        const model = await SentimentModel.load(file(f), { engine });
        expectSamePredictions(await model.predict(FIXTURE_DATA.sentimentProbe), expected[name]!.predictions);
        model.dispose();
      }
    });

    it.skipIf(!sameDevice)(`${name}: one more epoch from the saved training state reaches 0.2's weights bit for bit${onOtherDevice}`, async () => {
      const model = await SentimentModel.load(file(`${name}.zip`), { engine });
      await model.fit(FIXTURE_DATA.sentimentTrain(), { epochs: 1, batchSize: 16 });
      expect(weightsDigest(await model.weights())).toBe(expected[name]!.afterOneMoreEpoch);
      model.dispose();
    });
  }

  describe.skipIf(!sameDevice)(`today's code, trained from scratch with 0.2's seeds and data, predicts what 0.2's did, bit for bit${onOtherDevice}`, () => {
    for (const [name, config] of Object.entries(FIXTURE_DATA.sentimentConfigs)) {
      it(name, async () => {
        const model = await createSentimentModel(config, { engine });
        await model.fit(FIXTURE_DATA.sentimentTrain(), { epochs: 2, batchSize: 16 });
        expect(await model.predict(FIXTURE_DATA.sentimentProbe)).toEqual(expected[name]!.predictions);
        model.dispose();
      });
    }
    it('layers model', async () => {
      const { x, y } = FIXTURE_DATA.layersTrain();
      const model = await sequential(FIXTURE_DATA.layersList(), { engine, seed: 7 });
      model.compile(FIXTURE_DATA.layersCompile);
      await model.fit(x, y, { epochs: 2, batchSize: 16 });
      expect(await model.predict(FIXTURE_DATA.layersProbe)).toEqual(expected.layers!.predictions);
      model.dispose();
    });
    it('language model', async () => {
      const lm = await createLanguageModel(FIXTURE_DATA.lmText, FIXTURE_DATA.lmConfig, { engine });
      lm.setText(FIXTURE_DATA.lmText);
      await lm.fit({ steps: 4, evalEvery: 2, batchSize: 8 });
      expect(await lm.model.predict(FIXTURE_DATA.lmProbe(lm.vocab))).toEqual(expected.lm!.predictions);
      lm.dispose();
    });
  });

  it('layers model: with and without the optimizer state, loads and predicts as it did', async () => {
    for (const f of ['layers.zip', 'layers-light.zip']) {
      const model = await loadModel(file(f), { engine, kind: 'layers' });
      expectSamePredictions(await model.predict(FIXTURE_DATA.layersProbe), expected.layers!.predictions);
      model.dispose();
    }
  });

  it('loadModel reads every 0.2 file and answers with the right kind of model', async () => {
    const kinds: Record<string, string> = { 'sentiment.zip': 'sentiment', 'sentiment-bidirectional-light.zip': 'sentiment', 'layers.zip': 'layers', 'lm-light.zip': 'language-model' };
    for (const [f, kind] of Object.entries(kinds)) {
      const m = await loadModel(file(f), { engine });
      expect(m.kind, f).toBe(kind);
      m.dispose();
    }
  });

  it('loadModel takes a URL too (here a data: URL); a file path is answered with what to do instead', async () => {
    const bytes = file('lm-light.zip');
    const url = `data:application/zip;base64,${Buffer.from(bytes).toString('base64')}`;
    const lm = await loadModel(url, { engine, kind: 'language-model' });
    expect(lm.vocab.size).toBeGreaterThan(10);
    lm.dispose();
    await expect(loadModel(path.join(DIR, 'lm.zip'), { engine })).rejects.toThrow(/is not an http\(s\), blob: or data: URL; give the file's bytes \(in Node: fs\.readFileSync\(path\)\)/);
  });

  it.skipIf(!sameDevice)(`layers model: one more epoch from the saved training state reaches 0.2's weights bit for bit${onOtherDevice}`, async () => {
    const model = await loadModel(file('layers.zip'), { engine, kind: 'layers' });
    const { x, y } = FIXTURE_DATA.layersTrain();
    await model.fit(x, y, { epochs: 1, batchSize: 16 });
    expect(weightsDigest(await model.getWeights())).toBe(expected.layers!.afterOneMoreEpoch);
    model.dispose();
  });

  it('language model: with and without the optimizer state, loads and predicts as it did', async () => {
    for (const f of ['lm.zip', 'lm-light.zip']) {
      const lm = await LanguageModel.load(file(f), { engine });
      expectSamePredictions(await lm.model.predict(FIXTURE_DATA.lmProbe(lm.vocab)), expected.lm!.predictions);
      lm.dispose();
    }
  });

  it.skipIf(!sameDevice)(`language model: two more steps from the saved training state reach 0.2's weights bit for bit${onOtherDevice}`, async () => {
    const lm = await LanguageModel.load(file('lm.zip'), { engine });
    lm.setText(FIXTURE_DATA.lmText);
    await lm.fit({ steps: 2, evalEvery: 2, batchSize: 8 });
    expect(weightsDigest(await lm.model.getWeights())).toBe(expected.lm!.afterTwoMoreSteps);
    lm.dispose();
  });
});
