/**
 * The layers API as a user meets it: shapes checked before any GPU work with errors that name the layer
 * and both shapes; forecasting that beats persistence; masked per-timestep losses; save/load; summary;
 * determinism; SGD; binary classification; typed-array inputs.
 */
import { describe, expect, it } from 'vitest';
import { layers, loadModel, sequential } from '../src/index';
import { gatherInputs, oneHotIndices, readInputs } from '../src/layers/data';
import { getEngine } from './helpers/gpu';
import { seasonalSeries, windows } from './helpers/series';

const engineOpt = async () => ({ engine: await getEngine() });

describe('building and checking a model', () => {
  it('names layers as Keras does, infers output shapes, counts parameters like Keras', async () => {
    const model = await sequential(
      [
        layers.embedding({ inputDim: 50, outputDim: 8, maskZero: true }),
        layers.spatialDropout1d({ rate: 0.2 }),
        layers.bidirectional({ layer: layers.lstm({ units: 6, returnSequences: true }) }),
        layers.lstm({ units: 5 }),
        layers.dropout({ rate: 0.1 }),
        layers.dense({ units: 4, activation: 'relu' }),
        layers.dense({ units: 3, activation: 'softmax' }),
      ],
      await engineOpt(),
    );
    expect(model.layers.map((l) => l.name)).toEqual(['embedding', 'spatial_dropout1d', 'bidirectional', 'lstm_1', 'dropout', 'dense', 'dense_1']);
    expect(model.layers.map((l) => l.outputShape)).toEqual([[null, 8], [null, 8], [null, 12], [5], [5], [4], [3]]);
    // Keras: LSTM 4·(u·(in + u) + u); bidirectional twice that.
    const lstm = (inp: number, u: number) => 4 * (u * (inp + u) + u);
    const total = 50 * 8 + 2 * lstm(8, 6) + lstm(12, 5) + (5 * 4 + 4) + (4 * 3 + 3);
    expect(model.countParams()).toBe(total);
    const lines: string[] = [];
    const text = model.summary((l) => lines.push(l));
    expect(lines.join('\n')).toBe(text);
    expect(text).toContain('│ bidirectional (Bidirectional)   │ (None, None, 12)       │           720 │');
    expect(text).toContain(`Total params: ${total.toLocaleString('en-US')} (${((total * 4) / 1024).toFixed(2)} KB)`);
    expect((await model.getWeights()).has('bidirectional/forward_lstm/recurrent_kernel')).toBe(true);
    model.dispose();
  });

  it('refuses bad models and bad data before any GPU work, naming the layer and both shapes', async () => {
    const e = await engineOpt();
    await expect(sequential([layers.lstm({ units: 4 })], e)).rejects.toThrow(/first layer \(LSTM\) needs an inputShape/);
    await expect(sequential([layers.dense({ units: 3, inputShape: [5] }), layers.lstm({ units: 2 })], e)).rejects.toThrow(/layer "lstm" \(LSTM\) expects a sequence input \[batch, time, features\], got \[null, 3\]/);
    await expect(sequential([layers.lstm({ units: 2, inputShape: [4, 1] }), layers.dense({ units: 2, activation: 'softmax' }), layers.dense({ units: 1 })], e)).rejects.toThrow(/softmax activation is supported on the last layer only/);
    expect(() => layers.lstm({ units: 0 })).toThrow(/units must be a positive integer/);
    expect(() => layers.dense({ units: 2, activation: 'gelu' as 'relu' })).toThrow(/unknown activation "gelu"/);
    expect(() => layers.lstm({ units: 2, dropuot: 0.1 } as never)).toThrow(/unknown option "dropuot"/);
    const model = await sequential([layers.lstm({ units: 4, inputShape: [30, 1] }), layers.dense({ units: 1 })], e);
    expect(() => model.compile({ loss: 'sparseCategoricalCrossentropy' })).toThrow(/needs a last dense layer with activation 'softmax'/);
    await expect(model.fit([[[1]]], [1])).rejects.toThrow(/call model.compile/);
    model.compile({ loss: 'meanSquaredError' });
    const x = Array.from({ length: 4 }, () => Array.from({ length: 30 }, () => [0, 0]));
    await expect(model.fit(x, [1, 2, 3, 4])).rejects.toThrow('layer "lstm" expects input shape [null, 30, 1], got [4, 30, 2]');
    const good = Array.from({ length: 4 }, () => Array.from({ length: 30 }, () => [0]));
    await expect(model.fit(good, [1, 2, 3])).rejects.toThrow(/targets of shape \[3\] do not fit layer "dense" \(output \[null, 1\]\): expected \[4, 1\]/);
    const ragged = good.map((s, i) => (i === 2 ? s.slice(1) : s));
    await expect(model.predict(ragged)).rejects.toThrow(/input\[2\] has 29 entries, expected 30 like the first/);
    await expect(model.fit(good, [1, 2, NaN, 4])).rejects.toThrow(/targets contain NaN/);
    model.dispose();
  });

  it('a model or a batch too large for the GPU is refused before any GPU work, with the size, the limit and what to lower', async () => {
    const e = await engineOpt();
    const limits = e.engine.device.limits;
    await expect(sequential([layers.lstm({ units: 40_000, inputShape: [10, 1] }), layers.dense({ units: 1 })], e)).rejects.toThrow(
      /^the model does not fit this GPU: the parameters \(one of their four arenas: values, gradients, Adam m and v\) needs [\d.]+ GiB, over its [\d.]+ (MiB|GiB) buffer limit; lower the layer sizes$/,
    );
    // A batch whose gates exceed the buffer limit: refused at fit, naming the layer.
    const T = Math.ceil(Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize) / (4 * 4 * 64 * 4)) + 1;
    const model = await sequential([layers.lstm({ units: 64, inputShape: [null, 1] }), layers.dense({ units: 1 })], e);
    model.compile({ loss: 'meanSquaredError' });
    const x = { data: new Float32Array(4 * T), shape: [4, T, 1] };
    await expect(model.fit(x, { data: new Float32Array(4), shape: [4, 1] }, { batchSize: 4 })).rejects.toThrow(/the gates of layer "lstm" \(T × B × 4·64\) for B 4, T [\d,]+ needs .* lower the batch size or the sequence length/);
    model.dispose();
  });
});

