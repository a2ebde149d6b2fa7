/**
 * Language modelling on the layers API: the vocabulary, the text checked (not text refused, invalid
 * UTF-8 counted), training on windows with next-token targets, validation in nats/bits per token, and
 * generation on the GPU (state carried, sampling on the GPU, never the unknown token) agreeing with the
 * model's own forward pass.
 */
import { describe, expect, it } from 'vitest';
import { DatasetError } from '../src/data/errors';
import { generateTokens } from '../src/lm/generate';
import { createLanguageModel, LanguageModel } from '../src/lm/language-model';
import { checkLanguageText, describeReading, readLanguageText } from '../src/lm/text';
import { Vocabulary } from '../src/lm/vocab';
import { getEngine, getTunedEngine, rng } from './helpers/gpu';

const SENTENCE = 'the quick brown fox jumps over the lazy dog. ';
const TEXT = SENTENCE.repeat(80);

function unigramEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / text.length) * Math.log(n / text.length);
  return h;
}

describe('vocabulary', () => {
  it('characters by frequency (ties by first appearance) from id 1; unknown is 0; words keep spaces and punctuation', () => {
    const v = Vocabulary.fromText('abracadabra!');
    expect(v.tokens).toEqual(['a', 'b', 'r', 'c', 'd', '!']);
    expect(Array.from(v.encode('bad?'))).toEqual([2, 1, 5, 0]);
    expect(v.decode(v.encode('bad?'))).toBe('bad\uFFFD');
    const w = Vocabulary.fromText("It's late, isn't it? It is.", 'word');
    expect(w.decode(w.encode("It's late, isn't it? It is."))).toBe("It's late, isn't it? It is.");
    expect(w.tokens).toContain("isn't");
    expect(Vocabulary.fromJSON(JSON.parse(JSON.stringify(w.toJSON()))).tokens).toEqual(w.tokens);
    expect(() => Vocabulary.fromText('')).toThrow(/empty/);
  });

  it('names the distinct tokens a text has that the vocabulary lacks, in order of appearance', () => {
    expect(Vocabulary.fromText('abracadabra!').unknownTokens('bad?é?rß')).toEqual(['?', 'é', 'ß']);
    expect(Vocabulary.fromText("It's late, isn't it? It is.", 'word').unknownTokens("It's early, isn't it? Early!")).toEqual(['early', 'Early', '!']);
    expect(Vocabulary.fromText('abc').unknownTokens('cab')).toEqual([]);
  });
});

/** Invalid UTF-8 sequences (as one lenient decode replaces them) and control characters but tab, LF, CR, as a share of the characters. */
function notTextShare(bytes: Uint8Array): number {
  const chars = [...new TextDecoder().decode(bytes)];
  return chars.filter((c) => c === '\uFFFD' || (/\p{Cc}/u.test(c) && !'\t\n\r'.includes(c))).length / chars.length;
}

