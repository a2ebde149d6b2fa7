/**
 * The text-generation benchmark's workloads: TF.js's own example model (tfjs-examples
 * lstm-text-generation: one-hot characters, LSTM 128, windows of 40, batch 128, next character after
 * each window) trained by TF.js on a backend and, layer for layer the same, by our layers API; plus our
 * generation speed. Numbers only; nothing asserts.
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

function windows(s: LmShape, seed: string): { x: Float32Array; y: Uint32Array } {
  const r = seedrandom(seed);
  const x = new Float32Array(s.batch * s.seqLen * s.vocab);
  const y = Uint32Array.from({ length: s.batch }, () => Math.floor(r() * s.vocab));
  for (let i = 0; i < s.batch * s.seqLen; i++) x[i * s.vocab + Math.floor(r() * s.vocab)] = 1;
  return { x, y };
}

/** Our layers API on the example's model; `steps` timed training steps after `warmup`. */
export async function lmOurs(s: LmShape, steps: number, warmup: number): Promise<LmResult> {
  const model = await sequential([layers.lstm({ units: s.units, inputShape: [s.seqLen, s.vocab] }), layers.dense({ units: s.vocab, activation: 'softmax' })], { seed: 1 });
  model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: { type: 'adam', learningRate: 0.01 } });
  const data = windows(s, 'ours');
  // The batch prepared once, as TF.js's tensors are: each timed step is the training step alone.
  const inputs = readInputs({ data: data.x, shape: [s.batch, s.seqLen, s.vocab] }, model.graph);
  const rows = Array.from({ length: s.batch }, (_, i) => i);
  const batch = { input: gatherInputs(inputs, rows, 'floats'), targets: Float64Array.from(data.y) };
  for (let i = 0; i < warmup; i++) await model.trainBatch(batch);
  const ms: number[] = [];
  for (let i = 0; i < steps; i++) {
    const a = performance.now();
    await model.trainBatch(batch);
    ms.push(performance.now() - a);
  }
  model.dispose();
  const step = timing(ms);
  return { who: `webgpu-lstm (${model.engine.gpu.backend}, ${model.engine.tuning}-tuned)`, step, windowsPerSec: (s.batch * 1000) / step.medianMs };
}

/** The example's model in TF.js on `backend` (its code: tf.layers.lstm on one-hot input, dense softmax, categorical cross-entropy). */
export async function lmTfjs(tf: typeof TF, backend: string, s: LmShape, steps: number, warmup: number): Promise<LmResult> {
  await tf.setBackend(backend);
  await tf.ready();
  const model = tf.sequential({
    layers: [tf.layers.lstm({ units: s.units, inputShape: [s.seqLen, s.vocab], recurrentActivation: 'sigmoid' }), tf.layers.dense({ units: s.vocab, activation: 'softmax' })],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  const data = windows(s, 'tfjs');
  const x = tf.tensor3d(data.x, [s.batch, s.seqLen, s.vocab]);
  const y = tf.oneHot(tf.tensor1d(Int32Array.from(data.y), 'int32'), s.vocab);
  for (let i = 0; i < warmup; i++) await model.trainOnBatch(x, y);
  const ms: number[] = [];
  for (let i = 0; i < steps; i++) {
    const a = performance.now();
    await model.trainOnBatch(x, y);
    ms.push(performance.now() - a);
  }
  x.dispose();
  y.dispose();
  model.dispose();
  const step = timing(ms);
  return { who: `TF.js ${tf.version.tfjs} ${backend}`, step, windowsPerSec: (s.batch * 1000) / step.medianMs };
}

/** Our generation speed: tokens per second of an LSTM-128 character model at temperature 1. */
export async function generationSpeed(length: number): Promise<{ tokensPerSec: number; chunk: number }> {
  const text = Array.from({ length: 4000 }, (_, i) => String.fromCharCode(32 + ((i * 7919) % 59))).join('');
  const lm = await createLanguageModel(text, { units: 128, embedDim: 32, seqLen: 40 });
  await lm.generate('a', { length: 32 });
  const a = performance.now();
  await lm.generate('a', { length, temperature: 1, seed: 1 });
  const tokensPerSec = length / ((performance.now() - a) / 1000);
  lm.dispose();
  return { tokensPerSec, chunk: 64 };
}
