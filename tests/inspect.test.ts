/**
 * inspect(): every recurrent layer's gates and states at every timestep, checked value by value against
 * the float64 references run on the same weights and inputs (src/reference/reference.ts for the LSTM,
 * src/reference/cells.ts for the GRU and SimpleRNN): a masked bidirectional stack (the backward
 * direction re-ordered to the input's time), padding marked, the prediction equal to predict's.
 */
import { describe, expect, it } from 'vitest';
import { createSentimentModel, layers, sequential, type Layer } from '../src/index';
import { FIXTURE_DATA } from './fixtures/data';
import { lstmForwardRef } from '../src/reference/reference';
import { cellOutputsRef, gruForwardRef, simpleRnnForwardRef } from '../src/reference/cells';
import { GATE } from '../src/ops/lstm-layout';
import { expectClose, getEngine } from './helpers/gpu';

const V = 12;
const E = 5;
const T = 6;
// Pre-padded rows (Keras's default): row 1 has 2 padding steps, row 2 has 5.
const ids = [
  [3, 1, 4, 1, 5, 9],
  [0, 0, 2, 6, 5, 3],
  [0, 0, 0, 0, 0, 7],
];
const N = ids.length;

/** Batch-major embedded input and mask of `ids` (optionally reversed in time). */
function embedded(w: Map<string, Float32Array>, reverse: boolean) {
  const emb = w.get('embedding/embeddings')!;
  const x = new Float64Array(N * T * E);
  const mask = new Uint8Array(N * T);
  ids.forEach((row, n) => {
    for (let t = 0; t < T; t++) {
      const id = row[reverse ? T - 1 - t : t]!;
      mask[n * T + t] = id === 0 ? 0 : 1;
      for (let e = 0; e < E; e++) x[(n * T + t) * E + e] = emb[id * E + e]!;
    }
  });
  return { x, mask };
}

const f64 = (a: Float32Array) => Float64Array.from(a);

/** The reference's value for (sample n, its own timestep t, unit j) compared against inspect's at input position p. */
function compare(got: Float32Array[], ref: (n: number, t: number, j: number) => number, masked: boolean[][], H: number, reverse: boolean, what: string): void {
  const g: number[] = [];
  const r: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < T; p++) {
      if (masked[n]![p]) continue;
      const t = reverse ? T - 1 - p : p;
      for (let j = 0; j < H; j++) {
        g.push(got[n]![p * H + j]!);
        r.push(ref(n, t, j));
      }
    }
  }
  expect(g.length).toBeGreaterThan(0);
  expectClose(g, r, 1e-4, 1e-5, what);
}