describe("a language model's text", () => {
  const random = (n: number, seed: string) => {
    const r = rng(seed);
    return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
  };

  it('bytes that are mostly not text are refused with the share found, before any GPU work; so is such a string', async () => {
    const bin = random(200_000, 'binary');
    const percent = Math.floor(100 * notTextShare(bin));
    expect(percent).toBeGreaterThanOrEqual(50);
    const message = `x.bin does not look like text: ${percent}% of it is invalid UTF-8 or control characters; a language model needs text (UTF-8, or UTF-16 with a byte-order mark)`;
    await expect(readLanguageText(bin, 'x.bin')).rejects.toThrow(new DatasetError(message));
    await expect(createLanguageModel(bin, { seqLen: 8 }, { engine: await getEngine() })).rejects.toThrow(/^the file does not look like text: \d+% of it is invalid UTF-8 or control characters/);
    // A string decoded leniently elsewhere: its U+FFFD characters are all that is left of the bytes.
    const decoded = new TextDecoder().decode(bin);
    expect(() => checkLanguageText(decoded)).toThrow(/^the string does not look like text: \d+% of it is replacement characters \(U\+FFFD\) or control characters/);
    await expect(createLanguageModel(decoded, { seqLen: 8 }, { engine: await getEngine() })).rejects.toThrow(DatasetError);
    // Text in a legacy encoding whose letters are all outside ASCII: refused, with the encoding it probably is.
    const russian = 'Мороз и солнце; день чудесный! Еще ты дремлешь, друг прелестный. '.repeat(40);
    const cp1251 = Uint8Array.from(russian, (c) => (c.charCodeAt(0) >= 0x410 && c.charCodeAt(0) <= 0x44f ? 0xc0 + c.charCodeAt(0) - 0x410 : c === 'Ё' ? 0xa8 : c === 'ё' ? 0xb8 : c.charCodeAt(0)));
    await expect(readLanguageText(cp1251, 'ru.txt')).rejects.toThrow(/^ru\.txt does not look like text: \d+% of it is invalid UTF-8; it may be text in windows-1251 \(Cyrillic\): re-save it as UTF-8$/);
  });

  it('a few invalid bytes are counted, with the likely encoding, and the text trains; control characters are counted; UTF-16 keeps its own U+FFFD', async () => {
    // 4 accented letters in 45, each one byte in Latin-1: invalid UTF-8.
    const latin1 = Uint8Array.from('a café, a crème brûlée and the bill, please. '.repeat(50), (c) => c.charCodeAt(0));
    const t = await readLanguageText(latin1, 'menu.txt');
    expect(t).toMatchObject({ characters: 45 * 50, replacementChars: 4 * 50, controlChars: 0, encoding: 'utf-8', likelyEncoding: 'ISO-8859-1 (Latin-1) or windows-1252' });
    expect(describeReading(t)).toBe('; 200 invalid UTF-8 sequences replaced (the file looks like ISO-8859-1 (Latin-1) or windows-1252: re-save it as UTF-8 to keep those characters)');
    const lm = await createLanguageModel(latin1, { seqLen: 8, units: 8, embedDim: 4 }, { engine: await getEngine() });
    expect(lm.vocab.tokens).toContain('\uFFFD');
    lm.dispose();
    // UTF-8 with three stray bytes and a control character (a form feed).
    const text = new TextEncoder().encode('the quick brown fox jumps over the lazy dog.\f\n'.repeat(20));
    const bad = Uint8Array.from([...text.subarray(0, 100), 0xff, ...text.subarray(100, 200), 0xc3, 0x28, ...text.subarray(200), 0x80]);
    expect(await readLanguageText(bad)).toMatchObject({ replacementChars: 3, controlChars: 20, encoding: 'utf-8', likelyEncoding: 'windows-1252' });
    expect(await readLanguageText(text)).toMatchObject({ replacementChars: 0, controlChars: 20, likelyEncoding: null });
    // Valid UTF-8 holding U+FFFD, and UTF-16 with a byte-order mark holding U+FFFD: the file's own characters, not replacements.
    expect(await readLanguageText(new TextEncoder().encode('a\uFFFDb'))).toMatchObject({ replacementChars: 0, characters: 3 });
    const le = new Uint8Array(2 + 2 * 6);
    le.set([0xff, 0xfe]);
    [...'ab\uFFFDcd\n'].forEach((c, i) => new DataView(le.buffer).setUint16(2 + 2 * i, c.charCodeAt(0), true));
    const u16 = await readLanguageText(le);
    expect(u16).toMatchObject({ text: 'ab\uFFFDcd\n', replacementChars: 0, encoding: 'utf-16le', likelyEncoding: null });
    expect(describeReading(u16)).toBe('; read as UTF-16LE (byte-order mark)');
  });
});

describe('the unknown token is never generated', () => {
  it('not even when the output layer favours it: fused and separate kernels, one and two layers, cpu- and gpu-tuned, greedy, sampled and top-K', async () => {
    const engine = await getEngine();
    const favourUnknown = async (lm: LanguageModel) => {
      // The dense layer's bias is the last bias in layer order; id 0's logit 60 above the rest.
      const w = await lm.model.getWeights();
      const name = [...w.keys()].filter((k) => k.endsWith('/bias')).at(-1)!;
      const bias = w.get(name)!;
      bias[0] = 60;
      lm.model.setWeights(new Map([[name, bias]]));
    };
    const settings = [{ temperature: 0 }, { temperature: 1, seed: 3 }, { temperature: 1.5, topK: 3, seed: 4 }, { temperature: 1, topK: 1, seed: 5 }];
    for (const layers of [1, 2]) {
      const lm = await createLanguageModel(TEXT, { seqLen: 8, units: 12, embedDim: 6, layers, seed: 21 }, { engine });
      await favourUnknown(lm);
      // Without the exclusion the unknown token is what the model draws.
      const free = await generateTokens(lm.model, lm.vocab.encode('the'), { length: 20, temperature: 1, seed: 3 });
      expect(Array.from(free.subarray(3)).filter((t) => t === 0).length, `${layers} layers, unknown allowed`).toBe(20);
      const models = [lm];
      if (layers === 1) models.push(await LanguageModel.load(await lm.save(), { engine: await getTunedEngine('gpu', 'timestep') }));
      for (const m of models) {
        for (const o of settings) {
          for (const fuse of [true, false]) {
            const text = await m.generate('the', { length: 60, chunk: 16, fuse, ...o });
            expect(text, `${layers} layers, ${m.model.engine.tuning}-tuned, fuse ${fuse}, ${JSON.stringify(o)}`).not.toContain('\uFFFD');
            expect([...text].length).toBe(60);
          }
        }
      }
      for (const m of models) m.dispose();
    }
  }, 120_000);
});

