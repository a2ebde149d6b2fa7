/**
 * The controller behind <lstm-trainer>, in Node on Dawn: dataset errors keep the previous dataset, and
 * a device lost mid-training keeps the last completed epoch's weights and resumes from them on a new device.
 * "Load a model" takes a Keras text classifier with its tokenizer (tests/fixtures/text, made by Keras 3:
 * tests/python/make_text_fixture.py), or the same network as a TF.js model.json with its shard.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import { type Engine } from '../src/engine/engine';
import { createEngine } from '../src/ops/create-engine';
import { TrainerController, type EpochPoint } from '../src/component/trainer-controller';
import { generatedCorpus } from './helpers/corpus';
import type { ModelShelf } from '../src/component/model-shelf';
import { memoryShelf } from './helpers/memory-shelf';
import { layers, sequential } from '../src/index';
import { withoutHdf5 } from '../src/component/model-files';
import { expectClose } from './helpers/gpu';

const host = { addController() {}, removeController() {}, requestUpdate() {}, updateComplete: Promise.resolve(true) };

function csvBytes(n: number): Uint8Array {
  const c = generatedCorpus(n, 'ctrl');
  return new TextEncoder().encode(Papa.unparse(c.texts.map((t, i) => ({ text: t, label: c.labelNames[c.labels[i]!] }))));
}

const SETTINGS = { epochs: 3, batchSize: 32, bucketing: true, patience: 0, config: { vocabSize: 40, embedDim: 8, units: 8, learningRate: 0.02, seed: 5 } };

describe('TrainerController', () => {
  it('a bad file reports one error and keeps the dataset that was loaded', async () => {
    const errors: string[] = [];
    const c = new TrainerController(host, { datasetLoaded() {}, epochEnd() {}, trainEnd() {}, error: (m) => errors.push(m) }, () => createEngine());
    c.hostConnected();
    await c.ready;
    expect(await c.loadBytes(csvBytes(100), 'good.csv')).toBe(true);
    expect(await c.loadBytes(new TextEncoder().encode('text,label\na,x\nb,x\n'), 'one-class.csv')).toBe(false);
    expect(errors.at(-1)).toMatch(/only one class/);
    expect(c.datasetSource).toBe('good.csv');
    expect(c.dataset!.info.rows).toBe(100);
    c.hostDisconnected();
  });

  it('by default the epoch is chosen on the validation split (early stopping, best weights kept) and the test split is evaluated once', async () => {
    const c = new TrainerController(host, { datasetLoaded() {}, epochEnd() {}, trainEnd() {}, error() {} }, () => createEngine());
    c.hostConnected();
    await c.ready;
    expect(await c.loadBytes(csvBytes(300), 'good.csv')).toBe(true);
    let evaluations = 0;
    const tracked = c as unknown as { finish: (...a: unknown[]) => Promise<void> };
    const finish = tracked.finish.bind(c);
    tracked.finish = (...a) => {
      evaluations++;
      return finish(...a);
    };
    // A learning rate high enough to overfit this small set within a few epochs.
    await c.train({ ...SETTINGS, epochs: 8, patience: 1, config: { ...SETTINGS.config, learningRate: 0.05 } });
    expect(c.status).toBe('trained');
    expect(evaluations).toBe(1);
    const valLosses = c.epochs.map((e) => e.valLoss!);
    expect(valLosses.every(Number.isFinite)).toBe(true);
    // Kept: the epoch with the lowest validation loss, whatever epoch training stopped at.
    expect(c.keptEpoch).toBe(valLosses.indexOf(Math.min(...valLosses)) + 1);
    c.hostDisconnected();
  });

  it('device lost mid-training: keeps the last completed epoch and resumes from it on a new device', async () => {
    const engines: Engine[] = [];
    const epochs: EpochPoint[] = [];
    const errors: string[] = [];
    let lose: (() => void) | null = null;
    const c = new TrainerController(
      host,
      {
        datasetLoaded() {},
        epochEnd: (p) => {
          epochs.push(p);
          if (p.epoch === 1) lose?.();
        },
        trainEnd() {},
        error: (m) => errors.push(m),
      },
      async () => {
        const e = await createEngine();
        engines.push(e);
        return e;
      },
    );
    c.hostConnected();
    await c.ready;
    await c.loadBytes(csvBytes(400), 'data.csv');
    // Lose the device right after epoch 1 has been saved.
    lose = () => {
      lose = null;
      setTimeout(() => engines[0]!.device.destroy(), 0);
    };
    await c.train(SETTINGS);
    // The loss is reported by an event after the destroy: wait for it (up to a minute on a loaded machine).
    for (let i = 0; i < 3000 && c.status !== 'device-lost'; i++) await new Promise((r) => setTimeout(r, 20));
    expect(c.status, String(c.error)).toBe('device-lost');
    expect(c.error).toMatch(/lost.*weights of epoch 1 are kept/);
    await c.resume();
    expect(engines.length).toBe(2);
    expect(c.status).toBe('trained');
    expect(c.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(c.evaluation!.accuracy).toBeGreaterThan(0.5);
    await c.predict('the food was good');
    expect(c.prediction!.probabilities.length).toBe(2);
    c.hostDisconnected();
  });

  it('saves the run after every epoch; after a "reload" it resumes from the shelf exactly: 2 + 2 epochs equal 4 in one go, bitwise', async () => {
    const events = { datasetLoaded() {}, epochEnd() {}, trainEnd() {}, error() {} };
    const page = async (shelf: ModelShelf | null) => {
      const c = new TrainerController(host, events, () => createEngine(), shelf);
      c.hostConnected();
      await c.ready;
      expect(await c.loadBytes(csvBytes(300), 'data.csv')).toBe(true);
      return c;
    };
    const settings = { ...SETTINGS, epochs: 4 };
    const straight = await page(null);
    await straight.train(settings);
    expect(straight.status).toBe('trained');
    const want = await straight.model!.weights();
    const wantAccuracy = straight.evaluation!.accuracy;
    straight.hostDisconnected();

    const shelf = memoryShelf();
    const first = await page(shelf);
    await first.train({ ...settings, epochs: 2 });
    expect(first.saved).toHaveLength(1);
    expect(first.saved[0]).toMatchObject({ dataset: 'data.csv', epoch: 2, epochs: 2, finished: true });
    first.hostDisconnected();

    // A new page on the same storage: it lists the model, refuses to resume on another dataset, then resumes.
    const second = await page(shelf);
    expect(second.saved.map((m) => m.epoch)).toEqual([2]);
    const id = second.saved[0]!.id;
    expect(await second.loadBytes(csvBytes(200), 'other.csv')).toBe(true);
    await second.resumeSaved(id, 4);
    expect(second.error).toMatch(/was trained on data\.csv: load that dataset first/);
    expect(await second.loadBytes(csvBytes(300), 'data.csv')).toBe(true);
    await second.resumeSaved(id, 2);
    expect(second.error).toMatch(/set Epochs above 2/);
    await second.resumeSaved(id, 4);
    expect(second.status, String(second.error)).toBe('trained');
    expect(second.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    const got = await second.model!.weights();
    for (const [name, v] of want) expect(got.get(name), name).toEqual(v);
    expect(second.evaluation!.accuracy).toBe(wantAccuracy);
    expect(second.saved).toHaveLength(1);
    expect(second.saved[0]).toMatchObject({ epoch: 4, epochs: 4, finished: true, testAccuracy: wantAccuracy });
    // Use, download and delete.
    expect(await second.useSaved(id)).toBe(true);
    expect((await second.savedBytes(id))!.length).toBeGreaterThan(1000);
    await second.deleteSaved(id);
    expect(second.saved).toEqual([]);
    second.hostDisconnected();
  });

  it('a storage failure is shown and training goes on', async () => {
    const errors: string[] = [];
    const failing: ModelShelf = { ...memoryShelf(), put: async () => Promise.reject(new Error('could not save "x" in the browser: the browser has no more storage for this site')) };
    const c = new TrainerController(host, { datasetLoaded() {}, epochEnd() {}, trainEnd() {}, error: (m) => errors.push(m) }, () => createEngine(), failing);
    c.hostConnected();
    await c.ready;
    await c.loadBytes(csvBytes(200), 'data.csv');
    await c.train({ ...SETTINGS, epochs: 2 });
    expect(c.status).toBe('trained');
    expect(c.storageError).toMatch(/no more storage.*training goes on/);
    expect(errors.some((m) => /no more storage/.test(m))).toBe(true);
    c.hostDisconnected();
  });

  it('"Load a model" takes a Keras .keras or a TF.js model.json with the Keras tokenizer JSON: it classifies text, and is evaluated when the dataset\'s labels fit', async () => {
    const dir = 'tests/fixtures/text';
    const expected = JSON.parse(fs.readFileSync(`${dir}/expected.json`, 'utf8')) as { probes: string[]; sequences: number[][]; probabilities: number[][] };
    const file = (name: string, path = `${dir}/${name}`) => ({ name, bytes: new Uint8Array(fs.readFileSync(path)) });
    const errors: string[] = [];
    const c = new TrainerController(host, { datasetLoaded() {}, epochEnd() {}, trainEnd() {}, error: (m) => errors.push(m) }, () => createEngine());
    c.hostConnected();
    await c.ready;
    // Without its tokenizer, or a tokenizer alone: one sentence each, and no model.
    expect(await c.loadModelFiles([file('classifier.keras')])).toBe(false);
    expect(errors.at(-1)).toBe('classifier.keras is a Keras or TF.js model that reads token ids: add the Keras tokenizer JSON it was trained with (tokenizer.to_json() saved to a file, e.g. tokenizer.json), choosing both files together');
    expect(await c.loadModelFiles([file('tokenizer.json')])).toBe(false);
    expect(errors.at(-1)).toMatch(/^tokenizer\.json is a Keras tokenizer: choose it together with the model it belongs to/);
    expect(c.modelLabels).toBeNull();

    // With it (no dataset yet): the classes are the output units' numbers, and the try-it box gives Keras's probabilities.
    expect(await c.loadModelFiles([file('tokenizer.json'), file('classifier.keras')])).toBe(true);
    expect(c.error).toBeNull();
    expect(c.modelLabels).toEqual(['0', '1']);
    await c.predict(expected.probes[0]!);
    expectClose(c.prediction!.probabilities, expected.probabilities[0]!, 0, 1e-5, 'the try-it box vs Keras');
    expect(c.prediction!.tokens.map((t) => t.word)).toEqual(['a', 'really', 'good', 'film']);

    // A dataset with as many labels: they name the classes (sorted), and the test split is evaluated.
    const good = ['a good film', 'really good acting', 'great fun', 'I loved it!'];
    const bad = ['a bad film', 'really bad acting', 'awful mess', 'I hated it!'];
    const csv = ['text,label', ...Array.from({ length: 40 }, (_, i) => (i % 2 ? `"${bad[i % 4]}",neg` : `"${good[i % 4]}",pos`))].join('\n');
    expect(await c.loadBytes(new TextEncoder().encode(csv), 'reviews.csv')).toBe(true);
    // Here through what the page sends its Worker for a Keras file (the HDF5 read in the page: the network as a layers file of ours).
    const sent = await withoutHdf5([file('classifier.keras'), file('tokenizer.json')]);
    expect(sent.map((f) => f.name)).toEqual(['classifier.keras', 'tokenizer.json']);
    expect(sent[0]!.bytes).not.toEqual(file('classifier.keras').bytes);
    expect(await c.loadModelFiles(sent)).toBe(true);
    expect(c.modelLabels).toEqual(['neg', 'pos']);
    expect(c.status).toBe('trained');
    expect(c.evaluation!.accuracy).toBeGreaterThanOrEqual(0.75);
    await c.predict(expected.probes[3]!);
    expectClose(c.prediction!.probabilities, expected.probabilities[3]!, 0, 1e-5, 'the page-read Keras file vs Keras');

    // A TF.js model.json with its shard (TF.js cannot hold Keras's default GRU: an LSTM text classifier here), chosen with the tokenizer.
    const net = await sequential([layers.embedding({ inputDim: 30, outputDim: 4, maskZero: true, inputShape: [6] }), layers.lstm({ units: 3 }), layers.dense({ units: 2, activation: 'softmax' })], { engine: c.model!.engine, seed: 3 });
    const { modelJson, weightsBin } = await net.exportTfjs();
    const pad = (q: number[]) => [...Array(6 - q.length).fill(0), ...q];
    const want = (await net.predict([pad(expected.sequences[1]!)])) as number[][];
    net.dispose();
    const tfjs = [{ name: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(modelJson)) }, { name: 'weights.bin', bytes: weightsBin }, file('tokenizer.json')];
    expect(await c.loadModelFiles(tfjs), String(c.error)).toBe(true);
    expect(c.modelLabels).toEqual(['neg', 'pos']);
    await c.predict(expected.probes[1]!);
    expectClose(c.prediction!.probabilities, want[0]!, 0, 1e-6, 'the TF.js files');
    // The loaded model saves as this library's file, which loads back (with no tokenizer beside it).
    const saved = (await c.saveModel())!;
    expect(await c.loadModel(saved)).toBe(true);
    expect(c.modelLabels).toEqual(['neg', 'pos']);
    // A file of ours with a tokenizer beside it: one sentence.
    expect(await c.loadModelFiles([{ name: 'mine.zip', bytes: saved }, file('tokenizer.json')])).toBe(false);
    expect(errors.at(-1)).toBe('mine.zip is a sentiment model of webgpu-lstm with its own tokenizer: load it without tokenizer.json');
    c.hostDisconnected();
  });
});