describe('inspect()', () => {
  it('an LSTM bidirectional stack: i, f, candidate, o, c and h at every real timestep, in input order; padding marked', async () => {
    const model = await sequential(
      [layers.embedding({ inputDim: V, outputDim: E, maskZero: true, inputShape: [T] }), layers.bidirectional({ layer: layers.lstm({ units: 4, returnSequences: true }) }), layers.lstm({ units: 3, goBackwards: true }), layers.dense({ units: 2, activation: 'softmax' })],
      { seed: 'inspect', engine: await getEngine() },
    );
    const w = await model.getWeights();
    const got = await model.inspect(ids);
    expect(got.layers.map((l) => [l.layer, l.direction, l.cell, l.units])).toEqual([
      ['bidirectional', 'forward', 'LSTM', 4],
      ['bidirectional', 'backward', 'LSTM', 4],
      ['lstm_1', 'backward', 'LSTM', 3], // the wrapped layer took the name lstm
    ]);
    expect(got.layers[0]!.names).toEqual(['i', 'f', 'candidate', 'o', 'c', 'h']);
    expect(got.layers[0]!.masked).toEqual(ids.map((row) => row.map((id) => id === 0)));
    expect(got.prediction).toEqual(await model.predict(ids));
    // The first layer's two directions against the reference, each on its own time order.
    const H = 4;
    for (const [d, prefix] of [[0, 'bidirectional/forward_lstm'], [1, 'bidirectional/backward_lstm']] as const) {
      const reverse = d === 1;
      const { x, mask } = embedded(w, reverse);
      const ref = lstmForwardRef({ wx: f64(w.get(`${prefix}/kernel`)!), wh: f64(w.get(`${prefix}/recurrent_kernel`)!), b: f64(w.get(`${prefix}/bias`)!), In: E, H }, x, N, T, mask);
      const layer = got.layers[d]!;
      const gate = (g: keyof typeof GATE) => (n: number, t: number, j: number) => ref.act[(n * T + t) * 4 * H + GATE[g] * H + j]!;
      compare(layer.values.i!, gate('i'), layer.masked, H, reverse, `${prefix} i`);
      compare(layer.values.f!, gate('f'), layer.masked, H, reverse, `${prefix} f`);
      compare(layer.values.candidate!, gate('c'), layer.masked, H, reverse, `${prefix} candidate`);
      compare(layer.values.o!, gate('o'), layer.masked, H, reverse, `${prefix} o`);
      compare(layer.values.c!, (n, t, j) => ref.c[(n * (T + 1) + t + 1) * H + j]!, layer.masked, H, reverse, `${prefix} c`);
      compare(layer.values.h!, (n, t, j) => ref.h[(n * (T + 1) + t + 1) * H + j]!, layer.masked, H, reverse, `${prefix} h`);
    }
    model.dispose();
  });

  for (const [name, layer, check] of [
    ['a GRU (reset after)', layers.gru({ units: 4, returnSequences: true }), 'gru-after'],
    ['a GRU (reset before)', layers.gru({ units: 4, resetAfter: false, returnSequences: true }), 'gru-before'],
    ['a SimpleRNN', layers.simpleRNN({ units: 4, returnSequences: true }), 'rnn'],
  ] as Array<[string, Layer, string]>) {
    it(`${name}: its gates and h at every real timestep`, async () => {
      const model = await sequential([layers.embedding({ inputDim: V, outputDim: E, maskZero: true, inputShape: [T] }), layer, layers.dense({ units: 2, activation: 'softmax' })], { seed: 'inspect-cells', engine: await getEngine() });
      const w = await model.getWeights();
      const prefix = model.layers[1]!.name;
      const got = await model.inspect(ids);
      const l = got.layers[0]!;
      const { x, mask } = embedded(w, false);
      const p = { wx: f64(w.get(`${prefix}/kernel`)!), wh: f64(w.get(`${prefix}/recurrent_kernel`)!), b: f64(w.get(`${prefix}/bias`)!), In: E, H: 4 };
      const H = 4;
      if (check === 'rnn') {
        expect(l.names).toEqual(['h']);
        const ref = simpleRnnForwardRef(p, 'tanh', x, N, T, mask);
        compare(l.values.h!, (n, t, j) => ref.h[(n * (T + 1) + t + 1) * H + j]!, l.masked, H, false, 'h');
      } else {
        expect(l.names).toEqual(['z', 'r', 'candidate', 'h']);
        const ref = gruForwardRef(p, check === 'gru-after', x, N, T, mask);
        const act = (k: number) => (n: number, t: number, j: number) => ref.act[(n * T + t) * 4 * H + k * H + j]!;
        compare(l.values.z!, act(0), l.masked, H, false, 'z');
        compare(l.values.r!, act(1), l.masked, H, false, 'r');
        compare(l.values.candidate!, act(2), l.masked, H, false, 'candidate');
        compare(l.values.h!, (n, t, j) => ref.h[(n * (T + 1) + t + 1) * H + j]!, l.masked, H, false, 'h');
      }
      expect(cellOutputsRef).toBeDefined();
      model.dispose();
    });
  }

  it("the sentiment model: a text's words and timesteps, its probabilities, and the top layer's units ranked by their push toward the predicted class", async () => {
    const engine = await getEngine();
    const model = await createSentimentModel({ ...FIXTURE_DATA.sentimentConfigs['sentiment-bidirectional'], seed: 31 }, { engine });
    await model.fit(FIXTURE_DATA.sentimentTrain(), { epochs: 1, batchSize: 16 });
    const text = 'the plot was so very bad and the staff great';
    const got = await model.inspect(text);
    expectClose(got.probabilities, (await model.predict([text]))[0]!, 0, 1e-6, 'probabilities');
    expect(got.label).toBe(model.labelNames[got.predicted]);
    expect(got.tokens.map((t) => t.word)).toEqual(['the', 'plot', 'was', 'so', 'very', 'bad', 'and', 'the', 'staff', 'great']);
    // Two stacked bidirectional layers of 6 units: four directions; the top layer's 12 units ranked.
    expect(got.inspection.layers.map((l) => `${l.layer}/${l.direction}`)).toEqual(['bidirectional/forward', 'bidirectional/backward', 'bidirectional_1/forward', 'bidirectional_1/backward']);
    expect(got.influence).toHaveLength(12);
    for (let k = 1; k < 12; k++) expect(Math.abs(got.influence[k - 1]!.score)).toBeGreaterThanOrEqual(Math.abs(got.influence[k]!.score));
    // The scores are the predicted class's logit less its bias: with every class's logits rebuilt the same way, softmax gives the probabilities.
    const w = await model.sequential!.getWeights();
    const dense = model.sequential!.layers.at(-1)!.name;
    const kernel = w.get(`${dense}/kernel`)!;
    const bias = w.get(`${dense}/bias`)!;
    const C = got.probabilities.length;
    const top = got.inspection.layers.slice(2);
    const T = got.inspection.timesteps;
    const logits = Array.from({ length: C }, (_, c) => bias[c]! + top.reduce((s, l, d) => {
      const p = l.direction === 'backward' ? 0 : T - 1;
      let a = 0;
      for (let j = 0; j < 6; j++) a += kernel[(d * 6 + j) * C + c]! * l.values.h![0]![p * 6 + j]!;
      return s + a;
    }, 0));
    const z = Math.max(...logits);
    const e = logits.map((v) => Math.exp(v - z));
    expectClose(e.map((v) => v / e.reduce((a, b) => a + b, 0)), got.probabilities, 0, 1e-5, 'softmax of the rebuilt logits');
    expectClose([got.influence.reduce((s, u) => s + u.score, 0)], [logits[got.predicted]! - bias[got.predicted]!], 1e-5, 1e-6, 'Σ scores');
    model.dispose();
  });

  it('refuses a model without a recurrent layer, before any GPU work', async () => {
    const model = await sequential([layers.dense({ units: 2, inputShape: [3] })], { engine: await getEngine() });
    await expect(model.inspect([[1, 2, 3]])).rejects.toThrow('inspect: the model has no recurrent layer (it has Dense)');
    model.dispose();
  });
});
