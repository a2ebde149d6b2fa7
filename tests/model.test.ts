import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import JSZip from 'jszip';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_NETWORK, sentimentLayers, sentimentNetwork } from '../src/sentiment/recipe';
import { buildGraph } from '../src/layers/graph';
import { type ModelConfig } from '../src/sentiment/config';
import { createSentimentModel, SentimentModel } from '../src/sentiment/sentiment-model';
import { getEngine } from './helpers/gpu';
import { generatedCorpus } from './helpers/corpus';
import { ASCII_CLEANING } from '../src/data/clean';

/** The generated task in Cyrillic: the same structure, other words. */
function cyrillicCorpus(n: number, seed: string) {
  const c = generatedCorpus(n, seed);
  const map: Record<string, string> = { good: 'хорошо', 'Great!': 'Отлично!', bad: 'плохо', 'AWFUL.': 'УЖАСНО.' };
  const filler = ['фильм', 'еда', 'сервис', 'был', 'очень', 'и', 'место', 'телефон', 'сюжет', 'персонал', 'так', 'это', 'весьма', 'просто', 'там', 'тут'];
  return { ...c, texts: c.texts.map((t) => t.split(' ').map((w, i) => map[w] ?? filler[(w.length * 7 + i) % filler.length]!).join(' ')) };
}

const SMALL: Partial<ModelConfig> = { vocabSize: 40, embedDim: 16, units: 16, learningRate: 0.01, seed: 3 };

let trained: SentimentModel;
const train = generatedCorpus(480, 'train');
const test = generatedCorpus(200, 'test');

beforeAll(async () => {
  await tf.setBackend('cpu');
  trained = await createSentimentModel(SMALL, { engine: await getEngine() });
  await trained.fit(train, { epochs: 4, batchSize: 32 });
});