describe('generation on the GPU agrees with the training forward pass', () => {
  it('a 2-layer model with dropout (untrained): every greedy token is the argmax of predict at its position', async () => {
    const lm = await createLanguageModel(TEXT, { seqLen: 8, units: 12, embedDim: 6, layers: 2, dropout: 0.3, seed: 11 }, { engine: await getEngine() });
    const out = await lm.generate('the quick', { length: 30, temperature: 0, chunk: 7 });
    const ids = lm.vocab.encode(`the quick${out}`);
    const probs = await lm.model.predict<number[][][]>([Array.from(ids.subarray(0, ids.length - 1))]);
    for (let t = 8; t < ids.length - 1; t++) {
      const row = probs[0]![t]!;
      expect(row.indexOf(Math.max(...row)), `position ${t}`).toBe(ids[t + 1]);
    }
    // The fused last step (LSTM + output layer + draw in one dispatch) draws what the separate kernels draw.
    for (const o of [{ temperature: 1.2, seed: 2 }, { temperature: 0.7, topK: 4, seed: 3 }]) {
      expect(await lm.generate('the', { length: 40, chunk: 9, ...o })).toBe(await lm.generate('the', { length: 40, chunk: 9, fuse: false, ...o }));
    }
    lm.dispose();
  });
});

