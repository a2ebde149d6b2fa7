/**
 * Files saved by version 0.2 (tests/fixtures/v0.2, made by tests/fixtures/make-fixtures.ts before the
 * model core was unified) load with today's code and predict what they predicted then; files with their
 * training state continue training to bitwise the weights that 0.2 reached — where the model has no
 * dropout. Dropout masks are drawn on the GPU since (ops/dropout-key.ts), no longer from 0.2's host stream:
 * the files with dropout (the sentiment ones, the layers one) resume from their saved Arc4 dropout state
 * with the draw counter set to their optimizer step, deterministically but with other masks than 0.2
 * drew, so for them the tests check that the continuation is deterministic. Predictions are compared
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
import { openModelZip } from '../src/layers/model-zip';
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

    it(`${name}: one more epoch from the saved training state (0.2's Arc4 dropout stream: the draw counter continues from the optimizer step) is deterministic`, async () => {
      const digests: string[] = [];
      for (let run = 0; run < 2; run++) {
        const model = await SentimentModel.load(file(`${name}.zip`), { engine });
        const before = weightsDigest(await model.weights());
        await model.fit(FIXTURE_DATA.sentimentTrain(), { epochs: 1, batchSize: 16 });
        digests.push(weightsDigest(await model.weights()));
        expect(digests[run]).not.toBe(before);
        model.dispose();
      }
      expect(digests[1]).toBe(digests[0]);
    });
  }

  // The models with dropout draw other masks than 0.2 did (see the file comment): trained from scratch
  // twice with 0.2's seeds and data, they predict the same, bit for bit.
  describe("today's code, trained from scratch with 0.2's seeds and data, is deterministic (models with dropout)", () => {
    for (const [name, config] of Object.entries(FIXTURE_DATA.sentimentConfigs)) {
      it(name, async () => {
        const runs: number[][][] = [];
        for (let run = 0; run < 2; run++) {
          const model = await createSentimentModel(config, { engine });
          await model.fit(FIXTURE_DATA.sentimentTrain(), { epochs: 2, batchSize: 16 });
          runs.push(await model.predict(FIXTURE_DATA.sentimentProbe));
          model.dispose();
        }
        expect(runs[1]).toEqual(runs[0]);
      });
    }
    it('layers model', async () => {
      const { x, y } = FIXTURE_DATA.layersTrain();
      const runs: number[][][] = [];
      for (let run = 0; run < 2; run++) {
        const model = await sequential(FIXTURE_DATA.layersList(), { engine, seed: 7 });
        model.compile(FIXTURE_DATA.layersCompile);
        await model.fit(x, y, { epochs: 2, batchSize: 16 });
        runs.push((await model.predict(FIXTURE_DATA.layersProbe)) as number[][]);
        model.dispose();
      }
      expect(runs[1]).toEqual(runs[0]);
    });
  });

  describe.skipIf(!sameDevice)(`today's code, trained from scratch with 0.2's seeds and data, predicts what 0.2's did, bit for bit (no dropout)${onOtherDevice}`, () => {
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

  it("layers model: one more epoch from the saved training state (0.2's Arc4 dropout stream: the draw counter continues from the optimizer step) is deterministic", async () => {
    const { x, y } = FIXTURE_DATA.layersTrain();
    const digests: string[] = [];
    for (let run = 0; run < 2; run++) {
      const model = await loadModel(file('layers.zip'), { engine, kind: 'layers' });
      const before = weightsDigest(await model.getWeights());
      await model.fit(x, y, { epochs: 1, batchSize: 16 });
      digests.push(weightsDigest(await model.getWeights()));
      expect(digests[run]).not.toBe(before);
      // The counter went on from the file's optimizer step: the new file saves it, the old stream is gone.
      const training = (await openModelZip(await model.save())).manifest['training'] as { optimizerStep: number; rng: Record<string, unknown> };
      expect(training.rng['dropoutDraws']).toBe(training.optimizerStep);
      expect(training.rng['dropout']).toBeUndefined();
      model.dispose();
    }
    expect(digests[1]).toBe(digests[0]);
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