describe('SentimentModel', () => {
  it('learns text in another script with the default cleaning; the ASCII cleaning stops with a sentence instead of training on nothing', async () => {
    const ru = cyrillicCorpus(480, 'ru-train');
    const model = await createSentimentModel(SMALL, { engine: await getEngine() });
    await model.fit(ru, { epochs: 4, batchSize: 32 });
    expect((await model.evaluate(cyrillicCorpus(200, 'ru-test'))).accuracy).toBeGreaterThan(0.8);
    model.dispose();
    const ascii = await createSentimentModel({ ...SMALL, cleaning: ASCII_CLEANING }, { engine: await getEngine() });
    await expect(ascii.fit(ru, { epochs: 1 })).rejects.toThrow(
      /^480 of 480 training texts are empty after cleaning with the 'ascii' cleaning \(only a–z and 0–9\); .*use the default 'unicode' cleaning/,
    );
    const tiny = await createSentimentModel(SMALL, { engine: await getEngine() });
    await expect(tiny.fit({ texts: ['good', 'bad', 'good bad', 'bad good'], labels: [1, 0, 1, 0], labelNames: ['n', 'p'] }, { epochs: 1 })).rejects.toThrow(
      /only 2 distinct words after cleaning .*at least 10 are needed/,
    );
  });

  it('fit buckets by length unless told not to, like the CLI and the element', async () => {
    // Generated texts have lengths 2–12: bucketing changes which rows share a batch, hence the weights.
    const weightsAfter = async (opts: { bucketing?: boolean }) => {
      const m = await createSentimentModel(SMALL, { engine: await getEngine() });
      await m.fit(train, { epochs: 1, batchSize: 32, ...opts });
      const w = await m.weights();
      m.dispose();
      return [...w.values()].map((a) => Array.from(a));
    };
    const byDefault = await weightsAfter({});
    expect(byDefault).toEqual(await weightsAfter({ bucketing: true }));
    expect(byDefault).not.toEqual(await weightsAfter({ bucketing: false }));
  });

  it('fit reports loss, accuracy, sequences/s and ETA per batch and validation metrics per epoch', async () => {
    const model = await createSentimentModel(SMALL, { engine: await getEngine() });
    const batches: Array<{ loss: number; accuracy: number; sequencesPerSecond: number; etaSeconds: number; batch: number }> = [];
    const history = await model.fit(train, {
      epochs: 2,
      batchSize: 64,
      validationSplit: 0.2,
      bucketing: true,
      onBatchEnd: (b) => batches.push(b),
    });
    expect(history.epochs.length).toBe(2);
    expect(batches.length).toBe(2 * Math.ceil(384 / 64));
    for (const b of batches) {
      expect(Number.isFinite(b.loss) && b.loss > 0).toBe(true);
      expect(b.accuracy).toBeGreaterThanOrEqual(0);
      expect(b.sequencesPerSecond).toBeGreaterThan(0);
      expect(b.etaSeconds).toBeGreaterThanOrEqual(0);
    }
    expect(batches.at(-1)!.etaSeconds).toBe(0);
    expect(history.epochs[1]!.valAccuracy).not.toBeNull();
    expect(history.epochs[1]!.valLoss).toBeGreaterThan(0);
    model.dispose();
  });

  it('learns the generated task: test accuracy and a classification report', async () => {
    const ev = await trained.evaluate(test);
    expect(ev.accuracy).toBeGreaterThan(0.9);
    expect(ev.report.classes.map((c) => c.label)).toEqual(['negative', 'positive']);
    expect(ev.report.confusion.flat().reduce((a, b) => a + b)).toBe(200);
    const [p] = await trained.predict(['the food was good']);
    expect(p![1]).toBeGreaterThan(0.8);
    expect(p![0]! + p![1]!).toBeCloseTo(1, 5);
  });

  it('saliency (gradient × input) singles out the sentiment word', async () => {
    const s = await trained.saliency('the service was awful and the place');
    expect(s.target).toBe(0);
    const top = s.tokens.reduce((a, b) => (Math.abs(b.score) > Math.abs(a.score) ? b : a));
    expect(top.word).toBe('awful');
    expect(s.tokens.map((t) => t.word)).toEqual(['the', 'service', 'was', 'awful', 'and', 'the', 'place']);
  });

  it('early stopping keeps the best epoch by validation loss and stops after `patience` epochs without improvement', async () => {
    const model = await createSentimentModel({ ...SMALL, learningRate: 0.05 }, { engine: await getEngine() });
    const epochs: Array<{ valLoss: number | null }> = [];
    const h = await model.fit(train, { epochs: 12, batchSize: 32, validation: test, earlyStopping: { patience: 2 }, onEpochEnd: (e) => void epochs.push(e) });
    const losses = epochs.map((e) => e.valLoss!);
    const bestEpoch = losses.indexOf(Math.min(...losses)) + 1;
    expect(h.bestEpoch).toBe(bestEpoch);
    if (h.stoppedEarly) expect(epochs.length).toBe(bestEpoch + 2);
    else expect(epochs.length).toBe(12);
    // The weights are those of the best epoch: its validation loss comes back.
    expect((await model.evaluate(test)).loss).toBeCloseTo(losses[bestEpoch - 1]!, 4);
    await expect(model.fit(train, { epochs: 1, earlyStopping: { patience: 1 } })).rejects.toThrow(/needs validation data/);
    model.dispose();
  });

  it('stopping through the signal leaves a consistent model', async () => {
    const model = await createSentimentModel(SMALL, { engine: await getEngine() });
    const ctrl = new AbortController();
    let n = 0;
    const h = await model.fit(train, { epochs: 3, batchSize: 16, signal: ctrl.signal, onBatchEnd: () => ++n === 5 && ctrl.abort() });
    expect(h.stopped).toBe(true);
    expect(h.epochs.length).toBe(0);
    const [p] = await model.predict(['good']);
    expect(p!.every(Number.isFinite)).toBe(true);
    // and training resumes from there
    const h2 = await model.fit(train, { epochs: 1, batchSize: 64 });
    expect(h2.stopped).toBe(false);
    model.dispose();
  });

  it('a diverging loss (orders of magnitude above the first) stops training with a clear error', async () => {
    const model = await createSentimentModel({ ...SMALL, learningRate: 1e4 }, { engine: await getEngine() });
    await expect(model.fit(train, { epochs: 2, batchSize: 32 })).rejects.toThrow(/the loss grew from 0\.69\d to [\d.e+]+, more than 100 times, so the training diverged \(try a lower learning rate or clipNorm\)/);
    model.dispose();
    // (Healthy runs, as every other test here trains, stay within a few times their first loss.)
  });

  it('exports the embedding for the TensorFlow Embedding Projector: one vector per word, the words on the same lines', async () => {
    const { vectorsTsv, metadataTsv } = await trained.exportEmbeddingProjector();
    const vectors = vectorsTsv.trimEnd().split('\n');
    const words = metadataTsv.trimEnd().split('\n');
    // vocabSize 40: ids 1…39, each with a word (the generated corpus has 20 distinct words, so fewer).
    expect(words).toHaveLength(Math.min(39, trained.tokenizer.wordIndex.size));
    expect(vectors).toHaveLength(words.length);
    const table = (await trained.weights()).get('embedding/embeddings')!;
    words.forEach((w, line) => {
      const id = trained.tokenizer.wordIndex.get(w)!;
      expect(id).toBe(line + 1);
      expect(vectors[line]!.split('\t').map(Number)).toEqual(Array.from(table.subarray(id * 16, (id + 1) * 16)));
    });
  });

  it('save() refuses non-finite weights', async () => {
    const model = await SentimentModel.load(await trained.save(), { engine: await getEngine() });
    const w = await model.weights();
    const name = [...w.keys()][0]!;
    const bad = w.get(name)!.slice();
    bad[0] = NaN;
    (model as unknown as { network: { params: { write(n: string, v: Float32Array): void } } }).network.params.write(name, bad);
    await expect(model.save()).rejects.toThrow(/refusing to save: parameter embedding\/embeddings holds NaN or infinite values/);
    model.dispose();
  });

  it('a NaN/Inf loss stops training with a clear error and keeps finite weights', async () => {
    const model = await createSentimentModel({ ...SMALL, learningRate: 1e30 }, { engine: await getEngine() });
    await expect(model.fit(train, { epochs: 2, batchSize: 32 })).rejects.toThrow(/NaN\/Inf.*keeps the weights of the last good step/);
    for (const w of (await model.weights()).values()) expect(w.every(Number.isFinite)).toBe(true);
    model.dispose();
  });

  it('save → load gives identical predictions; malformed files are rejected with a reason', async () => {
    const bytes = await trained.save();
    const back = await SentimentModel.load(bytes, { engine: await getEngine() });
    const texts = ['good movie', 'the staff was bad', 'so so', 'unknownword'];
    expect(await back.predict(texts)).toEqual(await trained.predict(texts));
    expect(back.labelNames).toEqual(trained.labelNames);
    back.dispose();

    const engine = await getEngine();
    await expect(SentimentModel.load(new Uint8Array([1, 2, 3]), { engine })).rejects.toThrow(/not a zip/);
    const zip = await JSZip.loadAsync(bytes);
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
    const tamper = async (edit: (m: typeof manifest, z: JSZip) => void) => {
      const z = await JSZip.loadAsync(bytes);
      const m = JSON.parse(JSON.stringify(manifest));
      edit(m, z);
      z.file('manifest.json', JSON.stringify(m));
      return z.generateAsync({ type: 'uint8array' });
    };
    await expect(SentimentModel.load(await tamper((m) => (m.preset.config.units = 17)), { engine })).rejects.toThrow(/its layers do not match its configuration/);
    await expect(SentimentModel.load(await tamper((m) => (m.format = 'other')), { engine })).rejects.toThrow(/not a model file of webgpu-lstm: its manifest says format "other" version 2/);
    await expect(SentimentModel.load(await tamper((m) => (m.kind = 'layers')), { engine })).rejects.toThrow(/this is a layers model file, not a sentiment model: load it with loadModel/);
    await expect(SentimentModel.load(await tamper((_m, z) => z.file('weights.bin', new Uint8Array(12))), { engine })).rejects.toThrow(/weights\.bin holds 12 bytes/);
    await expect(SentimentModel.load(await tamper((_m, z) => z.remove('weights.bin')), { engine })).rejects.toThrow(/weights\.bin is missing/);
    const rejects = async (edit: (m: typeof manifest) => void, re: RegExp) => expect(SentimentModel.load(await tamper(edit), { engine })).rejects.toThrow(re);
    await rejects((m) => (m.preset.config.cleaning = null), /cleaning configuration is null/);
    await rejects((m) => delete m.weights, /the saved weights do not match the saved layers/);
    await rejects((m) => delete m.preset.tokenizer, /has no tokenizer/);
    await rejects((m) => (m.preset.config.vocabSize = '40'), /vocabSize must be an integer/);
    await rejects((m) => (m.preset.labelNames = ['negative', 'negative']), /labels repeat a name/);
    await rejects((m) => (m.preset.maxLen = 7), /its layers do not match its configuration/);
    // Every layer setting and the compile settings are what the configuration makes.
    await rejects((m) => (m.layers[1].rate = 0.9), /its layers do not match its configuration/);
    await rejects((m) => (m.compile.optimizer.learningRate = 0.5), /its compile settings do not match its configuration/);
    await rejects((m) => (m.preset.config.vocabSize = 3), /its layers do not match its configuration/);
    // A refused file leaves nothing on the GPU, even when it is refused late (its training state is malformed).
    const before = engine.pool.inUseBytes;
    await rejects((m) => (m.preset.tokenizer = { wordCounts: 5 }), /tokenizer|not a valid/);
    await rejects((m) => (m.training.rng = null), /training state is malformed/);
    const shortState = await tamper((_m, z) => z.file('optimizer-m.bin', new Uint8Array(8)));
    await expect(SentimentModel.load(shortState, { engine })).rejects.toThrow(/optimizer-m\.bin holds 8 bytes/);
    // Refused after the weights are on the GPU: an optimizer state sized for another arena.
    const otherArena = await tamper((m, z) => {
      m.training.arena = 16;
      z.file('optimizer-m.bin', new Uint8Array(64));
      z.file('optimizer-v.bin', new Uint8Array(64));
    });
    await expect(SentimentModel.load(otherArena, { engine })).rejects.toThrow(/^not a valid model file: optimizer state of 16 values for an arena of \d+$/);
    expect(engine.pool.inUseBytes).toBe(before);
    const nullManifest = await JSZip.loadAsync(bytes);
    nullManifest.file('manifest.json', 'null');
    await expect(SentimentModel.load(await nullManifest.generateAsync({ type: 'uint8array' }), { engine })).rejects.toThrow(/manifest\.json is not an object/);
    // A model saved before cleaning.keep existed (stripNonAlphanumeric: true) keeps cleaning as it was trained: ASCII only.
    const old = await SentimentModel.load(
      await tamper((m) => {
        const { keep: _keep, ...rest } = m.preset.config.cleaning;
        m.preset.config.cleaning = { ...rest, stripNonAlphanumeric: true };
      }),
      { engine },
    );
    expect(old.config.cleaning.keep).toBe('ascii');
    old.dispose();
    // weights.bin is checked by its declared size before it is inflated: patch the central directory.
    const big = (await tamper(() => {})).slice();
    const view = new DataView(big.buffer);
    for (let p = big.length - 22; p >= 0; p--) {
      if (view.getUint32(p, true) !== 0x02014b50) continue;
      const nameLen = view.getUint16(p + 28, true);
      if (new TextDecoder().decode(big.subarray(p + 46, p + 46 + nameLen)) === 'weights.bin') view.setUint32(p + 24, 1_900_000_000, true);
    }
    await expect(SentimentModel.load(big, { engine })).rejects.toThrow(/^weights\.bin holds 1900000000 bytes; the configuration needs \d+$/);
    // A header that understates the size: the inflation stops past the declared size.
    const needed = (await JSZip.loadAsync(bytes)).file('weights.bin')!;
    const realSize = (await needed.async('uint8array')).length;
    const liar = await tamper((_m, z) => z.file('weights.bin', new Uint8Array(realSize + 100_000)));
    const lv = new DataView(liar.buffer, liar.byteOffset, liar.byteLength);
    for (let p = liar.length - 22; p >= 0; p--) {
      if (lv.getUint32(p, true) !== 0x02014b50) continue;
      const nameLen = lv.getUint16(p + 28, true);
      if (new TextDecoder().decode(liar.subarray(p + 46, p + 46 + nameLen)) === 'weights.bin') lv.setUint32(p + 24, realSize, true);
    }
    await expect(SentimentModel.load(liar, { engine })).rejects.toThrow(`not a saved model: "weights.bin" inflates to more than its declared ${realSize} bytes (a corrupt or malicious zip); rejected`);
    // A saved sequence length the device cannot hold is refused at load, before any GPU work.
    await rejects((m) => {
      m.preset.maxLen = 5_000_000;
      m.layers[0].inputShape = [5_000_000];
    }, /^the model does not fit this GPU: the gates of layer "lstm" \(T × B × 4·16\) for B 1, T 5,000,000 needs .*; lower maxLen or batchSize$/);
  });

  for (const variant of [{ layers: 1, bidirectional: false }, { layers: 2, bidirectional: true }, { layers: 1, bidirectional: false, goBackwards: true }]) {
    it(`exports to the TF.js Layers format and tf.loadLayersModel predicts the same (${JSON.stringify(variant)})`, async () => {
      let model = trained;
      if (variant.layers > 1 || 'goBackwards' in variant) {
        model = await createSentimentModel({ ...SMALL, ...variant }, { engine: await getEngine() });
        await model.fit(train, { epochs: 1, batchSize: 64 });
      }
      const { modelJson, weightsBin } = await model.exportTfjs();
      const json = JSON.parse(JSON.stringify(modelJson));
      const loaded = await tf.loadLayersModel(
        tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: weightsBin.slice().buffer }),
      );
      const texts = test.texts.slice(0, 12);
      const { ids, T } = model.encode(texts);
      const tfProbs = (loaded.predict(tf.tensor2d(Float32Array.from(ids), [texts.length, T])) as tf.Tensor).arraySync() as number[][];
      const ours = await model.predict(texts);
      for (let i = 0; i < texts.length; i++) for (let c = 0; c < 2; c++) expect(Math.abs(ours[i]![c]! - tfProbs[i]![c]!)).toBeLessThan(1e-4);
      if (model !== trained) model.dispose();
    });
  }

  it('exact resume: 1 epoch, save, load, 1 more gives bitwise the weights of 2 epochs in one go (Adam state, dropout and shuffle streams saved)', async () => {
    const engine = await getEngine();
    const cfg = { ...SMALL, seed: 19 };
    const once = await createSentimentModel(cfg, { engine });
    await once.fit(train, { epochs: 2, batchSize: 64 });
    const first = await createSentimentModel(cfg, { engine });
    await first.fit(train, { epochs: 1, batchSize: 64 });
    const resumed = await SentimentModel.load(await first.save(), { engine });
    first.dispose();
    await resumed.fit(train, { epochs: 1, batchSize: 64 });
    expect(await resumed.weights()).toEqual(await once.weights());
    once.dispose();
    resumed.dispose();
  });

  it('a 0.2 bidirectional model file with the weight names of before the preset was built from layers still loads and predicts the same', async () => {
    const engine = await getEngine();
    const bytes = fs.readFileSync(new URL('./fixtures/v0.2/sentiment-bidirectional.zip', import.meta.url));
    const zip = await JSZip.loadAsync(bytes);
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string')) as { format: string; params: Array<{ name: string }> };
    expect(manifest.format).toBe('webgpu-lstm-sentiment');
    // The names files had then: lstm[_l]/{forward,backward}/… (today: bidirectional[_l]/{forward,backward}_lstm[_l]/…).
    const old = (n: string) => n.replace(/^bidirectional(_\d+)?\/(forward|backward)_(lstm(?:_\d+)?)\//, (_m, _l, dir, lstm) => `${lstm}/${dir}/`);
    manifest.params = manifest.params.map((p) => ({ ...p, name: old(p.name) }));
    expect(manifest.params.map((p) => p.name)).toContain('lstm_1/backward/recurrent_kernel');
    zip.file('manifest.json', JSON.stringify(manifest));
    const back = await SentimentModel.load(await zip.generateAsync({ type: 'uint8array' }), { engine });
    const now = await SentimentModel.load(new Uint8Array(bytes), { engine });
    const texts = ['good movie', 'the staff was bad'];
    expect(await back.predict(texts)).toEqual(await now.predict(texts));
    back.dispose();
    now.dispose();
  });

  it('the parameter layout without GPU matches what the preset allocates', async () => {
    const cfg = { ...DEFAULT_NETWORK, vocabSize: 30, embedDim: 4, units: 5, layers: 2, bidirectional: true, numClasses: 3 };
    const net = sentimentNetwork(await getEngine(), cfg);
    expect(buildGraph(sentimentLayers(cfg)).layers.flatMap((b) => b.weights)).toEqual(net.params.specs.map((s) => ({ name: s.name, shape: s.shape })));
    net.dispose();
  });
});
