/**
 * GRU and SimpleRNN parity with TF.js: models of the layers API with these cells, trained a little here,
 * exported with exportTfjs and loaded by tf.loadLayersModel (CPU backend in Node), predict what our
 * fused GPU layers predict, within 1e-4 — masked, bidirectional, stacked and go_backwards included. TF.js
 * has only the reset-before GRU (its GRUCell rejects reset_after): a reset-after GRU's TF.js export is
 * refused with a sentence that says so and what to do instead.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { layers, sequential, type CompileArgs, type Layer, type Sequential } from '../src/index';
import { expectClose, getEngine, rng } from './helpers/gpu';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const load = async (m: Sequential) => {
  const { modelJson, weightsBin } = await m.exportTfjs();
  const json = JSON.parse(JSON.stringify(modelJson));
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: weightsBin.slice().buffer }));
};

const r = rng('cells-parity');
const prePadded = (n: number, T: number, vocab: number) =>
  Array.from({ length: n }, (_, i) => {
    const len = 1 + ((i * 5) % T);
    return [...Array(T - len).fill(0), ...Array.from({ length: len }, () => 1 + Math.floor(r() * (vocab - 1)))];
  });
const floats = (n: number, T: number, F: number) => Array.from({ length: n }, () => Array.from({ length: T }, () => Array.from({ length: F }, () => r() * 2 - 1)));

const cases: Array<{ name: string; build: () => Layer[]; x: () => number[][] | number[][][]; loss: CompileArgs['loss']; y: (n: number) => number[] | number[][] }> = [
  {
    name: 'GRU (reset before): the sentiment recipe with a mask and both dropouts',
    build: () => [layers.embedding({ inputDim: 40, outputDim: 8, maskZero: true, inputShape: [10] }), layers.spatialDropout1d({ rate: 0.3 }), layers.gru({ units: 12, resetAfter: false, dropout: 0.2, recurrentDropout: 0.2 }), layers.dense({ units: 3, activation: 'softmax' })],
    x: () => prePadded(24, 10, 40),
    loss: 'sparseCategoricalCrossentropy',
    y: (n) => Array.from({ length: n }, (_, i) => i % 3),
  },
  {
    name: 'GRU (reset before): a bidirectional stack over floats, go_backwards inside',
    build: () => [layers.bidirectional({ layer: layers.gru({ units: 7, resetAfter: false, returnSequences: true }), inputShape: [9, 3] }), layers.gru({ units: 5, resetAfter: false, goBackwards: true }), layers.dense({ units: 1, activation: 'sigmoid' })],
    x: () => floats(12, 9, 3),
    loss: 'binaryCrossentropy',
    y: (n) => Array.from({ length: n }, (_, i) => i % 2),
  },
  {
    name: 'SimpleRNN (tanh): a masked per-timestep tagger',
    build: () => [layers.embedding({ inputDim: 30, outputDim: 6, maskZero: true, inputShape: [8] }), layers.simpleRNN({ units: 9, returnSequences: true }), layers.dense({ units: 4, activation: 'softmax' })],
    x: () => prePadded(16, 8, 30),
    loss: 'sparseCategoricalCrossentropy',
    y: (n) => Array.from({ length: n }, (_, i) => Array.from({ length: 8 }, (_, t) => (i + t) % 4)),
  },
  {
    name: 'SimpleRNN (relu, sigmoid, linear): bidirectional and stacked, a forecaster',
    build: () => [
      layers.bidirectional({ layer: layers.simpleRNN({ units: 6, activation: 'relu', returnSequences: true }), inputShape: [7, 2] }),
      layers.simpleRNN({ units: 5, activation: 'sigmoid', returnSequences: true }),
      layers.simpleRNN({ units: 4, activation: 'linear' }),
      layers.dense({ units: 1 }),
    ],
    x: () => floats(16, 7, 2),
    loss: 'meanSquaredError',
    y: (n) => Array.from({ length: n }, () => r()),
  },
];

describe('GRU and SimpleRNN models exported with exportTfjs load in tf.loadLayersModel and predict the same', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const model = await sequential(c.build(), { seed: c.name, engine: await getEngine() });
      model.compile({ loss: c.loss, optimizer: { type: 'adam', learningRate: 0.01 } });
      const x = c.x();
      // Train a little so that the weights are not the initial ones (zero biases included).
      await model.fit(x, c.y(x.length), { epochs: 2, batchSize: 8 });
      const ours = (await model.predict(x)).flat(2) as number[];
      const loaded = await load(model);
      const theirs = (loaded.predict(tf.tensor(x.flat(2) as number[], [x.length, ...(Array.isArray(x[0]![0]) ? [x[0]!.length, (x[0]![0] as number[]).length] : [x[0]!.length])])) as tf.Tensor).dataSync();
      expectClose(ours, theirs, 0, 1e-4, 'predictions vs TF.js');
      model.dispose();
    });
  }

  it("a reset-after GRU (Keras's default) is refused for TF.js with what to do instead", async () => {
    const model = await sequential([layers.embedding({ inputDim: 10, outputDim: 4, inputShape: [5] }), layers.bidirectional({ layer: layers.gru({ units: 3 }) }), layers.dense({ units: 2, activation: 'softmax' })], { engine: await getEngine() });
    await expect(model.exportTfjs()).rejects.toThrow(/GRU "forward_gru|GRU "gru/);
    await expect(model.exportTfjs()).rejects.toThrow(/TensorFlow.js cannot load.*resetAfter: false.*Keras 3 \(\.keras\)/);
    model.dispose();
  });
});
