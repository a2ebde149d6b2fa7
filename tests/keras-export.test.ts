/**
 * The Keras 3 export: the archive's structure and the HDF5 weights read back (always), and Keras 3 in
 * Python loading each archive and predicting what we predict within 1e-5 (when Python with Keras 3 and
 * a backend is on the machine; otherwise that test is reported as skipped, with the reason).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { layers, sequential, type Layer, type Sequential } from '../src/index';
import { readKeras } from '../src/layers/keras-archive';
import { getEngine, rng } from './helpers/gpu';

const r = rng('keras');
const prePadded = (n: number, T: number, V: number) =>
  Array.from({ length: n }, (_, i) => {
    const len = 1 + ((i * 3) % T);
    return [...Array(T - len).fill(0), ...Array.from({ length: len }, () => 1 + Math.floor(r() * (V - 1)))];
  });
const floats = (n: number, T: number, F: number) => Array.from({ length: n }, () => Array.from({ length: T }, () => Array.from({ length: F }, () => r() * 2 - 1)));

const CASES: Array<{ name: string; layers: () => Layer[]; x: () => number[][] | number[][][]; ids: boolean }> = [
  { name: 'sentiment', layers: () => [layers.embedding({ inputDim: 30, outputDim: 8, maskZero: true, inputShape: [9] }), layers.spatialDropout1d({ rate: 0.4 }), layers.lstm({ units: 10, dropout: 0.2, recurrentDropout: 0.2 }), layers.dense({ units: 3, activation: 'softmax' })], x: () => prePadded(6, 9, 30), ids: true },
  { name: 'forecaster', layers: () => [layers.lstm({ units: 12, inputShape: [14, 2] }), layers.dense({ units: 1 })], x: () => floats(5, 14, 2), ids: false },
  { name: 'tagger', layers: () => [layers.embedding({ inputDim: 25, outputDim: 6, maskZero: true, inputShape: [7] }), layers.lstm({ units: 9, returnSequences: true }), layers.dense({ units: 4, activation: 'softmax' })], x: () => prePadded(5, 7, 25), ids: true },
  {
    name: 'bidirectional-stack',
    layers: () => [layers.bidirectional({ layer: layers.lstm({ units: 7, returnSequences: true }), inputShape: [8, 3] }), layers.bidirectional({ layer: layers.lstm({ units: 5 }) }), layers.dropout({ rate: 0.1 }), layers.dense({ units: 6, activation: 'relu' }), layers.dense({ units: 1, activation: 'sigmoid' })],
    x: () => floats(4, 8, 3),
    ids: false,
  },
  // Keras's default GRU (reset_after, bias [2, 3·units]) and its older form, and SimpleRNN.
  { name: 'gru-sentiment', layers: () => [layers.embedding({ inputDim: 30, outputDim: 8, maskZero: true, inputShape: [9] }), layers.spatialDropout1d({ rate: 0.4 }), layers.gru({ units: 10, dropout: 0.2, recurrentDropout: 0.2 }), layers.dense({ units: 3, activation: 'softmax' })], x: () => prePadded(6, 9, 30), ids: true },
  {
    name: 'gru-reset-before-bidirectional',
    layers: () => [layers.bidirectional({ layer: layers.gru({ units: 6, resetAfter: false, returnSequences: true }), inputShape: [8, 3] }), layers.bidirectional({ layer: layers.gru({ units: 4, goBackwards: true }) }), layers.dense({ units: 1, activation: 'sigmoid' })],
    x: () => floats(4, 8, 3),
    ids: false,
  },
  { name: 'simple-rnn-tagger', layers: () => [layers.embedding({ inputDim: 25, outputDim: 6, maskZero: true, inputShape: [7] }), layers.simpleRNN({ units: 9, activation: 'relu', returnSequences: true }), layers.bidirectional({ layer: layers.simpleRNN({ units: 4, returnSequences: true }) }), layers.dense({ units: 4, activation: 'softmax' })], x: () => prePadded(5, 7, 25), ids: true },
  {
    name: 'masking-merge-modes-time-distributed',
    layers: () => [layers.masking({ inputShape: [8, 3] }), layers.bidirectional({ layer: layers.lstm({ units: 5, returnSequences: true }), mergeMode: 'sum' }), layers.bidirectional({ layer: layers.gru({ units: 4, returnSequences: true }), mergeMode: 'ave' }), layers.bidirectional({ layer: layers.simpleRNN({ units: 3, returnSequences: true }), mergeMode: 'mul' }), layers.timeDistributed({ layer: layers.dense({ units: 2, activation: 'softmax' }) })],
    x: () => floats(5, 8, 3).map((row, i) => row.map((v, t) => (t < i ? v.map(() => 0) : v))),
    ids: false,
  },
];

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keras-export-'));
const built: Array<{ file: string; x: unknown; expected: unknown; ids: boolean }> = [];

/** Python with Keras 3 importable, or why not. */
function pythonKeras(): string | null {
  const p = spawnSync('python3', ['-c', 'import os; os.environ.setdefault("KERAS_BACKEND", "jax"); import keras; assert keras.__version__.startswith("3"), keras.__version__'], { encoding: 'utf8', timeout: 120_000 });
  if (p.error) return `python3 is not available (${p.error.message})`;
  return p.status === 0 ? null : `Python cannot import Keras 3 with a backend here (${(p.stderr.trim().split('\n').pop() ?? '').slice(0, 120)})`;
}
const noKeras = pythonKeras();