describe('a character language model', () => {
  let lm: LanguageModel;
  it('learns a repetitive text: validation loss far below the unigram entropy, reported in bits too', async () => {
    lm = await createLanguageModel(TEXT, { seqLen: 24, units: 48, embedDim: 16, learningRate: 0.01, seed: 3 }, { engine: await getEngine() });
    const epochs: Array<{ valLoss: number | null; bits: number | null }> = [];
    const h = await lm.fit({ steps: 240, evalEvery: 80, batchSize: 16, onEpochEnd: (e) => void epochs.push({ valLoss: e.valLoss, bits: e.valBitsPerToken }) });
    expect(h.epochs).toHaveLength(3);
    const last = epochs.at(-1)!;
    expect(last.bits).toBeCloseTo(last.valLoss! / Math.log(2), 10);
    expect(last.valLoss!).toBeLessThan(0.25 * unigramEntropy(TEXT));
  }, 120_000);

  it('greedy generation continues the pattern, and each generated token is the argmax of the full forward pass', async () => {
    const text = await lm.generate('the quick', { length: 40, temperature: 0, chunk: 16 });
    expect(TEXT).toContain(`the quick${text}`);
    // The decoder (one token at a time, state on the GPU) and the training forward (whole sequence) agree.
    const ids = lm.vocab.encode(`the quick${text}`);
    const probs = await lm.model.predict<number[][][]>([Array.from(ids.subarray(0, ids.length - 1))]);
    const prompt = lm.vocab.encode('the quick').length;
    for (let t = prompt - 1; t < ids.length - 1; t++) {
      const row = probs[0]![t]!;
      expect(row.indexOf(Math.max(...row)), `position ${t}`).toBe(ids[t + 1]);
    }
  }, 60_000);

  it('sampling: the same seed gives the same text, another seed another; streaming hands out every chunk; save → load generates the same', async () => {
    const a = await lm.generate('the', { length: 60, temperature: 1.5, seed: 5, chunk: 7, fuse: true });
    expect(await lm.generate('the', { length: 60, temperature: 1.5, seed: 5, chunk: 7, fuse: false })).toBe(a);
    expect(await lm.generate('the', { length: 60, temperature: 1.5, seed: 5, chunk: 20 })).toBe(a);
    expect(await lm.generate('the', { length: 60, temperature: 1.5, seed: 6 })).not.toBe(a);
    // A one-layer model generates a chunk in one dispatch; a prompt longer than a chunk is read, not
    // drawn, inside it: the same text as token by token (fuse: false), for chunks of 1, 4 and 64.
    const long = await lm.generate('the quick brown', { length: 30, temperature: 1.5, seed: 9, fuse: false, chunk: 5 });
    for (const chunk of [1, 4, 64]) expect(await lm.generate('the quick brown', { length: 30, temperature: 1.5, seed: 9, chunk, fuse: true }), `chunk ${chunk}`).toBe(long);
    const chunks: string[] = [];
    const streamed = await lm.generate('the', { length: 60, temperature: 1.5, seed: 5, chunk: 16, onText: (t) => void chunks.push(t) });
    expect(chunks.join('')).toBe(streamed);
    expect(chunks.length).toBe(4);
    // Stopped from its first chunk's callback (the second chunk is already running then): no more
    // chunks are handed out, and the answer is exactly what was.
    const ctrl = new AbortController();
    const seen: string[] = [];
    const cut = await lm.generate('the', { length: 60, temperature: 1.5, seed: 5, chunk: 16, signal: ctrl.signal, onText: (t) => void (seen.push(t), ctrl.abort()) });
    expect(seen).toEqual([chunks[0]]);
    expect(cut).toBe(chunks[0]);
    const again = await LanguageModel.load(await lm.save(), { engine: await getEngine() });
    expect(await again.generate('the', { length: 60, temperature: 1.5, seed: 5 })).toBe(a);
    expect(again.vocab.tokens).toEqual(lm.vocab.tokens);
    again.dispose();
    // The generation kernel's workgroup is 32 lanes on a cpu-tuned engine and 256 on a gpu-tuned one:
    // each unit and logit is still one lane's dot product in one order, so the text is the same.
    const gpuTuned = await LanguageModel.load(await lm.save(), { engine: await getTunedEngine('gpu', 'timestep') });
    expect(await gpuTuned.generate('the', { length: 60, temperature: 1.5, seed: 5, chunk: 7 })).toBe(a);
    gpuTuned.dispose();
  }, 60_000);

  it('a word-level model learns a repetitive text and continues it word by word, spaces and punctuation included', async () => {
    const words = await createLanguageModel('the cat sat on the mat, and the dog sat on the log. '.repeat(60), { level: 'word', seqLen: 12, units: 32, embedDim: 8, learningRate: 0.02, seed: 5 }, { engine: await getEngine() });
    expect(words.vocab.level).toBe('word');
    expect(words.vocab.tokens).toEqual(expect.arrayContaining(['the', ' ', 'sat', ',', '.']));
    await words.fit({ steps: 120, evalEvery: 60, batchSize: 16 });
    const text = await words.generate('the cat sat', { length: 12, temperature: 0 });
    expect('the cat sat on the mat, and the dog sat on the log. '.repeat(3)).toContain(`the cat sat${text}`);
    words.dispose();
  }, 60_000);

  it('stop and resume: 40 steps, save, load, 20 more equals 60 in one go, bitwise (windows, dropout and Adam state saved)', async () => {
    const text = 'a stitch in time saves nine. '.repeat(40);
    const cfg = { seqLen: 10, units: 12, embedDim: 6, dropout: 0.1, learningRate: 0.01, seed: 8 };
    const engine = await getEngine();
    const once = await createLanguageModel(text, cfg, { engine });
    await once.fit({ steps: 60, evalEvery: 20, batchSize: 8 });
    const first = await createLanguageModel(text, cfg, { engine });
    await first.fit({ steps: 40, evalEvery: 20, batchSize: 8 });
    const resumed = await LanguageModel.load(await first.save(), { engine });
    first.dispose();
    resumed.setText(text);
    await resumed.fit({ steps: 20, evalEvery: 20, batchSize: 8 });
    expect(await resumed.model.getWeights()).toEqual(await once.model.getWeights());
    once.dispose();
    resumed.dispose();
  });

  it('refuses what it cannot do, with a reason', async () => {
    await expect(createLanguageModel('abc', { seqLen: 10 }, { engine: await getEngine() })).rejects.toThrow(/too few for windows of 10/);
    await expect(lm.generate('the', { length: -1 })).rejects.toThrow(/length must be a non-negative integer/);
    lm.dispose();
  });
});
