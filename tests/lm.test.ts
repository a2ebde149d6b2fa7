/**
 * Language modelling on the layers API: the vocabulary, training on windows with next-token targets,
 * validation in nats/bits per token, and generation on the GPU (state carried, sampling on the GPU)
 * agreeing with the model's own forward pass.
 */
import { describe, expect, it } from 'vitest';
import { createLanguageModel, LanguageModel } from '../src/lm/language-model';
import { Vocabulary } from '../src/lm/vocab';
import { getEngine, getTunedEngine } from './helpers/gpu';

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
