/**
 * Models made elsewhere come in through loadModel, run, fine-tune and go out again.
 *
 * How the models were made:
 * - Keras 3 (`.keras`): tests/fixtures/import/keras3-*.keras and expected.json, written by
 *   tests/python/make_import_fixtures.py with Keras 3.15.1 on JAX (the archives re-zipped with DEFLATE, entries
 *   byte for byte Keras's); expected.json holds each probe input and Keras's own model.predict on it.
 * - Keras 2's full-model `.h5` layout: keras3-legacy-*.h5.gz, written by the same script with Keras 3's
 *   model.save("….h5") (Keras 3 writes the legacy layout: model_config, training_config, model_weights/<layer>/
 *   with weight_names), gzipped to keep the repository small and gunzipped here.
 * - Keras 2 / tf.keras (`.h5`): when the script ran, TensorFlow was not importable, so no keras2-*.h5 came
 *   from tf.keras itself. The Keras 2 reader is also tested against .h5 files BUILT HERE BY HAND with h5wasm in tf.keras
 *   2's documented layout (hdf5_format.py's save_model_to_hdf5: root attributes model_config, keras_version,
 *   backend, training_config; model_weights/<layer>/ with the attribute weight_names and one dataset per
 *   name, e.g. lstm/lstm_cell/kernel:0), its model_config tf.keras 2.15's JSON made from the Keras 3
 *   fixture's config, and its weights the Keras 3 fixture's: so it must predict Keras's numbers too. Once
 *   the script runs where tf_keras imports, its keras2-*.h5 files join the fixture loop below unchanged.
 * - TF.js: made in this file by TF.js 4.22 itself (cpu backend; weights set from a seeded stream; saved with
 *   tf.io.withSaveHandler), predictions from TF.js's model.predict.
 *
 * Each model: loads, predicts its origin's numbers within 1e-5, saves and reloads (our zip) and goes
 * through our .keras export and back predicting bitwise what it predicted, and fine-tunes (compile, fit
 * one epoch on two samples). Each unsupported input is refused with its one sentence before any GPU work
 * (an engine that throws when touched is passed in), and truncated or corrupt files with a sentence too.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine/engine';
import type { CompileArgs } from '../src/layers/compile';
import type { BuiltLayer } from '../src/layers/graph';
import type { Sequential } from '../src/layers/sequential';
import { loadModel, modelKindOf, type ModelSource } from '../src/load-model';
import { getEngine, rng } from './helpers/gpu';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/import');
/** A fixture's bytes (a .gz fixture gunzipped: the legacy .h5 files are committed gzipped). */
const fixture = (name: string) => {
  const bytes = fs.readFileSync(path.join(DIR, name));
  return new Uint8Array(name.endsWith('.gz') ? zlib.gunzipSync(bytes) : bytes);
};
interface Expected {
  ids: boolean;
  compiled: boolean;
  x: number[][] | number[][][];
  y: number[][] | number[][][];
}
const EXPECTED = JSON.parse(fs.readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as { versions: Record<string, string>; files: Record<string, Expected> };

type Nested = number | Nested[];
const flat = (v: Nested): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);

function expectWithin(got: Nested, want: Nested, tol: number, what: string): void {
  const a = flat(got);
  const b = flat(want);
  expect(a.length, `${what}: size`).toBe(b.length);
  let worst = 0;
  let at = 0;
  a.forEach((v, i) => {
    const d = Math.abs(v - b[i]!);
    if (!(d <= worst)) [worst, at] = [d, i];
  });
  expect(worst, `${what}: worst |difference| at ${at} (${a[at]} vs ${b[at]})`).toBeLessThanOrEqual(tol);
}

/** The message of the error `p` rejects with (the test fails when it resolves). */
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected loadModel to refuse the file, and it loaded it');
}

/** An engine that fails the test when anything touches it: a refusal must come before any GPU work. */
const untouchable = new Proxy(
  {},
  {
    get: (_t, p) => {
      throw new Error(`the engine was touched (${String(p)}) before the file was refused`);
    },
  },
) as unknown as Engine;

/** One sentence, naming where: no line breaks, no stack. */
async function expectSentence(source: ModelSource, pattern: RegExp, name?: string): Promise<string> {
  const msg = await refusal(loadModel(source, { engine: untouchable, ...(name ? { name } : {}) }));
  expect(msg).toMatch(pattern);
  expect(msg).not.toMatch(/\n|engine was touched/);
  return msg;
}

const asSequential = (m: unknown) => {
  expect((m as { kind: string }).kind).toBe('layers');
  return m as Sequential;
};

// ---- the life of an imported model ----

