/**
 * A Keras text classifier brought in with its Tokenizer (withTokenizer): the fixture was made by Keras 3
 * itself (tests/python/make_text_fixture.py: Embedding(mask_zero) → GRU → Dense softmax, and
 * tokenizer.to_json()); strings go through the tokenizer as Keras's texts_to_sequences and
 * pad_sequences send them, and the probabilities are Keras's within 1e-5.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadModel, withTokenizer } from '../src/index';
import { Tokenizer } from '../src/data/tokenizer';
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

  it('refuses what is not a word tokenizer of Keras, in one sentence', () => {
    expect(() => Tokenizer.fromKeras('{"class_name": "Sequential"}')).toThrow('not a Keras tokenizer');
    expect(() => Tokenizer.fromKeras('{not json')).toThrow('tokenizer JSON is not valid JSON');
    const char = JSON.parse(tokenizerJson);
    char.config.char_level = true;
    expect(() => Tokenizer.fromKeras(char)).toThrow('char_level=True is not supported');
  });
});
