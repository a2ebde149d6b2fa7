/**
 * Parity with TF.js: identical weights copied into `tf.layers.lstm` (recurrentActivation 'sigmoid',
 * CPU backend in Node) give the same outputs as our fused GPU layer, within 1e-4; and models of the
 * layers API, exported with exportTfjs, load in tf.loadLayersModel and predict the same within 1e-4.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { ParameterStore } from '../src/engine/parameters';
import { createLanguageModel, layers, sequential, type CompileArgs, type Layer, type Sequential } from '../src/index';
import { lstmStack, lstmStackParams, type LstmStackConfig } from './helpers/lstm-stack';
import seedrandom from 'seedrandom';
import { expectClose, f32, getEngine, randomArray, rng } from './helpers/gpu';
import { Leaves } from './helpers/leaf';
import { lengthMask, maskTimeMajor, toBatchMajor, toTimeMajor } from './helpers/lstm';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function ours(cfg: LstmStackConfig, specs: ReturnType<typeof lstmStackParams>, x: Float64Array, B: number, T: number, mask: Uint8Array | null, returnSequences: boolean) {
  const engine = await getEngine();
  const store = new ParameterStore(engine, specs);
  const leaves = new Leaves(engine);
  const xt = leaves.tensor([T, B, cfg.inputDim], toTimeMajor(x, B, T, cfg.inputDim), 'x', false);
  const step = engine.beginStep({ grad: false });
  const out = lstmStack(step, xt, store, cfg, { mask: mask ? maskTimeMajor(mask, B, T) : null, returnSequences });
  const p = step.read(out.data);
  step.submit();
  const F = cfg.bidirectional ? 2 * cfg.units : cfg.units;
  const y = returnSequences ? toBatchMajor(await p, B, T, F) : await p;
  store.destroy();
  leaves.free();
  return y;
}

describe('parity with tf.layers.lstm', () => {
  for (const c of [
    { name: 'sequences, no mask', B: 4, T: 6, In: 5, H: 8, masked: false, bidi: false, seq: true },
    { name: 'final state, pre-padded input masked (Masking layer)', B: 4, T: 7, In: 5, H: 9, masked: true, bidi: false, seq: false },
    { name: 'bidirectional concat, final state', B: 3, T: 5, In: 4, H: 6, masked: false, bidi: true, seq: false },
    { name: 'go_backwards, sequences (kept in reversed order, as Keras does)', B: 3, T: 5, In: 4, H: 8, masked: false, bidi: false, seq: true, back: true },
    { name: 'go_backwards, final state, pre-padded input masked', B: 4, T: 7, In: 5, H: 6, masked: true, bidi: false, seq: false, back: true },
  ] as Array<{ name: string; B: number; T: number; In: number; H: number; masked: boolean; bidi: boolean; seq: boolean; back?: boolean }>) {
    it(c.name, async () => {
      const r = rng(`tf-${c.name}`);
      const cfg: LstmStackConfig = { inputDim: c.In, units: c.H, layers: 1, bidirectional: c.bidi, goBackwards: c.back ?? false };
      const specs = lstmStackParams(cfg, seedrandom(c.name));
      // Random biases too, so that every gate's bias is exercised (the init has zeros and a forget bias of 1).
      for (const s of specs) if (s.name.endsWith('/bias')) s.init = f32(randomArray(r, s.init.length, -0.5, 0.5));
      const x = randomArray(r, c.B * c.T * c.In);
      const mask = c.masked ? lengthMask([7, 3, 5, 1].slice(0, c.B), c.T, 'pre') : null;
      if (mask) for (let i = 0; i < c.B * c.T; i++) if (!mask[i]) x.fill(0, i * c.In, (i + 1) * c.In);

      const cell = { units: c.H, returnSequences: c.seq, recurrentActivation: 'sigmoid' as const, activation: 'tanh' as const, goBackwards: c.back ?? false };
      const layers: tf.layers.Layer[] = [];
      if (c.masked) layers.push(tf.layers.masking({ maskValue: 0, inputShape: [c.T, c.In] }));
      const lstm = c.bidi
        ? tf.layers.bidirectional({ layer: tf.layers.lstm(cell) as tf.RNN, mergeMode: 'concat', inputShape: [c.T, c.In] })
        : tf.layers.lstm(c.masked ? cell : { ...cell, inputShape: [c.T, c.In] });
      layers.push(lstm);
      const model = tf.sequential({ layers });
      lstm.setWeights(specs.map((s) => tf.tensor(s.init, s.shape)));
      const expected = (model.predict(tf.tensor3d(f32(x), [c.B, c.T, c.In])) as tf.Tensor).dataSync();
      const got = await ours(cfg, specs, x, c.B, c.T, mask, c.seq);
      expectClose(got, expected, 0, 1e-4, 'outputs vs TF.js');
    });
  }
});

describe('layers API models exported with exportTfjs load in tf.loadLayersModel and predict the same', () => {
  const load = async (m: Sequential) => {
    const { modelJson, weightsBin } = await m.exportTfjs();
    const json = JSON.parse(JSON.stringify(modelJson));
    return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: weightsBin.slice().buffer }));
  };
  const r = rng('layers-parity');
  const prePadded = (n: number, T: number, vocab: number) =>
    Array.from({ length: n }, (_, i) => {
      const len = 1 + ((i * 5) % T);
      return [...Array(T - len).fill(0), ...Array.from({ length: len }, () => 1 + Math.floor(r() * (vocab - 1)))];
    });
  const cases: Array<{ name: string; build: () => Layer[]; x: () => number[][] | number[][][]; loss: CompileArgs['loss']; y: (n: number) => number[] | number[][] }> = [
    {
      name: 'the sentiment recipe (embedding with mask, spatial dropout, LSTM, dense softmax)',
      build: () => [layers.embedding({ inputDim: 40, outputDim: 8, maskZero: true, inputShape: [10] }), layers.spatialDropout1d({ rate: 0.4 }), layers.lstm({ units: 12, dropout: 0.2, recurrentDropout: 0.2 }), layers.dense({ units: 3, activation: 'softmax' })],
      x: () => prePadded(24, 10, 40),
      loss: 'sparseCategoricalCrossentropy',
      y: (n) => Array.from({ length: n }, (_, i) => i % 3),
    },
    {
      name: 'a forecaster (float input, LSTM, linear dense)',
      build: () => [layers.lstm({ units: 10, inputShape: [15, 2] }), layers.dense({ units: 1 })],
      x: () => Array.from({ length: 20 }, () => Array.from({ length: 15 }, () => [r() * 2 - 1, r()])),
      loss: 'meanSquaredError',
      y: (n) => Array.from({ length: n }, () => r()),
    },
    {
      name: 'a per-timestep tagger (masked embedding, returnSequences, dense softmax per timestep)',
      build: () => [layers.embedding({ inputDim: 30, outputDim: 6, maskZero: true, inputShape: [8] }), layers.lstm({ units: 9, returnSequences: true }), layers.dense({ units: 4, activation: 'softmax' })],
      x: () => prePadded(16, 8, 30),
      loss: 'sparseCategoricalCrossentropy',
      y: (n) => Array.from({ length: n }, (_, i) => Array.from({ length: 8 }, (_, t) => (i + t) % 4)),
    },
    {
      name: 'a 2-layer bidirectional stack with a relu dense and a sigmoid output',
      build: () => [
        layers.bidirectional({ layer: layers.lstm({ units: 7, returnSequences: true }), inputShape: [9, 3] }),
        layers.bidirectional({ layer: layers.lstm({ units: 5, goBackwards: true }) }),
        layers.dropout({ rate: 0.1 }),
        layers.dense({ units: 6, activation: 'relu' }),
        layers.dense({ units: 1, activation: 'sigmoid' }),
      ],
      x: () => Array.from({ length: 12 }, () => Array.from({ length: 9 }, () => [r(), r() - 0.5, r() * 2])),
      loss: 'binaryCrossentropy',
      y: (n) => Array.from({ length: n }, (_, i) => i % 2),
    },
  ];
  it('a character language model (createLanguageModel): the same next-character probabilities', async () => {
    const lm = await createLanguageModel('the clouds are in the sky. '.repeat(30), { seqLen: 12, units: 16, embedDim: 8, seed: 4 }, { engine: await getEngine() });
    await lm.fit({ steps: 10, evalEvery: 10, batchSize: 8 });
    const ids = [Array.from(lm.vocab.encode('the clouds a'))];
    const ours = (await lm.model.predict<number[][][]>(ids)).flat(2);
    const loaded = await load(lm.model);
    const theirs = (loaded.predict(tf.tensor2d(ids, [1, 12])) as tf.Tensor).dataSync();
    expectClose(ours, theirs, 0, 1e-4, 'next-character probabilities vs TF.js');
    lm.dispose();
  });

  for (const c of cases) {
    it(c.name, async () => {
      const model = await sequential(c.build(), { seed: c.name, engine: await getEngine() });
      model.compile({ loss: c.loss, optimizer: { type: 'adam', learningRate: 0.01 } });
      const x = c.x();
      // Train a little so that the weights are not the initial ones (biases included).
      await model.fit(x, c.y(x.length), { epochs: 2, batchSize: 8 });
      const ours = (await model.predict(x)).flat(2) as number[];
      const loaded = await load(model);
      const theirs = (loaded.predict(tf.tensor(x.flat(2) as number[], [x.length, ...(Array.isArray(x[0]![0]) ? [x[0]!.length, (x[0]![0] as number[]).length] : [x[0]!.length])])) as tf.Tensor).dataSync();
      expectClose(ours, theirs, 0, 1e-4, 'predictions vs TF.js');
      model.dispose();
    });
  }
});