/** Compile settings a model can train with: its own, or what its last layer suits. */
function compileFor(m: Sequential): CompileArgs {
  const last = m.layers[m.layers.length - 1]!.layer;
  const act = last.className === 'Dense' ? last.activation : last.className === 'TimeDistributed' ? last.layer.activation : 'linear';
  return { loss: act === 'softmax' ? 'sparseCategoricalCrossentropy' : act === 'sigmoid' ? 'binaryCrossentropy' : 'meanSquaredError', optimizer: { type: 'adam', learningRate: 1e-2 } };
}

/** Targets for the first `n` samples of x, of the shape the model's output and loss want. */
function targetsFor(m: Sequential, n: number, T: number): Nested[] {
  const out = m.layers[m.layers.length - 1]!.outputShape;
  const units = out[out.length - 1] as number;
  const loss = m.compiledWith!.loss;
  const one = (i: number): Nested => (loss === 'sparseCategoricalCrossentropy' ? i % units : Array.from({ length: units }, (_, u) => (loss === 'binaryCrossentropy' ? (i + u) % 2 : 0.5 - 0.25 * ((i + u) % 3))));
  return Array.from({ length: n }, (_, i) => (out.length === 2 ? Array.from({ length: T }, (_, t) => one(i + t)) : one(i)));
}

/**
 * The checks every imported model passes: predictions within `tol` of its origin's, our own file and our
 * .keras export loading back to bitwise the same predictions, and one epoch of fine-tuning on two samples.
 */
async function lifeOf(model: Sequential, x: Expected['x'], want: Nested, tol: number, engine: Engine): Promise<void> {
  const predicted = (await model.predict(x)) as Nested;
  expectWithin(predicted, want, tol, 'predictions against the origin');

  const reloaded = asSequential(await loadModel(await model.save(), { engine }));
  expect(await reloaded.predict(x)).toEqual(predicted);
  reloaded.dispose();
  const viaKeras = asSequential(await loadModel(await model.exportKeras(), { engine }));
  expect(await viaKeras.predict(x)).toEqual(predicted);
  expect(viaKeras.layers.map((b) => b.layer.className)).toEqual(model.layers.map((b) => b.layer.className));
  viaKeras.dispose();

  if (!model.compiledWith) model.compile(compileFor(model));
  const before = await model.getWeights();
  const T = (x[0] as unknown[]).length;
  const history = await model.fit(x.slice(0, 2) as number[][], targetsFor(model, 2, T) as number[][], { epochs: 1, batchSize: 2 });
  expect(Number.isFinite(history.history.loss![0])).toBe(true);
  const after = await model.getWeights();
  const moved = [...before].filter(([k, v]) => after.get(k)!.some((a, i) => a !== v[i])).length;
  expect(moved, 'weights changed by the fine-tuning step').toBeGreaterThan(0);
}

const engine = await getEngine();