describe('forecasting a series', () => {
  it('the example from the README: LSTM → dense, MSE with an MAE metric, beats persistence on held-out windows', async () => {
    const series = seasonalSeries(700);
    const { x, y } = windows(series, 30);
    const cut = Math.floor(x.length * 0.75);
    const model = await sequential([layers.lstm({ units: 32, inputShape: [30, 1] }), layers.dense({ units: 1 })], { seed: 141, ...(await engineOpt()) });
    model.compile({ loss: 'meanSquaredError', optimizer: { type: 'adam', learningRate: 1e-2 }, metrics: ['mae'] });
    const epochs: number[] = [];
    const history = await model.fit(x.slice(0, cut), y.slice(0, cut), { epochs: 12, batchSize: 32, validationSplit: 0.1, onEpochEnd: (e) => void epochs.push(e.epoch) });
    expect(epochs).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(Object.keys(history.history).sort()).toEqual(['loss', 'mae', 'val_loss', 'val_mae']);
    expect(history.history.loss![11]).toBeLessThan(history.history.loss![0]! / 3);
    const xTest = x.slice(cut);
    const yTest = y.slice(cut);
    const yHat = await model.predict(xTest);
    expect(yHat).toHaveLength(xTest.length);
    expect(yHat[0]).toHaveLength(1);
    const rmse = (pred: number[]) => Math.sqrt(pred.reduce((s, p, i) => s + (p - yTest[i]!) ** 2, 0) / pred.length);
    const modelRmse = rmse(yHat.map((r) => r[0]!));
    const persistence = rmse(xTest.map((w) => w[w.length - 1]![0]!));
    expect(modelRmse).toBeLessThan(persistence);
    const { loss, metrics } = await model.evaluate(xTest, yTest);
    expect(loss).toBeCloseTo(modelRmse ** 2, 4);
    expect(metrics.mae).toBeCloseTo(yHat.reduce((s, r, i) => s + Math.abs(r[0]! - yTest[i]!), 0) / yTest.length, 4);

    // One zip, like the sentiment model's: the same predictions and compile settings after loading.
    const again = await loadModel(await model.save(), { ...(await engineOpt()), kind: 'layers' });
    expect(await again.predict(xTest.slice(0, 5))).toEqual(yHat.slice(0, 5));
    expect(again.compiledWith?.loss).toBe('meanSquaredError');
    expect((await again.evaluate(xTest, yTest)).loss).toBeCloseTo(loss, 6);
    // Typed input answers with a typed output.
    const flat = Float32Array.from(xTest.slice(0, 3).flat(2));
    const typed = await model.predict({ data: flat, shape: [3, 30, 1] });
    expect(typed.shape).toEqual([3, 1]);
    expect(Array.from(typed.data)).toEqual(yHat.slice(0, 3).map((r) => r[0]));
    model.dispose();
    again.dispose();
  });

  it('one training step is one submit: a fit of N batches submits N steps (plus one per validation batch)', async () => {
    const { x, y } = windows(seasonalSeries(200, 'submits'), 10);
    const model = await sequential([layers.bidirectional({ layer: layers.lstm({ units: 6, returnSequences: true }), inputShape: [10, 1] }), layers.lstm({ units: 4 }), layers.dense({ units: 3, activation: 'relu' }), layers.dense({ units: 1 })], await engineOpt());
    model.compile({ loss: 'meanSquaredError' });
    const before = model.engine.stepsSubmitted;
    await model.fit(x, y, { epochs: 2, batchSize: 25 });
    const batches = Math.ceil(x.length / 25);
    expect(model.engine.stepsSubmitted - before).toBe(2 * batches);
    model.dispose();
  });

  it('exact resume: 2 epochs, save, load, 1 more gives bitwise the weights of 3 epochs in one go (optimizer state and random streams saved)', async () => {
    const { x, y } = windows(seasonalSeries(160, 'resume'), 10);
    const make = async () => {
      const m = await sequential([layers.lstm({ units: 8, inputShape: [10, 1], dropout: 0.2, recurrentDropout: 0.2 }), layers.dropout({ rate: 0.1 }), layers.dense({ units: 1 })], { seed: 21, ...(await engineOpt()) });
      m.compile({ loss: 'meanSquaredError', optimizer: { type: 'adam', learningRate: 0.01 } });
      return m;
    };
    const once = await make();
    await once.fit(x, y, { epochs: 3, batchSize: 16 });
    const split = await make();
    await split.fit(x, y, { epochs: 2, batchSize: 16 });
    const file = await split.save();
    split.dispose();
    const resumed = await loadModel(file, { ...(await engineOpt()), kind: 'layers' });
    await resumed.fit(x, y, { epochs: 1, batchSize: 16 });
    expect(await resumed.getWeights()).toEqual(await once.getWeights());
    // Without the training state the file is smaller and the optimizer starts afresh: not the same weights.
    const other = await make();
    await other.fit(x, y, { epochs: 2, batchSize: 16 });
    const light = await other.save({ includeOptimizer: false });
    other.dispose();
    expect(light.length).toBeLessThan(file.length);
    const fresh = await loadModel(light, { ...(await engineOpt()), kind: 'layers' });
    await fresh.fit(x, y, { epochs: 1, batchSize: 16 });
    expect(await fresh.getWeights()).not.toEqual(await once.getWeights());
    for (const m of [once, resumed, fresh]) m.dispose();
  });

  it('the same seed gives the same weights after training; another seed does not', async () => {
    const { x, y } = windows(seasonalSeries(120, 'det'), 8);
    const train = async (seed: number) => {
      const m = await sequential([layers.lstm({ units: 6, inputShape: [8, 1], dropout: 0.1, recurrentDropout: 0.1 }), layers.dense({ units: 1 })], { seed, ...(await engineOpt()) });
      m.compile({ loss: 'meanAbsoluteError', optimizer: 'sgd' });
      await m.fit(x, y, { epochs: 2, batchSize: 16 });
      const w = await m.getWeights();
      m.dispose();
      return w;
    };
    const [a, b, c] = [await train(1), await train(1), await train(2)];
    expect(b).toEqual(a);
    expect(c.get('lstm/kernel')).not.toEqual(a.get('lstm/kernel'));
  });
});

