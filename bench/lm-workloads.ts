/**
 * The text-generation benchmark's workloads: TF.js's own example model (tfjs-examples
 * lstm-text-generation: one-hot characters, LSTM 128, windows of 40, batch 128, next character after
 * each window) trained by TF.js on a backend and, layer for layer the same, by our layers API, their steps
 * interleaved; plus our generation speed. Numbers only; nothing asserts.
 */
import type * as TF from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { layers, sequential } from '../src/index';
import { createLanguageModel } from '../src/lm/language-model';
import { gatherInputs, readInputs } from '../src/layers/data';
import { timing, type Timing } from './workloads';

export interface LmShape {
  vocab: number;
  seqLen: number;
  units: number;
  batch: number;
}

/** The example's sizes (its default text, Nietzsche, has about 60 distinct characters). */
export const LM_EXAMPLE: LmShape = { vocab: 60, seqLen: 40, units: 128, batch: 128 };

export interface LmResult {
  who: string;
  step: Timing;
  windowsPerSec: number;
}

/** One trainer of the example's model, its batch ready: `step()` is one training step, awaited. */
export interface LmTrainer {
  who: string;
  step(): Promise<void>;
  dispose(): void;
}

function windows(s: LmShape, seed: string): { x: Float32Array; y: Uint32Array } {
  const r = seedrandom(seed);
  const x = new Float32Array(s.batch * s.seqLen * s.vocab);
  const y = Uint32Array.from({ length: s.batch }, () => Math.floor(r() * s.vocab));
  for (let i = 0; i < s.batch * s.seqLen; i++) x[i * s.vocab + Math.floor(r() * s.vocab)] = 1;
  return { x, y };
}

/** Our layers API on the example's model (one-hot input, read as indices by the first LSTM). */
export async function lmOurs(s: LmShape): Promise<LmTrainer> {
  const model = await sequential([layers.lstm({ units: s.units, inputShape: [s.seqLen, s.vocab] }), layers.dense({ units: s.vocab, activation: 'softmax' })], { seed: 1 });
  model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: { type: 'adam', learningRate: 0.01 } });
  const data = windows(s, 'ours');
  // The batch prepared once, as TF.js's tensors are: each timed step is the training step alone.
  const inputs = readInputs({ data: data.x, shape: [s.batch, s.seqLen, s.vocab] }, model.graph);
  const rows = Array.from({ length: s.batch }, (_, i) => i);
  const batch = { input: gatherInputs(inputs, rows, 'floats'), targets: Float64Array.from(data.y) };
  return {
    who: `webgpu-lstm (${model.engine.gpu.backend}, ${model.engine.tuning}-tuned)`,
    step: async () => void (await model.trainBatch(batch)),
    dispose: () => model.dispose(),
  };
}

/** The example's model in TF.js on `backend` (its code: tf.layers.lstm on one-hot input, dense softmax, categorical cross-entropy). */
export async function lmTfjs(tf: typeof TF, backend: string, s: LmShape): Promise<LmTrainer> {
  await tf.setBackend(backend);
  await tf.ready();
  const model = tf.sequential({
    layers: [tf.layers.lstm({ units: s.units, inputShape: [s.seqLen, s.vocab], recurrentActivation: 'sigmoid' }), tf.layers.dense({ units: s.vocab, activation: 'softmax' })],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  const data = windows(s, 'tfjs');
  const x = tf.tensor3d(data.x, [s.batch, s.seqLen, s.vocab]);
  const y = tf.oneHot(tf.tensor1d(Int32Array.from(data.y), 'int32'), s.vocab);
  return {
    who: `TF.js ${tf.version.tfjs} ${backend}`,
    step: async () => void (await model.trainOnBatch(x, y)),
    dispose: () => {
      x.dispose();
      y.dispose();
      model.dispose();
    },
  };
}

/**
 * `warmup` untimed steps each, then `steps` rounds of one timed step of every trainer in turn: on a
 * machine whose speed drifts, each ratio compares steps taken minutes apart at most, not whole runs.
 */
export async function interleaved(trainers: LmTrainer[], s: LmShape, steps: number, warmup: number): Promise<LmResult[]> {
  for (const t of trainers) for (let i = 0; i < warmup; i++) await t.step();
  const ms = trainers.map(() => [] as number[]);
  for (let i = 0; i < steps; i++) {
    for (const [k, t] of trainers.entries()) {
      const a = performance.now();
      await t.step();
      ms[k]!.push(performance.now() - a);
    }
  }
  return trainers.map((t, k) => {
    const step = timing(ms[k]!);
    return { who: t.who, step, windowsPerSec: (s.batch * 1000) / step.medianMs };
  });
}

/** Our generation speed: tokens per second of an LSTM-128 character model at temperature 1 (median of `runs`). */
export async function generationSpeed(length: number, runs = 5): Promise<{ tokensPerSec: number; chunk: number; runs: number[] }> {
  const text = Array.from({ length: 4000 }, (_, i) => String.fromCharCode(32 + ((i * 7919) % 59))).join('');
  const lm = await createLanguageModel(text, { units: 128, embedDim: 32, seqLen: 40 });
  await lm.generate('a', { length: 32 });
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    const a = performance.now();
    await lm.generate('a', { length, temperature: 1, seed: r + 1 });
    rates.push(length / ((performance.now() - a) / 1000));
  }
  lm.dispose();
  const sorted = [...rates].sort((a, b) => a - b);
  return { tokensPerSec: sorted[sorted.length >> 1]!, chunk: 64, runs: rates };
}