describe('Keras files (made by the script with the real libraries)', () => {
  for (const [file, e] of Object.entries(EXPECTED.files)) {
    it(`${file}: loads ${e.compiled ? 'compiled' : 'uncompiled'}, predicts Keras's numbers within 1e-5, saves, exports to .keras and back bitwise, fine-tunes`, async () => {
      const model = asSequential(await loadModel(fixture(file), { engine, name: file.replace(/\.gz$/, '') }));
      expect(model.compiledWith !== null).toBe(e.compiled);
      await lifeOf(model, e.x, e.y, 1e-5, engine);
      model.dispose();
    });
  }

  it('keras3-lstm.keras: the compile settings are Keras\'s (loss, Adam, metrics)', async () => {
    const model = asSequential(await loadModel(fixture('keras3-lstm.keras'), { engine }));
    expect(model.compiledWith).toMatchObject({ loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'], optimizer: { type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } });
    expect(model.compiledWith!.optimizer.learningRate).toBeCloseTo(1e-3, 9);
    model.dispose();
  });

  it('a functional model that is one chain loads as a Sequential with its layers in chain order', async () => {
    const model = asSequential(await loadModel(fixture('keras3-functional.keras'), { engine }));
    expect(model.layers.map((b) => b.layer.className)).toEqual(['LSTM', 'GRU', 'Dense']);
    model.dispose();
  });
});

// ---- Keras 2 .h5, built here in tf.keras 2's layout ----

type KerasEntry = { class_name: string; config: Record<string, unknown>; name?: string; inbound_nodes?: unknown[]; module?: string; registered_name?: unknown; build_config?: unknown };

/** A Keras 3 layer entry as tf.keras 2.15 writes it (batch_input_shape, dtype strings, no module; Bidirectional's layer under its own name). */
function keras2Entry(l: KerasEntry): KerasEntry {
  const c: Record<string, unknown> = { ...l.config };
  if ('batch_shape' in c) {
    c.batch_input_shape = c.batch_shape;
    delete c.batch_shape;
    delete c.optional;
  }
  if (typeof c.dtype === 'object' && c.dtype !== null) c.dtype = (c.dtype as { config: { name: string } }).config.name;
  if (['LSTM', 'GRU', 'SimpleRNN'].includes(l.class_name)) {
    c.time_major = false;
    delete c.seed;
  }
  if (l.class_name === 'Bidirectional') {
    const inner = keras2Entry(c.layer as KerasEntry);
    inner.config.name = String(inner.config.name).replace(/^forward_/, '');
    c.layer = inner;
    delete c.backward_layer; // tf.keras 2 writes it only when one was given
  }
  const nodes = l.inbound_nodes?.map((n) => {
    const args = (n as { args: Array<{ config: { keras_history: [string, number, number] } }> }).args;
    return args.map((t) => [...t.config.keras_history, {}]);
  });
  return { class_name: l.class_name, config: c, ...(l.name !== undefined ? { name: l.name } : {}), ...(nodes ? { inbound_nodes: nodes } : {}) };
}

function keras2Config(config3: { class_name: string; config: { name: string; layers: KerasEntry[]; input_layers?: unknown; output_layers?: unknown } }): unknown {
  const c = config3.config;
  const refs = (r: unknown) => (Array.isArray(r) && typeof r[0] === 'string' ? [r] : r);
  return {
    class_name: config3.class_name,
    config: { name: c.name, layers: c.layers.map(keras2Entry), ...(c.input_layers ? { input_layers: refs(c.input_layers), output_layers: refs(c.output_layers) } : {}) },
    keras_version: '2.15.0',
    backend: 'tensorflow',
  };
}

const CELLS: Record<string, string> = { LSTM: 'lstm_cell', GRU: 'gru_cell', SimpleRNN: 'simple_rnn_cell' };

/** A weight's name in tf.keras 2 (lstm/lstm_cell/kernel:0, bidirectional/forward_lstm/lstm_cell/bias:0, dense/kernel:0). */
function keras2WeightName(b: BuiltLayer, weight: string): string {
  const parts = weight.slice(b.name.length + 1).split('/');
  const leaf = parts.pop()!;
  const cls = b.layer.className === 'Bidirectional' ? b.layer.layer.className : b.layer.className;
  return [b.name, ...parts, ...(CELLS[cls] ? [CELLS[cls]] : []), `${leaf}:0`].join('/');
}

let h5Counter = 0;
/** A tf.keras 2 full-model .h5 written with h5wasm: model_config (+ training_config) and model_weights/<layer>/. */
async function writeKeras2H5(modelConfig: unknown, layers: readonly BuiltLayer[], weights: Map<string, Float32Array>, trainingConfig?: unknown): Promise<Uint8Array> {
  const h5wasm = (await import('h5wasm')).default;
  const { FS } = await h5wasm.ready;
  const file = `/keras2-test-${++h5Counter}.h5`;
  const f = new h5wasm.File(file, 'w');
  try {
    f.create_attribute('keras_version', '2.15.0');
    f.create_attribute('backend', 'tensorflow');
    f.create_attribute('model_config', JSON.stringify(modelConfig));
    if (trainingConfig) f.create_attribute('training_config', JSON.stringify(trainingConfig));
    const groups = new Set<string>();
    const group = (p: string) => {
      const parts = p.split('/');
      for (let i = 1; i <= parts.length; i++) {
        const g = parts.slice(0, i).join('/');
        if (!groups.has(g)) {
          f.create_group(g);
          groups.add(g);
        }
      }
      return f.get(p) as InstanceType<typeof h5wasm.Group>;
    };
    const mw = group('model_weights');
    mw.create_attribute('layer_names', layers.map((b) => b.name));
    mw.create_attribute('backend', 'tensorflow');
    mw.create_attribute('keras_version', '2.15.0');
    for (const b of layers) {
      const g = group(`model_weights/${b.name}`);
      const names = b.weights.map((w) => keras2WeightName(b, w.name));
      if (names.length > 0) g.create_attribute('weight_names', names);
      b.weights.forEach((w, i) => {
        const dir = names[i]!.split('/').slice(0, -1).join('/');
        const parent = group(`model_weights/${b.name}/${dir}`);
        parent.create_dataset({ name: names[i]!.split('/').pop()!, data: weights.get(w.name)!, shape: w.shape, dtype: '<f' });
      });
    }
  } finally {
    f.close();
  }
  const bytes = FS!.readFile(file);
  FS!.unlink(file);
  return bytes;
}

/** The Keras 3 fixture's model and config, and the same model as a hand-built tf.keras 2 .h5. */
async function keras2From(file: string, trainingConfig?: unknown): Promise<Uint8Array> {
  const bytes = fixture(file);
  const config = JSON.parse(await (await JSZip.loadAsync(bytes)).file('config.json')!.async('string'));
  const model = asSequential(await loadModel(bytes, { engine }));
  const h5 = await writeKeras2H5(keras2Config(config), model.layers, await model.getWeights(), trainingConfig);
  model.dispose();
  return h5;
}

const KERAS2_TRAINING = {
  loss: 'sparse_categorical_crossentropy',
  metrics: [[{ class_name: 'MeanMetricWrapper', config: { name: 'accuracy', dtype: 'float32', fn: 'sparse_categorical_accuracy' } }]],
  weighted_metrics: null,
  loss_weights: null,
  optimizer_config: { class_name: 'Custom>Adam', config: { name: 'Adam', weight_decay: null, clipnorm: null, global_clipnorm: null, clipvalue: null, use_ema: false, ema_momentum: 0.99, ema_overwrite_frequency: null, jit_compile: true, is_legacy_optimizer: false, learning_rate: 0.0010000000474974513, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false } },
};

describe('Keras 2 .h5 files (hand-built in the documented layout: see the file comment)', () => {
  for (const [source, training] of [
    ['keras3-lstm.keras', KERAS2_TRAINING],
    ['keras3-bidirectional.keras', KERAS2_TRAINING],
    ['keras3-tagger.keras', undefined],
    ['keras3-gru-reset-after.keras', undefined],
    ['keras3-gru-reset-before.keras', undefined],
    ['keras3-simple-rnn.keras', undefined],
    ['keras3-functional.keras', undefined],
  ] as const) {
    const name = source.replace('keras3-', 'keras2-').replace('.keras', '.h5');
    it(`${name}: loads ${training ? 'compiled' : 'uncompiled'}, predicts Keras's numbers within 1e-5, saves, exports to .keras and back bitwise, fine-tunes`, async () => {
      const e = EXPECTED.files[source]!;
      const model = asSequential(await loadModel(await keras2From(source, training), { engine, name }));
      expect(model.compiledWith !== null).toBe(training !== undefined);
      await lifeOf(model, e.x, e.y, 1e-5, engine);
      model.dispose();
    });
  }

  it('a truncated .h5 is refused in one sentence', async () => {
    const h5 = await keras2From('keras3-lstm.keras');
    await expectSentence(h5.subarray(0, Math.floor(h5.length / 2)), /^model\.h5 is truncated: its HDF5 superblock declares \d+ bytes, the file has \d+$/, 'model.h5');
  });

  it('a dataset of the wrong shape is named, with the shape its layer expects', async () => {
    const bytes = fixture('keras3-lstm.keras');
    const config = JSON.parse(await (await JSZip.loadAsync(bytes)).file('config.json')!.async('string'));
    const model = asSequential(await loadModel(bytes, { engine }));
    const weights = await model.getWeights();
    const k2 = keras2Config(config) as { config: { layers: KerasEntry[] } };
    k2.config.layers[2]!.config.units = 3; // the dense layer: the file's kernel is [5, 2]
    const h5 = await writeKeras2H5(k2, model.layers, weights);
    model.dispose();
    await expectSentence(h5, /^model\.h5: model_weights\/dense\/dense\/kernel:0 has shape \[5, 2\]; layer "dense" \(Dense\) expects its kernel \[5, 3\]$/, 'model.h5');
  });

  it('a weights-only .h5 and a model_config with an unsupported layer are refused in one sentence', async () => {
    const bytes = fixture('keras3-lstm.keras');
    const config = JSON.parse(await (await JSZip.loadAsync(bytes)).file('config.json')!.async('string'));
    const model = asSequential(await loadModel(bytes, { engine }));
    const k2 = keras2Config(config) as { config: { layers: KerasEntry[] } };
    k2.config.layers.splice(1, 0, { class_name: 'GaussianNoise', config: { name: 'gaussian_noise', stddev: 0.1 } });
    const h5 = await writeKeras2H5(k2, model.layers, await model.getWeights());
    model.dispose();
    await expectSentence(h5, /^old\.h5: model_config: layer "gaussian_noise" \(GaussianNoise\) is not supported \(supported: InputLayer, Embedding, Masking, SpatialDropout1D, Dropout, LSTM, GRU, SimpleRNN, Bidirectional, Dense, TimeDistributed\)$/, 'old.h5');
    const weightsOnly = await (await JSZip.loadAsync(fixture('keras3-lstm.keras'))).file('model.weights.h5')!.async('uint8array');
    await expectSentence(weightsOnly, /^the \.h5 file: this is a Keras 3 weights file \(model\.weights\.h5\) without the model's configuration; load the \.keras archive it came from$/);
  });
});

// ---- unsupported layers and options, corrupt and truncated files ----

/** keras3-lstm.keras with its config.json changed by `edit` (the LSTM is layers[1]). */
async function editedKeras(file: string, edit: (config: { config: { layers: KerasEntry[] } }) => void, h5?: (bytes: Uint8Array) => Uint8Array): Promise<Uint8Array> {
  const zip = await JSZip.loadAsync(fixture(file));
  const config = JSON.parse(await zip.file('config.json')!.async('string'));
  edit(config);
  zip.file('config.json', JSON.stringify(config));
  if (h5) zip.file('model.weights.h5', h5(await zip.file('model.weights.h5')!.async('uint8array')));
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
}
const lstmConfig = (c: { config: { layers: KerasEntry[] } }) => c.config.layers[1]!.config;

describe('refused before any GPU work, in one sentence', () => {
  it('a layer kind the engine has not got (Conv1D)', async () => {
    await expectSentence(fixture('keras3-refused-conv1d.keras'), /^keras3-refused-conv1d\.keras: config\.json: layer "conv1d(_\d+)?" \(Conv1D\) is not supported \(supported: InputLayer, Embedding, Masking, SpatialDropout1D, Dropout, LSTM, GRU, SimpleRNN, Bidirectional, Dense, TimeDistributed\)$/, 'keras3-refused-conv1d.keras');
  });

  it('an LSTM with activation relu', async () => {
    await expectSentence(fixture('keras3-refused-lstm-relu.keras'), /^model\.keras: config\.json: layer "lstm_2" \(LSTM\): activation "relu" is not supported \(only "tanh"\)$/, 'model.keras');
  });

  it('a functional model that branches', async () => {
    await expectSentence(fixture('keras3-refused-branch.keras'), /^the \.keras archive: config\.json: the functional model is not one chain of layers \(.+\); only Sequential models and functional models whose layers each take the previous one's output load$/);
  });

  for (const [what, edit, pattern] of [
    ['stateful=True', (c) => (lstmConfig(c).stateful = true), /layer "lstm" \(LSTM\): stateful true is not supported \(only false\)$/],
    ['use_bias=False', (c) => (lstmConfig(c).use_bias = false), /layer "lstm" \(LSTM\): use_bias false is not supported \(only true\)$/],
    ['return_state=True', (c) => (lstmConfig(c).return_state = true), /layer "lstm" \(LSTM\): return_state true is not supported \(only false\)$/],
    ['recurrent_activation hard_sigmoid', (c) => (lstmConfig(c).recurrent_activation = 'hard_sigmoid'), /layer "lstm" \(LSTM\): recurrent_activation "hard_sigmoid" is not supported \(only "sigmoid"\)$/],
    ['a kernel regularizer', (c) => (lstmConfig(c).kernel_regularizer = { module: 'keras.regularizers', class_name: 'L2', config: { l2: 0.01 }, registered_name: null }), /layer "lstm" \(LSTM\): kernel_regularizer L2 is not supported \(this engine trains without weight penalties and constraints\); set it to None in Keras and save the model again$/],
    ['trainable=False', (c) => (lstmConfig(c).trainable = false), /layer "lstm" \(LSTM\): trainable=False is not supported/],
    ['a float64 dtype policy', (c) => (lstmConfig(c).dtype = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float64' }, registered_name: null }), /layer "lstm" \(LSTM\): dtype "float64" is not supported/],
    ['a Dense activation the engine has not got (gelu)', (c) => (c.config.layers[2]!.config.activation = 'gelu'), /layer "dense" \(Dense\): unknown activation "gelu" \(known: linear, softmax, sigmoid, tanh, relu\)$/],
    ['a Dense without bias', (c) => (c.config.layers[2]!.config.use_bias = false), /layer "dense" \(Dense\): use_bias false is not supported \(only true\)$/],
    ['a Sequential nested as a layer', (c) => c.config.layers.splice(1, 1, { class_name: 'Sequential', config: { name: 'inner', layers: [] } }), /layer "inner" \(Sequential\) is not supported/],
  ] as Array<[string, (c: { config: { layers: KerasEntry[] } }) => void, RegExp]>) {
    it(what, async () => {
      const msg = await expectSentence(await editedKeras('keras3-lstm.keras', edit), pattern, 'model.keras');
      expect(msg.startsWith('model.keras: config.json: ')).toBe(true);
    });
  }

  it('unit_forget_bias False is accepted (it only chooses the initial bias) and predicts as Keras did', async () => {
    const bytes = await editedKeras('keras3-lstm.keras', (c) => (lstmConfig(c).unit_forget_bias = false));
    const model = asSequential(await loadModel(bytes, { engine }));
    expectWithin((await model.predict(EXPECTED.files['keras3-lstm.keras']!.x)) as Nested, EXPECTED.files['keras3-lstm.keras']!.y, 1e-5, 'predictions');
    model.dispose();
  });

  it('a Bidirectional whose backward layer is not its layer run backwards', async () => {
    const bytes = await editedKeras('keras3-bidirectional.keras', (c) => {
      const bidi = c.config.layers.find((l) => l.class_name === 'Bidirectional')!;
      (bidi.config.backward_layer as KerasEntry).config.units = 7;
    });
    await expectSentence(bytes, /^model\.keras: config\.json: layer "bidirectional(_\d+)?" \(Bidirectional\): a backward_layer that is not the wrapped layer run backwards is not supported/, 'model.keras');
  });

  it('a weight whose shape differs from its layer\'s is named with both shapes', async () => {
    const bytes = await editedKeras('keras3-lstm.keras', (c) => (lstmConfig(c).units = 6));
    await expectSentence(bytes, /^model\.keras: model\.weights\.h5: layers\/lstm\/cell\/vars\/0 has shape \[3, 20\]; layer "lstm" \(LSTM\) expects its kernel \[3, 24\]$/, 'model.keras');
  });

  it('a truncated .keras archive', async () => {
    const bytes = fixture('keras3-lstm.keras');
    await expectSentence(bytes.subarray(0, Math.floor(bytes.length / 2)), /^model\.keras is truncated or corrupt: it has no zip central directory \(the end of the file is missing\)$/, 'model.keras');
    await expectSentence(bytes.subarray(0, Math.floor(bytes.length / 2)), /^the \.keras archive is truncated or corrupt/);
  });

  it('a .keras archive whose model.weights.h5 is truncated, or corrupt inside', async () => {
    const truncated = await editedKeras('keras3-lstm.keras', () => {}, (h5) => h5.subarray(0, h5.length - 1000));
    await expectSentence(truncated, /^model\.keras: model\.weights\.h5 is truncated: its HDF5 superblock declares \d+ bytes, the file has \d+$/, 'model.keras');
    const notHdf5 = await editedKeras('keras3-lstm.keras', () => {}, (h5) => new TextEncoder().encode('not an HDF5 file'.repeat(h5.length >> 4)));
    await expectSentence(notHdf5, /^model\.keras: model\.weights\.h5 is not an HDF5 file/, 'model.keras');
    // Every byte after the superblock garbled: h5wasm's failure comes back as a sentence.
    const garbled = await editedKeras('keras3-lstm.keras', () => {}, (h5) => {
      const g = h5.slice();
      for (let i = 96; i < g.length; i++) g[i] = (i * 131) & 0xff;
      return g;
    });
    await expectSentence(garbled, /^model\.keras: model\.weights\.h5/, 'model.keras');
  });

  it('a .keras archive with a corrupt entry (its CRC-32 does not match)', async () => {
    const zip = await JSZip.loadAsync(fixture('keras3-lstm.keras'));
    const raw = await zip.generateAsync({ type: 'uint8array', compression: 'STORE' });
    const text = new TextDecoder('latin1').decode(raw);
    const at = text.indexOf('"units"');
    const bad = raw.slice();
    bad[at + 1] = 'v'.charCodeAt(0);
    await expectSentence(bad, /^model\.keras: "config\.json" in the zip is corrupt: its data does not match its CRC-32 checksum$/, 'model.keras');
  });

  it('our own files still load (a layers model saved by save()); a Keras file is a layers model, not a preset', async () => {
    const bytes = fixture('keras3-lstm.keras');
    expect(await modelKindOf(bytes)).toBe('layers');
    expect(await refusal(loadModel(bytes, { engine: untouchable, kind: 'sentiment' }))).toBe('loadModel: the .keras archive is a model from Keras or TF.js (a layers model), not a sentiment model');
    const model = asSequential(await loadModel(bytes, { engine, kind: 'layers' }));
    const again = asSequential(await loadModel(await model.save({ includeOptimizer: false }), { engine }));
    expect(again.compiledWith).toEqual(model.compiledWith);
    expect(await again.getWeights()).toEqual(await model.getWeights());
    model.dispose();
    again.dispose();
  });
});

// ---- TF.js ----

interface TfjsCase {
  name: string;
  make: () => tf.Sequential;
  x: () => number[][] | number[][][];
  compile?: tf.ModelCompileArgs;
}

const z = { kernelInitializer: 'zeros', recurrentInitializer: 'zeros', biasInitializer: 'zeros' } as const;
const tr = rng('tfjs-import');
const idsOf = (n: number, T: number, V: number) => Array.from({ length: n }, (_, i) => Array.from({ length: T }, (_, t) => (t < T - 1 - (i % T) ? 0 : 1 + Math.floor(tr() * (V - 1)))));
const floatsOf = (n: number, T: number, F: number) => Array.from({ length: n }, () => Array.from({ length: T }, () => Array.from({ length: F }, () => Math.fround(tr() * 2 - 1))));

const TFJS_CASES: TfjsCase[] = [
  {
    name: 'lstm',
    make: () => tf.sequential({ layers: [tf.layers.lstm({ units: 5, recurrentActivation: 'sigmoid', inputShape: [6, 3], ...z }), tf.layers.dense({ units: 2, activation: 'softmax', ...z })] }),
    x: () => floatsOf(4, 6, 3),
    compile: { loss: 'sparseCategoricalCrossentropy', optimizer: tf.train.adam(0.002), metrics: ['accuracy'] },
  },
  {
    name: 'gru',
    make: () => tf.sequential({ layers: [tf.layers.gru({ units: 4, recurrentActivation: 'sigmoid', inputShape: [6, 2], ...z }), tf.layers.dense({ units: 1, activation: 'sigmoid', ...z })] }),
    x: () => floatsOf(4, 6, 2),
  },
  {
    name: 'simple-rnn',
    make: () => tf.sequential({ layers: [tf.layers.simpleRNN({ units: 4, inputShape: [6, 2], ...z }), tf.layers.dense({ units: 1, ...z })] }),
    x: () => floatsOf(4, 6, 2),
  },
  {
    name: 'bidirectional-masked',
    make: () =>
      tf.sequential({
        layers: [
          tf.layers.embedding({ inputDim: 20, outputDim: 4, maskZero: true, inputLength: 7, embeddingsInitializer: 'zeros' }),
          tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnSequences: true, recurrentActivation: 'sigmoid', ...z }) as tf.RNN }),
          tf.layers.lstm({ units: 3, recurrentActivation: 'sigmoid', ...z }),
          tf.layers.dense({ units: 2, activation: 'softmax', ...z }),
        ],
      }),
    x: () => idsOf(5, 7, 20),
  },
  {
    name: 'tagger',
    make: () => tf.sequential({ layers: [tf.layers.embedding({ inputDim: 18, outputDim: 4, maskZero: true, inputLength: 7, embeddingsInitializer: 'zeros' }), tf.layers.lstm({ units: 5, returnSequences: true, recurrentActivation: 'sigmoid', ...z }), tf.layers.dense({ units: 4, activation: 'softmax', ...z })] }),
    x: () => idsOf(4, 7, 18),
  },
  {
    // Masking on floats (each row's first i timesteps all zeros), directions averaged.
    name: 'masking-ave',
    make: () => tf.sequential({ layers: [tf.layers.masking({ maskValue: 0, inputShape: [6, 2] }), tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 3, ...z }) as tf.RNN, mergeMode: 'ave' }), tf.layers.dense({ units: 2, activation: 'softmax', ...z })] }),
    x: () => floatsOf(4, 6, 2).map((row, i) => row.map((v, t) => (t < i ? v.map(() => 0) : v))),
  },
  {
    name: 'time-distributed-sum-mul',
    make: () =>
      tf.sequential({
        layers: [
          tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnSequences: true, recurrentActivation: 'sigmoid', ...z }) as tf.RNN, mergeMode: 'sum', inputShape: [5, 3] }),
          tf.layers.bidirectional({ layer: tf.layers.gru({ units: 2, returnSequences: true, recurrentActivation: 'sigmoid', ...z }) as tf.RNN, mergeMode: 'mul' }),
          tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2, activation: 'sigmoid', ...z }) }),
        ],
      }),
    x: () => floatsOf(4, 5, 3),
  },
];