describe('Keras 3 export', () => {
  for (const c of CASES) {
    it(`${c.name}: config.json, metadata.json and model.weights.h5 hold the layers and every weight`, async () => {
      const model: Sequential = await sequential(c.layers(), { seed: c.name, engine: await getEngine() });
      const bytes = await model.exportKeras();
      const { config, metadata, datasets } = await readKeras(bytes);
      const cfg = config as { class_name: string; config: { layers: Array<{ class_name: string; config: Record<string, unknown> }> } };
      expect(cfg.class_name).toBe('Sequential');
      expect(cfg.config.layers.map((l) => l.class_name)).toEqual(['InputLayer', ...model.layers.map((b) => b.layer.className)]);
      expect((metadata as { keras_version: string }).keras_version).toMatch(/^3\./);
      for (const l of cfg.config.layers) if (l.class_name === 'LSTM' || l.class_name === 'GRU') expect(l.config.recurrent_activation).toBe('sigmoid');
      for (const b of model.layers) {
        const gru = b.layer.className === 'GRU' ? b.layer : b.layer.className === 'Bidirectional' && b.layer.layer.className === 'GRU' ? b.layer.layer : null;
        // Keras's reset-after GRU keeps its two biases as one [2, 3·units] weight.
        if (gru) for (const w of b.weights.filter((w) => w.name.endsWith('/bias'))) expect(w.shape).toEqual(gru.resetAfter ? [2, 3 * gru.units] : [3 * gru.units]);
      }
      // Every weight, bit for bit, somewhere in the HDF5 file with its shape.
      const weights = await model.getWeights();
      const all = [...datasets.values()];
      for (const b of model.layers) for (const w of b.weights) expect(all.some((d) => JSON.stringify(d.shape) === JSON.stringify(w.shape) && d.data.every((v, i) => v === weights.get(w.name)![i])), w.name).toBe(true);
      expect(all.length).toBe(model.layers.reduce((s, b) => s + b.weights.length, 0));
      const file = path.join(dir, `${c.name}.keras`);
      fs.writeFileSync(file, bytes);
      const x = c.x();
      built.push({ file, x, expected: await model.predict(x as number[][]), ids: c.ids });
      model.dispose();
    });
  }

  it.skipIf(noKeras !== null)(`Keras 3 in Python loads every archive and predicts the same within 1e-5${noKeras ? ` — skipped: ${noKeras}` : ''}`, () => {
    expect(built).toHaveLength(CASES.length);
    const cases = path.join(dir, 'cases.json');
    fs.writeFileSync(cases, JSON.stringify(built));
    const p = spawnSync('python3', [path.resolve('tests/python/check_keras_export.py'), cases], { encoding: 'utf8', timeout: 300_000 });
    console.log(p.stdout);
    expect(p.stderr.split('\n').filter((l) => /Error|Traceback/.test(l))).toEqual([]);
    expect(p.status).toBe(0);
    expect(p.stdout.trim().split('\n')).toHaveLength(CASES.length);
  }, 300_000);
});