describe('token models, masks and classification', () => {
  it('a per-timestep tagger: masked (padding) timesteps take no part in the loss, as in Keras', async () => {
    // Tag each token: class = id mod 3; sequences are pre-padded with 0.
    const rows = 64, T = 9;
    const ids: number[][] = [];
    for (let i = 0; i < rows; i++) {
      const len = 3 + (i % 7);
      ids.push([...Array(T - len).fill(0), ...Array.from({ length: len }, (_, k) => 1 + ((i * 7 + k * 3) % 19))]);
    }
    const tags = ids.map((s) => s.map((id) => id % 3));
    const model = await sequential(
      [layers.embedding({ inputDim: 20, outputDim: 8, maskZero: true }), layers.lstm({ units: 12, returnSequences: true }), layers.dense({ units: 3, activation: 'softmax' })],
      { seed: 3, ...(await engineOpt()) },
    );
    model.compile({ loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'], optimizer: { type: 'adam', learningRate: 0.02 } });
    const before = await model.evaluate(ids, tags);
    // Changing the targets at padded timesteps changes nothing.
    const scrambled = tags.map((s, i) => s.map((t, k) => (ids[i]![k] === 0 ? (t + 1) % 3 : t)));
    expect((await model.evaluate(ids, scrambled)).loss).toBe(before.loss);
    // The loss is the mean over real timesteps of −log p(tag), from the predicted probabilities.
    const probs = await model.predict<number[][][]>(ids);
    let sum = 0, n = 0;
    ids.forEach((s, i) => s.forEach((id, t) => {
      if (id !== 0) { sum -= Math.log(probs[i]![t]![tags[i]![t]!]!); n++; }
    }));
    expect(before.loss).toBeCloseTo(sum / n, 4);
    const h = await model.fit(ids, tags, { epochs: 25, batchSize: 16 });
    expect(h.history.accuracy!.at(-1)).toBeGreaterThan(0.9);
    expect((await model.evaluate(ids, tags)).metrics.accuracy).toBeGreaterThan(0.9);
    model.dispose();
  });

  it('binary classification with a sigmoid output, class weights refused for it, early stopping restores the best epoch', async () => {
    const { x } = windows(seasonalSeries(300, 'bin', 0.05), 12);
    const y = x.map((w) => (w[w.length - 1]![0]! > w[0]![0]! ? 1 : 0));
    const model = await sequential([layers.lstm({ units: 8, inputShape: [12, 1] }), layers.dense({ units: 4, activation: 'tanh' }), layers.dense({ units: 1, activation: 'sigmoid' })], { seed: 5, ...(await engineOpt()) });
    model.compile({ loss: 'binaryCrossentropy', metrics: ['accuracy'], optimizer: { type: 'adam', learningRate: 0.02 } });
    await expect(model.fit(x, y, { classWeight: [1, 2] })).rejects.toThrow(/classWeight needs sparseCategoricalCrossentropy/);
    const h = await model.fit(x, y, { epochs: 12, batchSize: 32, validationSplit: 0.2, earlyStopping: { patience: 2, monitor: 'val_loss' } });
    expect(h.bestEpoch).not.toBeNull();
    expect(h.history.val_accuracy!.length).toBe(h.epochs.length);
    const best = Math.min(...h.history.val_loss!);
    const cut = Math.floor(x.length * 0.8);
    const { loss, metrics } = await model.evaluate(x.slice(cut), y.slice(cut));
    expect(loss).toBeCloseTo(best, 4);
    expect(metrics.accuracy).toBeGreaterThan(0.8);
    const p = await model.predict(x.slice(0, 4));
    for (const [v] of p) expect(v! > 0 && v! < 1).toBe(true);
    model.dispose();
  });

  it('loadModel refuses other files with a reason', async () => {
    await expect(loadModel(new Uint8Array([1, 2, 3]))).rejects.toThrow(/not a zip archive/);
    const model = await sequential([layers.dense({ units: 2, inputShape: [3] })], await engineOpt());
    const bytes = await model.save();
    const JSZip = (await import('jszip')).default;
    const zip = await JSZip.loadAsync(bytes);
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
    manifest.weights[0].shape = [3, 3];
    zip.file('manifest.json', JSON.stringify(manifest));
    await expect(loadModel(await zip.generateAsync({ type: 'uint8array' }))).rejects.toThrow(/do not match the saved layers/);
    // A file from a newer version, a file of another program, a zip of something else, a truncated file.
    manifest.version = 9;
    zip.file('manifest.json', JSON.stringify(manifest));
    await expect(loadModel(await zip.generateAsync({ type: 'uint8array' }))).rejects.toThrow(/written by a newer webgpu-lstm \(model file version 9; this one reads versions 1 to 2\): update the package/);
    manifest.format = 'keras';
    zip.file('manifest.json', JSON.stringify(manifest));
    await expect(loadModel(await zip.generateAsync({ type: 'uint8array' }))).rejects.toThrow(/not a model file of webgpu-lstm: its manifest says format "keras" version 9/);
    const other = new JSZip();
    other.file('notes.txt', 'hello');
    await expect(loadModel(await other.generateAsync({ type: 'uint8array' }))).rejects.toThrow(/not a saved model: manifest.json or weights.bin is missing/);
    await expect(loadModel(bytes.subarray(0, Math.floor(bytes.length / 2)))).rejects.toThrow(/not a saved model/);
    // Asking for a kind: another kind is named.
    await expect(loadModel(bytes, { kind: 'sentiment' })).rejects.toThrow(/this is a layers model file, not a sentiment model/);
    model.dispose();
  });
});

describe('one-hot input', () => {
  it('oneHotIndices: the 1 of each row, F for an all-zero row, null as soon as a row is not one-hot', () => {
    expect(oneHotIndices(Float32Array.from([0, 1, 0, 0, 0, 0, 1, 0, 0]), 3)).toEqual(Uint32Array.from([1, 3, 0]));
    expect(oneHotIndices(Float32Array.from([0, 1, 0, 1, 0, 0]), 3)).toEqual(Uint32Array.from([1, 0]));
    expect(oneHotIndices(Float32Array.from([0, 1, 1, 1, 0, 0]), 3)).toBeNull(); // two 1s in a row
    expect(oneHotIndices(Float32Array.from([0, 1, 0, 0.5, 0, 0]), 3)).toBeNull();
    expect(oneHotIndices(Float32Array.from([0, -1, 0]), 3)).toBeNull();
  });

  it('a one-hot sequence trains through the first LSTM as indices, to the weights of the same data as floats (bidirectional and stacked, 3 steps)', async () => {
    const T = 6, V = 7, N = 10;
    let s = 5;
    const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    const x = new Float32Array(N * T * V);
    for (let r = 0; r < N * T; r++) if (r % 4 !== 3) x[r * V + Math.floor(rand() * V)] = 1;
    const y = Float64Array.from({ length: N }, () => Math.floor(rand() * 3));
    const engine = await getEngine();
    const run = async (asFloats: boolean) => {
      const model = await sequential([
        layers.bidirectional({ layer: layers.lstm({ units: 5, returnSequences: true, recurrentDropout: 0.2 }), inputShape: [T, V] }),
        layers.lstm({ units: 4 }),
        layers.dense({ units: 3, activation: 'softmax' }),
      ], { seed: 3, engine });
      model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: 'adam' });
      const inputs = readInputs({ data: x, shape: [N, T, V] }, model.graph);
      const input = gatherInputs(inputs, Array.from({ length: N }, (_, i) => i), 'floats');
      expect(input.oneHot).toBeDefined();
      if (asFloats) delete input.oneHot;
      const kernels: string[] = [];
      const begin = engine.beginStep.bind(engine);
      engine.beginStep = (o) => {
        const step = begin(o);
        const dispatch = step.dispatch.bind(step);
        step.dispatch = (shader, args) => (kernels.push(shader), dispatch(shader, args));
        return step;
      };
      const losses: number[] = [];
      try {
        for (let i = 0; i < 3; i++) losses.push((await model.trainBatch({ input, targets: y })).loss);
      } finally {
        engine.beginStep = begin;
      }
      const weights = await model.getWeights();
      model.dispose();
      return { losses, weights, gathers: kernels.filter((k) => k === 'embedding_gather').length };
    };
    const indices = await run(false);
    const floats = await run(true);
    expect(indices.gathers).toBe(3 * 2); // both directions of the first layer, every step
    expect(floats.gathers).toBe(0);
    indices.losses.forEach((l, i) => expect(l).toBeCloseTo(floats.losses[i]!, 5));
    for (const [name, w] of floats.weights) {
      const v = indices.weights.get(name)!;
      const worst = Math.max(...w.map((a, i) => Math.abs(a - v[i]!)));
      expect(worst, name).toBeLessThan(1e-5);
    }
  });

  it('an LSTM with input dropout reads one-hot input as floats while training, as indices when predicting', async () => {
    const engine = await getEngine();
    const model = await sequential([layers.lstm({ units: 4, inputShape: [3, 5], dropout: 0.3 }), layers.dense({ units: 2, activation: 'softmax' })], { seed: 1, engine });
    model.compile({ loss: 'sparseCategoricalCrossentropy' });
    const x = [[[1, 0, 0, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 0]], [[0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 0, 1]]];
    const kernels: string[] = [];
    const begin = engine.beginStep.bind(engine);
    engine.beginStep = (o) => {
      const step = begin(o);
      const dispatch = step.dispatch.bind(step);
      step.dispatch = (shader, args) => (kernels.push(`${o.grad ? 'train' : 'eval'} ${shader}`), dispatch(shader, args));
      return step;
    };
    try {
      await model.fit(x, [0, 1], { epochs: 1, batchSize: 2 });
      const p = (await model.predict(x)) as number[][];
      expect(p).toHaveLength(2);
    } finally {
      engine.beginStep = begin;
    }
    expect(kernels.filter((k) => k === 'train embedding_gather')).toHaveLength(0);
    expect(kernels.filter((k) => k === 'eval embedding_gather')).toHaveLength(1);
    model.dispose();
  });
});