interface TfjsMade {
  modelJson: { modelTopology: unknown; weightsManifest: Array<{ paths: string[]; weights: unknown[] }>; format?: string; trainingConfig?: unknown };
  weightsBin: Uint8Array;
  x: number[][] | number[][][];
  y: Nested;
}

/** A TF.js model with seeded weights, saved by TF.js (withSaveHandler), and TF.js's predictions. */
async function madeByTfjs(c: TfjsCase): Promise<TfjsMade> {
  const model = c.make();
  model.setWeights(model.getWeights().map((w) => tf.tensor(Float32Array.from({ length: w.size }, () => Math.fround(tr() - 0.5)), w.shape)));
  if (c.compile) model.compile(c.compile);
  let art: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      art = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
    { includeOptimizer: c.compile !== undefined },
  );
  const x = c.x();
  const y = (model.predict(tf.tensor(x as number[][])) as tf.Tensor).arraySync() as Nested;
  const a = art!;
  return {
    modelJson: { format: a.format!, modelTopology: a.modelTopology, ...(a.trainingConfig ? { trainingConfig: a.trainingConfig } : {}), weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs! }] },
    weightsBin: new Uint8Array(a.weightData as ArrayBuffer),
    x,
    y,
  };
}

describe('TF.js Layers models (made here by TF.js)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const c of TFJS_CASES) {
    it(`${c.name}: { modelJson, weightsBin } loads ${c.compile ? 'compiled' : 'uncompiled'}, predicts TF.js's numbers within 1e-5, saves, exports to .keras and back bitwise, fine-tunes`, async () => {
      const made = await madeByTfjs(c);
      const model = asSequential(await loadModel({ modelJson: made.modelJson, weightsBin: made.weightsBin }, { engine }));
      expect(model.compiledWith !== null).toBe(c.compile !== undefined);
      await lifeOf(model, made.x, made.y, 1e-5, engine);
      model.dispose();
    });
  }

  describe('from a URL, its shards fetched beside it', () => {
    let server: http.Server;
    let base = '';
    const served = new Map<string, Uint8Array>();
    beforeAll(async () => {
      server = http.createServer((req, res) => {
        const body = served.get(req.url ?? '');
        res.writeHead(body ? 200 : 404).end(body ?? 'not found');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('model.json with two shards', async () => {
      const made = await madeByTfjs(TFJS_CASES[0]!);
      const half = Math.floor(made.weightsBin.length / 8) * 4;
      const json = { ...made.modelJson, weightsManifest: [{ ...made.modelJson.weightsManifest[0]!, paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'] }] };
      served.set('/models/m/model.json', new TextEncoder().encode(JSON.stringify(json)));
      served.set('/models/m/group1-shard1of2.bin', made.weightsBin.slice(0, half));
      served.set('/models/m/group1-shard2of2.bin', made.weightsBin.slice(half));
      const model = asSequential(await loadModel(`${base}/models/m/model.json`, { engine }));
      expectWithin((await model.predict(made.x)) as Nested, made.y, 1e-5, 'predictions');
      model.dispose();
      served.delete('/models/m/group1-shard2of2.bin');
      expect(await refusal(loadModel(`${base}/models/m/model.json`, { engine: untouchable }))).toMatch(/^loadModel: fetching http:\/\/127\.0\.0\.1:\d+\/models\/m\/group1-shard2of2\.bin answered 404/);
    });
  });

  it('from File objects (model.json and its .bin), as a user drops them', async () => {
    const made = await madeByTfjs(TFJS_CASES[3]!);
    const files = [new File([JSON.stringify(made.modelJson)], 'model.json'), new File([made.weightsBin.slice()], 'weights.bin')];
    const model = asSequential(await loadModel(files, { engine }));
    expectWithin((await model.predict(made.x)) as Nested, made.y, 1e-5, 'predictions');
    model.dispose();
    await expectSentence([files[0]!], /^model\.json: its weight shard "weights\.bin" is not among the files given \(model\.json\)$/);
    await expectSentence(files[0]!, /^model\.json: a TF\.js model\.json needs its weight shards/);
  });

  it('from a zip holding model.json and its shard in a folder', async () => {
    const made = await madeByTfjs(TFJS_CASES[4]!);
    const zip = new JSZip();
    zip.file('tagger/model.json', JSON.stringify(made.modelJson));
    zip.file('tagger/weights.bin', made.weightsBin);
    const model = asSequential(await loadModel(await zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' }), { engine }));
    expectWithin((await model.predict(made.x)) as Nested, made.y, 1e-5, 'predictions');
    model.dispose();
  });

  it("TF.js's default GRU (recurrentActivation hardSigmoid) is refused, naming the layer and option", async () => {
    const model = tf.sequential({ layers: [tf.layers.gru({ units: 2, inputShape: [3, 2], ...z, name: 'gru_default' })] });
    let art: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => ((art = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' as const } })));
    const modelJson = { modelTopology: art!.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: art!.weightSpecs! }] };
    await expectSentence({ modelJson, weightsBin: new Uint8Array(art!.weightData as ArrayBuffer) }, /^model\.json: modelTopology: layer "gru_default" \(GRU\): recurrent_activation "hard_sigmoid" is not supported \(only "sigmoid"\)$/);
  });

  it('weight data of the wrong size is refused with both sizes', async () => {
    const made = await madeByTfjs(TFJS_CASES[1]!);
    await expectSentence({ modelJson: made.modelJson, weightsBin: made.weightsBin.subarray(0, made.weightsBin.length - 4) }, /^model\.json: the weight data holds \d+ bytes; the manifest's weights need \d+$/);
  });
});
