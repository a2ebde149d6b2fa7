/**
 * A Keras text classifier brought in with its Tokenizer (withTokenizer): the fixture was made by Keras 3
 * itself (tests/python/make_text_fixture.py: Embedding(mask_zero) → GRU → Dense softmax — also saved in the
 * legacy full-model .h5 layout, gzipped — and
 * tokenizer.to_json()); strings go through the tokenizer as Keras's texts_to_sequences and
 * pad_sequences send them, and the probabilities are Keras's within 1e-5. SentimentModel.fromImported makes
 * the same pair a sentiment model: it fine-tunes, saves a file that loads back as that model, and refuses a
 * network that is not a text classifier in one sentence.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { layers, loadModel, sequential, withTokenizer } from '../src/index';
import { Tokenizer } from '../src/data/tokenizer';
import { SentimentModel } from '../src/sentiment/sentiment-model';
import { expectClose, getEngine } from './helpers/gpu';

const dir = 'tests/fixtures/text';
const expected = JSON.parse(fs.readFileSync(`${dir}/expected.json`, 'utf8')) as { probes: string[]; sequences: number[][]; probabilities: number[][] };
const tokenizerJson = fs.readFileSync(`${dir}/tokenizer.json`, 'utf8');

describe('withTokenizer: a Keras text model takes strings', () => {
  it("tokenises as Keras does and predicts Keras's probabilities", async () => {
    const model = await loadModel(fs.readFileSync(`${dir}/classifier.keras`), { engine: await getEngine(), kind: 'layers' });
    const text = withTokenizer(model, tokenizerJson, { labels: ['negative', 'positive'] });
    expect(text.maxLen).toBe(6);
    // Keras's sequences, padded 'pre' (and truncated 'pre') to 6.
    const pad = (s: number[]) => [...Array(Math.max(0, 6 - s.length)).fill(0), ...s.slice(-6)];
    expect(text.encode(expected.probes)).toEqual(expected.sequences.map(pad));
    expectClose((await text.predict(expected.probes)).flat(), expected.probabilities.flat(), 0, 1e-5, 'probabilities vs Keras');
    expect(await text.label(['a really good film', 'an awful bad plot'])).toEqual(expected.probabilities.slice(0, 2).map((p) => (p[1]! > p[0]! ? 'positive' : 'negative')));
    model.dispose();
  });

  it("the same classifier saved by Keras in the legacy .h5 layout (classifier.h5.gz): as a sentiment model, Keras's probabilities", async () => {
    const net = await loadModel(zlib.gunzipSync(fs.readFileSync(`${dir}/classifier.h5.gz`)), { engine: await getEngine(), kind: 'layers', name: 'classifier.h5' });
    const model = SentimentModel.fromImported(net, Tokenizer.fromKeras(tokenizerJson), { labelNames: ['negative', 'positive'] });
    expectClose((await model.predict(expected.probes)).flat(), expected.probabilities.flat(), 0, 1e-5, 'probabilities vs Keras (.h5)');
    model.dispose();
  });

  it('refuses what is not a word tokenizer of Keras, in one sentence', () => {
    expect(() => Tokenizer.fromKeras('{"class_name": "Sequential"}')).toThrow('not a Keras tokenizer');
    expect(() => Tokenizer.fromKeras('{not json')).toThrow('tokenizer JSON is not valid JSON');
    const char = JSON.parse(tokenizerJson);
    char.config.char_level = true;
    expect(() => Tokenizer.fromKeras(char)).toThrow('char_level=True is not supported');
  });
});

describe('SentimentModel.fromImported: a Keras text classifier as a sentiment model', () => {
  const texts = ['a good film', 'really good acting', 'great fun', 'i loved it', 'a bad film', 'really bad acting', 'awful mess', 'i hated it'];
  const data = { texts, labels: [1, 1, 1, 1, 0, 0, 0, 0], labelNames: ['negative', 'positive'] };

  it("predicts Keras's probabilities, fine-tunes, saves and loads back as the same model", async () => {
    const engine = await getEngine();
    const net = await loadModel(fs.readFileSync(`${dir}/classifier.keras`), { engine, kind: 'layers' });
    const model = SentimentModel.fromImported(net, Tokenizer.fromKeras(tokenizerJson), { labelNames: ['negative', 'positive'] });
    expect(model.origin).toBe('imported');
    expect(model.maxLen).toBe(6);
    expect(model.config.cell).toBe('gru');
    expect(model.config.learningRate).toBe(1e-4);
    expectClose((await model.predict(expected.probes)).flat(), expected.probabilities.flat(), 0, 1e-5, 'probabilities vs Keras');
    // No cleaning of ours: "Good!" and "good" are one word to a Keras tokenizer, and the ids are Keras's.
    expect(Array.from(model.encode(['A really GOOD film!']).ids)).toEqual([0, 0, 5, 7, 2, 6]);
    // Most of these are the sentences Keras trained it on.
    expect((await model.evaluate(data)).accuracy).toBeGreaterThanOrEqual(0.75);
    const history = await model.fit(data, { epochs: 2, batchSize: 4 });
    expect(history.epochs).toHaveLength(2);
    const tuned = await model.predict(expected.probes);
    expect(tuned.flat().every(Number.isFinite)).toBe(true);
    expect(tuned).not.toEqual(expected.probabilities);
    const file = await model.save();
    const back = await loadModel(file, { engine });
    expect(back.kind).toBe('sentiment');
    if (back.kind !== 'sentiment') throw new Error('not a sentiment model');
    expect(back.origin).toBe('imported');
    expect(back.labelNames).toEqual(['negative', 'positive']);
    expect(back.config).toEqual(model.config);
    expect(await back.predict(expected.probes)).toEqual(tuned);
    // Its Keras export is the imported network's layers with the tuned weights.
    const reimported = await loadModel(await back.exportKeras(), { engine, kind: 'layers' });
    const { ids } = back.encode(expected.probes);
    const rows = expected.probes.map((_, i) => Array.from(ids.subarray(i * 6, (i + 1) * 6)));
    expectClose(((await reimported.predict(rows)) as number[][]).flat(), tuned.flat(), 0, 1e-6, 'the exported .keras');
    reimported.dispose();
    back.dispose();
    // The file's configuration describes its layers: one that says otherwise is refused before any GPU work.
    const zip = await JSZip.loadAsync(file);
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
    expect(manifest.preset.network).toBe('imported');
    manifest.preset.config.units = 7;
    zip.file('manifest.json', JSON.stringify(manifest));
    await expect(loadModel(await zip.generateAsync({ type: 'uint8array' }), { engine })).rejects.toThrow('not a valid sentiment model file: its configuration does not describe its layers');
    model.dispose();
  });

  it('a network of free input length pads each call to its longest text until the first fit chooses a length', async () => {
    const engine = await getEngine();
    const net = await sequential([layers.embedding({ inputDim: 30, outputDim: 4, maskZero: true }), layers.lstm({ units: 3 }), layers.dense({ units: 2, activation: 'softmax' })], { engine });
    const model = SentimentModel.fromImported(net, Tokenizer.fromKeras(tokenizerJson), { labelNames: ['negative', 'positive'] });
    expect(model.maxLen).toBeNull();
    expect(model.encode(['good', 'a really good film']).T).toBe(4);
    const unfitted = await loadModel(await model.save(), { engine, kind: 'sentiment' });
    expect(unfitted.maxLen).toBeNull();
    expect(await unfitted.predict(['a good film'])).toEqual(await model.predict(['a good film']));
    unfitted.dispose();
    await model.fit(data, { epochs: 1, batchSize: 4 });
    expect(model.maxLen).toBe(3); // the longest training text ("really good acting", …)
    expect(model.maxLenChoice).toMatchObject({ maxLen: 3, capped: false });
    const back = await loadModel(await model.save(), { engine, kind: 'sentiment' });
    expect(back.maxLen).toBe(3);
    back.dispose();
    model.dispose();
  });

  it('refuses a network that is not a text classifier, a label count that differs and a tokenizer too large, in one sentence each', async () => {
    const engine = await getEngine();
    const tok = Tokenizer.fromKeras(tokenizerJson);
    const forecaster = await loadModel(fs.readFileSync('tests/fixtures/import/keras3-forecaster.keras'), { engine, kind: 'layers' });
    expect(() => SentimentModel.fromImported(forecaster, tok, { labelNames: ['a', 'b'] })).toThrow(/does not take token ids \(its first layer is \w+, not an Embedding\)/);
    forecaster.dispose();
    const tagger = await loadModel(fs.readFileSync('tests/fixtures/import/keras3-tagger.keras'), { engine, kind: 'layers' });
    expect(() => SentimentModel.fromImported(tagger, tok, { labelNames: ['a', 'b', 'c', 'd'] })).toThrow(/does not end in a softmax over classes/);
    tagger.dispose();
    const net = await loadModel(fs.readFileSync(`${dir}/classifier.keras`), { engine, kind: 'layers' });
    expect(() => SentimentModel.fromImported(net, tok, { labelNames: ['a', 'b', 'c'] })).toThrow('has 2 output classes, and 3 label names were given (a, b, c)');
    expect(() => SentimentModel.fromImported(net, tok, { labelNames: ['a', 'b'], maxLen: 9 })).toThrow('reads sequences of 6 token ids, not maxLen 9');
    const big = JSON.parse(tokenizerJson);
    big.config.num_words = 31;
    expect(() => SentimentModel.fromImported(net, Tokenizer.fromKeras(big), { labelNames: ['a', 'b'] })).toThrow("the tokenizer gives ids up to 30, over the embedding's 30 rows");
    net.dispose();
  });
});
