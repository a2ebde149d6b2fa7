/**
 * Benchmark workloads shared by the browser page (bench/browser.html) and the Node/Dawn runner:
 * our engine on the reference model, and the same model and data in TF.js on a given backend.
 * Everything here returns numbers; nothing asserts.
 */
import type * as TF from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { type Engine, type Tuning } from '../src/engine/engine';
import { createEngine } from '../src/ops/create-engine';
import type { AcquireOptions } from '../src/gpu/device';
import type { LstmSchedule } from '../src/kernels/variants';
import { gemm } from '../src/ops/matmul';
import { DEFAULT_NETWORK, sentimentNetwork, type NetworkConfig } from '../src/sentiment/recipe';
import type { Sequential, TrainBatch } from '../src/layers/sequential';

export interface ModelShape {
  vocab: number;
  embed: number;
  units: number;
  classes: number;
  batch: number;
  maxlen: number;
}

export const REFERENCE: ModelShape = { vocab: 2000, embed: 128, units: 196, classes: 2, batch: 32, maxlen: 28 };

export interface Timing {
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
  samples: number;
}

export interface EngineResult {
  backend: string;
  adapter: string;
  shape: ModelShape;
  /** Engine creation (all pipelines compiled), model creation and the first training step. */
  firstStepMs: number;
  step: Timing;
  trainSeqPerSec: number;
  inferSeqPerSec32: number;
  inferSeqPerSec512: number;
  dispatchesPerStep: number;
  modelGflop: number;
  achievedGflops: number;
  gemmCeilingGflops: number;
  gemms: GemmTiming[];
  tuning: Tuning;
  liveBytesPerEpoch: number[];
  /** Largest GPU allocation while training (before the inference runs, whose batch-512 activations are larger). */
  trainPeakBytes: number;
  /** The same from outside the engine (every buffer of its device, see bench/gpu-memory.ts), where measured. */
  trainPeakDeviceBytes: number | null;
  peakBytes: number;
  kernels: Array<{ kernel: string; ms: number; count: number }> | null;
}

export interface PeerResult {
  peer: string;
  firstStepMs: number;
  step: Timing;
  trainSeqPerSec: number;
  inferSeqPerSec32: number | null;
  inferSeqPerSec512: number | null;
  peakBytes: number | null;
  /** Peak buffer bytes of the backend's device during training (bench/gpu-memory.ts), where measured. */
  trainPeakDeviceBytes: number | null;
  note: string;
}

export function timing(xs: number[]): Timing {
  const s = [...xs].sort((a, b) => a - b);
  const q = (f: number) => s[Math.min(s.length - 1, Math.max(0, Math.round(f * (s.length - 1))))]!;
  return { medianMs: q(0.5), p10Ms: q(0.1), p90Ms: q(0.9), samples: s.length };
}

/** A batch of token ids and class labels, batch-major. */
export interface Batch {
  ids: Uint32Array;
  B: number;
  T: number;
  labels: Uint32Array;
}

/** Random full-length batches (no padding: the worst case, and what TF.js gets too). */
export function randomBatch(shape: ModelShape, seed: string): Batch {
  const r = seedrandom(seed);
  const ids = Uint32Array.from({ length: shape.batch * shape.maxlen }, () => 1 + Math.floor(r() * (shape.vocab - 1)));
  const labels = Uint32Array.from({ length: shape.batch }, () => Math.floor(r() * shape.classes));
  return { ids, B: shape.batch, T: shape.maxlen, labels };
}

/** The batch as the layers model takes it (class ids as targets). */
export function trainBatch(b: Batch): TrainBatch {
  return { input: { B: b.B, T: b.T, ids: b.ids }, targets: Float64Array.from(b.labels) };
}

/** FLOPs of one training step of the LSTM (forward + backward) and the dense head; the embedding is a gather. */
export function modelFlops(s: ModelShape): number {
  const rows = s.batch * s.maxlen;
  const G = 4 * s.units;
  const fwd = 2 * rows * s.embed * G + 2 * rows * s.units * G + 2 * s.batch * s.units * s.classes;
  const bwd = 2 * rows * s.units * G + 2 * s.units * G * rows + 2 * s.embed * G * rows + 2 * rows * G * s.embed + 4 * s.batch * s.units * s.classes;
  return fwd + bwd;
}

async function timeIt(engine: Engine, fn: () => void): Promise<number> {
  const t0 = performance.now();
  fn();
  await engine.sync();
  return performance.now() - t0;
}

export interface GemmTiming {
  M: number;
  N: number;
  K: number;
  transA: boolean;
  ms: number;
  gflops: number;
}

/** The reference model's three GEMM shapes and a square one, timed alone: the GEMM ceiling of the adapter. */
export async function gemmTimings(engine: Engine, s: ModelShape, reps: number): Promise<GemmTiming[]> {
  const rows = s.batch * s.maxlen;
  const G = 4 * s.units;
  const out: GemmTiming[] = [];
  for (const [M, N, K, ta, tb] of [
    [rows, G, s.embed, false, false],
    [s.units, G, rows, true, false],
    [rows, s.embed, G, false, true],
    [512, 512, 512, false, false],
  ] as Array<[number, number, number, boolean, boolean]>) {
    const a = engine.allocate(M * K, 'A');
    const b = engine.allocate(K * N, 'B');
    const c = engine.allocate(M * N, 'C');
    engine.write(a, Float32Array.from({ length: M * K }, (_, i) => (i % 7) * 0.1));
    engine.write(b, Float32Array.from({ length: K * N }, (_, i) => (i % 5) * 0.1));
    const run = () => {
      const step = engine.beginStep({ grad: false, label: 'gemm bench' });
      gemm(step, { a, b, c, M, N, K, transA: ta, transB: tb });
      step.submit();
    };
    await timeIt(engine, run);
    const ms: number[] = [];
    for (let i = 0; i < reps; i++) ms.push(await timeIt(engine, run));
    const t = timing(ms).medianMs;
    out.push({ M, N, K, transA: ta, ms: t, gflops: (2 * M * N * K) / t / 1e6 });
    for (const x of [a, b, c]) engine.release(x);
  }
  return out;
}

/**
 * The reference model's training step, ready to time one synced step at a time: the page and Node each
 * make one, and the benchmark alternates between them (`stepsInTurns` in bench/run.ts).
 */
export async function referenceStepper(): Promise<{ step(): Promise<number>; dispose(): void }> {
  const s = REFERENCE;
  const engine = await createEngine();
  const net = sentimentNetwork(engine, { ...DEFAULT_NETWORK, vocabSize: s.vocab, embedDim: s.embed, units: s.units, numClasses: s.classes, maskZero: true, seed: 1 });
  const batches = Array.from({ length: 4 }, (_, i) => trainBatch(randomBatch(s, `b${i}`)));
  let i = 0;
  return {
    async step() {
      const a = performance.now();
      await net.trainBatch(batches[i++ % 4]!);
      return performance.now() - a;
    },
    dispose: () => engine.destroy(),
  };
}

/** The scaling sweeps: one change from the reference model each. */
export const SWEEPS: Array<[string, Partial<ModelShape>]> = [
  ...[64, 128, 256, 512].map((units) => [`hidden ${units}`, { units }] as [string, Partial<ModelShape>]),
  ...[16, 32, 64, 128].map((maxlen) => [`seq len ${maxlen}`, { maxlen }] as [string, Partial<ModelShape>]),
  ...[8, 32, 128].map((batch) => [`batch ${batch}`, { batch }] as [string, Partial<ModelShape>]),
];

/**
 * The reference model as cuDNN can run it: no LSTM input or recurrent dropout (cuDNN has neither) and no
 * masking (the benchmark batches have no padding); SpatialDropout1D after the embedding stays.
 */
export const CUDNN_COMPARABLE: Partial<NetworkConfig> = { dropout: 0, recurrentDropout: 0, maskZero: false };

/**
 * GPU time per kernel of one training step (timestamp-query, one pass per dispatch), slowest first; null
 * when the adapter has no timestamp queries.
 */
export async function profileTrainStep(engine: Engine, net: Sequential, batch: TrainBatch): Promise<Array<{ kernel: string; count: number; ms: number }> | null> {
  if (!engine.gpu.features.has('timestamp-query')) return null;
  const step = engine.beginStep({ grad: true, profile: true, label: 'profiled step' });
  const done = net.encodeTrainStep(step, batch);
  step.submit();
  const prof = await step.profile!;
  // The step's own readbacks (loss, accuracy) too: the caller may destroy the engine next.
  await done;
  return [...prof.entries()].map(([kernel, v]) => ({ kernel, ...v })).sort((a, b) => b.ms - a.ms);
}

export async function benchEngine(opts: {
  shape: ModelShape;
  steps: number;
  warmup: number;
  epochs: number;
  stepsPerEpoch: number;
  profile: boolean;
  lite?: boolean;
  /** Measure pipelined throughput (two steps in flight) even when `lite`. */
  pipelined?: boolean;
  /** Overrides of the notebook recipe (dropouts, masking). */
  network?: Partial<NetworkConfig>;
  /** Reject a CPU (SwiftShader) adapter: for runs that claim to measure a real GPU. */
  requireHardware?: boolean;
  /** Kernel tuning (default: the engine's choice for the adapter). */
  tuning?: Tuning;
  /** How the gpu-tuned LSTM runs its recurrence (default 'auto': the measured table). */
  lstmSchedule?: LstmSchedule;
  acquire?: AcquireOptions;
  /** Peak buffer bytes of a device so far, measured outside the engine (bench/gpu-memory.ts). */
  devicePeak?: (device: GPUDevice) => number | null;
}): Promise<EngineResult> {
  const s = opts.shape;
  const t0 = performance.now();
  const engine = await createEngine({ tuning: opts.tuning, acquire: opts.acquire, lstmSchedule: opts.lstmSchedule });
  if (opts.requireHardware && engine.gpu.software) {
    engine.destroy();
    throw new Error(`a hardware GPU adapter was required, got ${engine.gpu.backend} ${JSON.stringify(engine.gpu.adapterInfo)}`);
  }
  const cfg: NetworkConfig = { ...DEFAULT_NETWORK, vocabSize: s.vocab, embedDim: s.embed, units: s.units, numClasses: s.classes, maskZero: true, seed: 1, ...opts.network };
  const net = sentimentNetwork(engine, cfg);
  const batches = Array.from({ length: 4 }, (_, i) => trainBatch(randomBatch(s, `b${i}`)));
  await net.trainBatch(batches[0]!);
  const firstStepMs = performance.now() - t0;
  for (let i = 0; i < opts.warmup; i++) await net.trainBatch(batches[i % 4]!);
  const ms: number[] = [];
  for (let i = 0; i < opts.steps; i++) {
    const a = performance.now();
    await net.trainBatch(batches[i % 4]!);
    ms.push(performance.now() - a);
  }
  const dispatchesPerStep = engine.lastStepDispatches;
  // Pipelined throughput: two steps in flight, as fit() runs them.
  const tp0 = performance.now();
  const inflight: Array<Promise<unknown>> = [];
  const pipelined = !opts.lite || opts.pipelined === true;
  for (let i = 0; i < (pipelined ? opts.steps : 0); i++) {
    inflight.push(net.trainBatch(batches[i % 4]!));
    if (inflight.length >= 2) await inflight.shift();
  }
  await Promise.all(inflight);
  const trainSeqPerSec = pipelined ? (opts.steps * s.batch) / ((performance.now() - tp0) / 1000) : (s.batch * 1000) / timing(ms).medianMs;
  // Live bytes across "epochs" of training steps.
  const liveBytesPerEpoch: number[] = [];
  for (let e = 0; e < opts.epochs; e++) {
    for (let i = 0; i < opts.stepsPerEpoch; i++) await net.trainBatch(batches[i % 4]!);
    liveBytesPerEpoch.push(engine.pool.allocatedBytes);
  }
  const trainPeakBytes = engine.pool.peakBytes;
  const trainPeakDeviceBytes = opts.devicePeak?.(engine.device) ?? null;
  const infer = async (B: number) => {
    const b = randomBatch({ ...s, batch: B }, `infer${B}`);
    await net.evaluateBatch(trainBatch(b));
    const reps = Math.max(2, Math.min(10, Math.round(opts.steps / 2)));
    const a = performance.now();
    for (let i = 0; i < reps; i++) await net.evaluateBatch(trainBatch(b));
    return (reps * B) / ((performance.now() - a) / 1000);
  };
  // `lite` (scaling sweeps): the training step only.
  const inferSeqPerSec32 = opts.lite ? NaN : await infer(32);
  const inferSeqPerSec512 = opts.lite ? NaN : await infer(512);
  const kernels = opts.profile ? await profileTrainStep(engine, net, batches[0]!) : null;
  const gemms = opts.lite ? [] : await gemmTimings(engine, s, Math.max(3, Math.min(7, opts.steps)));
  const gemmCeiling = opts.lite ? NaN : Math.max(...gemms.map((g) => g.gflops));
  const step = timing(ms);
  const flops = modelFlops(s);
  const a = engine.gpu.adapterInfo;
  const result: EngineResult = {
    backend: engine.gpu.backend,
    adapter: [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' '),
    shape: s,
    firstStepMs,
    step,
    trainSeqPerSec,
    inferSeqPerSec32,
    inferSeqPerSec512,
    dispatchesPerStep,
    modelGflop: flops / 1e9,
    achievedGflops: flops / step.medianMs / 1e6,
    gemmCeilingGflops: gemmCeiling,
    gemms,
    tuning: engine.tuning,
    liveBytesPerEpoch,
    trainPeakBytes,
    trainPeakDeviceBytes,
    peakBytes: engine.pool.peakBytes,
    kernels,
  };
  net.dispose();
  engine.destroy();
  return result;
}

export interface SentimentRun {
  /** Wall time of the first epoch of fit() (cleaning and tokenising included). */
  seconds: number;
  rows: number;
  seqPerSec: number;
  /** Test-split accuracy after each epoch, when asked for. */
  testAccuracy: number[];
}

/**
 * fit() on Sentiment.zip with the notebook recipe (Neutral dropped, test 0.33, seed 141): the first epoch
 * timed, and with `evaluate` the test accuracy after every epoch (an end-to-end correctness check on a new
 * adapter: the same recipe reaches ~0.87 on SwiftShader, see bench/RESULTS.md).
 */
export async function sentimentEpoch(zip: Uint8Array, opts: { epochs?: number; evaluate?: boolean; engine?: Engine } = {}): Promise<SentimentRun> {
  const { loadDataset } = await import('../src/data/dataset');
  const { splitDataset } = await import('../src/data/split');
  const { createSentimentModel } = await import('../src/sentiment/sentiment-model');
  const data = await loadDataset(zip, 'Sentiment.zip', { dropLabels: ['Neutral'] });
  const { train, test } = splitDataset(data, { testSize: 0.33, seed: 141 });
  const model = await createSentimentModel({}, { engine: opts.engine });
  const testAccuracy: number[] = [];
  let seconds = NaN;
  const t0 = performance.now();
  await model.fit(train, {
    epochs: opts.epochs ?? 1,
    batchSize: 32,
    onEpochEnd: async (e) => {
      if (e.epoch === 1) seconds = (performance.now() - t0) / 1000;
      if (opts.evaluate) testAccuracy.push((await model.evaluate(test)).accuracy);
    },
  });
  model.dispose();
  return { seconds, rows: train.texts.length, seqPerSec: train.texts.length / seconds, testAccuracy };
}

/** The same model in TF.js Layers, trained with trainOnBatch on identical data. */
export async function benchTfjs(
  tf: typeof TF,
  backend: string,
  opts: { shape: ModelShape; steps: number; warmup: number; infer: boolean; note?: string; devicePeak?: (device: GPUDevice) => number | null },
): Promise<PeerResult> {
  await tf.setBackend(backend);
  await tf.ready();
  const s = opts.shape;
  const model = tf.sequential({
    layers: [
      tf.layers.embedding({ inputDim: s.vocab, outputDim: s.embed, inputLength: s.maxlen }),
      tf.layers.spatialDropout1d({ rate: 0.4 }),
      tf.layers.lstm({ units: s.units, dropout: 0.2, recurrentDropout: 0.2, recurrentActivation: 'sigmoid' }),
      tf.layers.dense({ units: s.classes, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const data = Array.from({ length: 4 }, (_, i) => {
    const b = randomBatch(s, `b${i}`);
    return { x: tf.tensor2d(Int32Array.from(b.ids), [s.batch, s.maxlen], 'int32'), y: tf.oneHot(tf.tensor1d(Int32Array.from(b.labels), 'int32'), s.classes) };
  });
  const t0 = performance.now();
  await model.trainOnBatch(data[0]!.x, data[0]!.y);
  const firstStepMs = performance.now() - t0;
  for (let i = 0; i < opts.warmup; i++) await model.trainOnBatch(data[i % 4]!.x, data[i % 4]!.y);
  const ms: number[] = [];
  for (let i = 0; i < opts.steps; i++) {
    const a = performance.now();
    await model.trainOnBatch(data[i % 4]!.x, data[i % 4]!.y);
    ms.push(performance.now() - a);
  }
  const step = timing(ms);
  const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
  const trainPeakDeviceBytes = device && opts.devicePeak ? opts.devicePeak(device) : null;
  // GPU bytes the backend holds right after training (webgpu: its buffer manager's allocation).
  const mem = tf.memory() as TF.MemoryInfo & { numBytesInGPU?: number; numBytesInGPUAllocated?: number };
  const peakBytes = backend === 'webgpu' ? (mem.numBytesInGPUAllocated ?? mem.numBytesInGPU ?? null) : null;
  let inferSeqPerSec32: number | null = null;
  let inferSeqPerSec512: number | null = null;
  if (opts.infer) {
    const infer = async (B: number) => {
      const b = randomBatch({ ...s, batch: B }, `infer${B}`);
      const x = tf.tensor2d(Int32Array.from(b.ids), [B, s.maxlen], 'int32');
      await (model.predict(x) as TF.Tensor).data();
      const a = performance.now();
      const reps = 2;
      for (let i = 0; i < reps; i++) await (model.predict(x) as TF.Tensor).data();
      x.dispose();
      return (reps * B) / ((performance.now() - a) / 1000);
    };
    inferSeqPerSec32 = await infer(32);
    inferSeqPerSec512 = await infer(512);
  }
  for (const d of data) {
    d.x.dispose();
    d.y.dispose();
  }
  model.dispose();
  return { peer: `TF.js ${tf.version.tfjs} ${backend}`, firstStepMs, step, trainSeqPerSec: (s.batch * 1000) / step.medianMs, inferSeqPerSec32, inferSeqPerSec512, peakBytes, trainPeakDeviceBytes, note: opts.note ?? '' };
}

/** The cells the real workload compares: the notebook's LSTM, and the GRU (ours: Keras's default reset-after form). */
export type RealCell = 'lstm' | 'gru';
const CELL_TITLE: Record<RealCell, string> = { lstm: 'LSTM', gru: 'GRU (reset after, Keras\'s default)' };

/** One row of the real-workload comparison: an epoch of the notebook recipe on Sentiment.zip. */
export interface RealEpochRow {
  system: string;
  /** The epoch's wall time: measured, or `measuredBatches` timed and scaled to `totalBatches`. */
  seconds: number;
  measuredBatches: number;
  totalBatches: number;
  /** Test accuracy after the measured batches (after the whole epoch when not extrapolated). */
  testAccuracy: number;
  note: string;
}

/** The notebook's data: Sentiment.zip, Neutral dropped, test share 0.33, seed 141. */
export async function notebookSplits(zip: Uint8Array) {
  const { loadDataset } = await import('../src/data/dataset');
  const { splitDataset } = await import('../src/data/split');
  const data = await loadDataset(zip, 'Sentiment.zip', { dropLabels: ['Neutral'] });
  return splitDataset(data, { testSize: 0.33, seed: 141 });
}

/**
 * Something to run between some of our batches (a peer's batch, in turns with ours): `at` holds our batch
 * counts after which `run` is called once each; the time it takes is not counted as ours.
 */
export interface BetweenBatches {
  at: readonly number[];
  run: () => Promise<void>;
}

/**
 * Ours as users run it (the CLI's and the element's defaults: masking, length bucketing, batch 32): one
 * epoch of fit() from the texts, cleaning and tokenising included, then the test accuracy. With
 * `between`, fit waits (its onBatchEnd) while a peer's batch runs: our GPU queue is drained first, so the
 * two never share the machine, and the peer's time is taken out of ours.
 */
export async function realEpochOurs(zip: Uint8Array, between?: BetweenBatches, cell: RealCell = 'lstm'): Promise<RealEpochRow> {
  const { createSentimentModel } = await import('../src/sentiment/sentiment-model');
  const { train, test } = await notebookSplits(zip);
  const model = await createSentimentModel({ cell });
  const at = [...(between?.at ?? [])].sort((a, b) => a - b);
  let paused = 0;
  const t0 = performance.now();
  await model.fit(train, {
    epochs: 1,
    batchSize: 32,
    bucketing: true,
    onBatchEnd: async (b) => {
      while (between && at.length > 0 && at[0]! <= b.batch) {
        at.shift();
        await model.engine.sync();
        const p0 = performance.now();
        await between.run();
        paused += performance.now() - p0;
      }
    },
  });
  const seconds = (performance.now() - t0 - paused) / 1000;
  const testAccuracy = (await model.evaluate(test)).accuracy;
  model.dispose();
  const batches = Math.ceil(train.texts.length / 32);
  return { system: `ours, ${CELL_TITLE[cell]} (defaults: masking, length bucketing)`, seconds, measuredBatches: batches, totalBatches: batches, testAccuracy, note: '' };
}

/**
 * TF.js with the notebook's Keras model and padding (the notebook's cleaning and Tokenizer(2000), padded
 * to the longest text, no mask: the notebook's Embedding has none), ready to trainOnBatch the epoch's
 * real shuffled batches one at a time.
 */
async function tfjsRealEpoch(tf: typeof TF, backend: string, zip: Uint8Array, cell: RealCell) {
  const { cleanText, ASCII_CLEANING } = await import('../src/data/clean');
  const { shuffleInPlace } = await import('../src/data/split');
  const { Tokenizer, padSequences } = await import('../src/data/tokenizer');
  await tf.setBackend(backend);
  await tf.ready();
  const { train, test } = await notebookSplits(zip);
  const t0 = performance.now();
  const tok = new Tokenizer({ numWords: 2000 });
  const clean = (texts: readonly string[]) => texts.map((t) => cleanText(t, ASCII_CLEANING));
  tok.fitOnTexts(clean(train.texts));
  const x = padSequences(tok.textsToSequences(clean(train.texts)));
  const T = x.maxlen;
  const xt = padSequences(tok.textsToSequences(clean(test.texts)), { maxlen: T });
  const C = train.labelNames.length;
  const model = tf.sequential({
    layers: [
      tf.layers.embedding({ inputDim: 2000, outputDim: 128, inputLength: T }),
      tf.layers.spatialDropout1d({ rate: 0.4 }),
      // TF.js's GRU is the reset-before form (its GRUCell rejects reset_after): the GRU TF.js users can have.
      cell === 'gru' ? tf.layers.gru({ units: 196, dropout: 0.2, recurrentDropout: 0.2, recurrentActivation: 'sigmoid' }) : tf.layers.lstm({ units: 196, dropout: 0.2, recurrentDropout: 0.2, recurrentActivation: 'sigmoid' }),
      tf.layers.dense({ units: C, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const n = train.texts.length;
  const order = shuffleInPlace(Array.from({ length: n }, (_, i) => i), seedrandom('real-epoch'));
  return {
    system: `TF.js ${tf.version.tfjs} ${backend}, ${cell === 'gru' ? 'GRU (reset before, its only form)' : 'LSTM'} (the notebook's model, padded to the longest text: ${T})`,
    total: Math.ceil(n / 32),
    /** Tokenising and building the model (ms). */
    prepMs: performance.now() - t0,
    /** Train the epoch's batch k; its wall time (ms). */
    async train(k: number): Promise<number> {
      const idx = order.slice(k * 32, (k + 1) * 32);
      const ids = new Int32Array(idx.length * T);
      idx.forEach((r, i) => ids.set(x.data.subarray(r * T, (r + 1) * T), i * T));
      const xs = tf.tensor2d(ids, [idx.length, T], 'int32');
      const ys = tf.oneHot(tf.tensor1d(Int32Array.from(idx.map((r) => train.labels[r]!)), 'int32'), C);
      const a = performance.now();
      await model.trainOnBatch(xs, ys);
      const ms = performance.now() - a;
      xs.dispose();
      ys.dispose();
      return ms;
    },
    async testAccuracy(): Promise<number> {
      const xtT = tf.tensor2d(Int32Array.from(xt.data), [test.texts.length, T], 'int32');
      const probs = model.predict(xtT) as TF.Tensor;
      const pred = (await probs.argMax(-1).data()) as Int32Array;
      let correct = 0;
      pred.forEach((p, i) => (correct += p === test.labels[i] ? 1 : 0));
      xtT.dispose();
      probs.dispose();
      return correct / test.texts.length;
    },
    dispose: () => model.dispose(),
  };
}

/**
 * One TF.js backend against ours, in turns: TF.js's first batch (where it compiles its shaders; counted
 * once) runs before our epoch, its other batches between ours, spread over the epoch, so that both
 * systems see the same state of the machine (whose speed drifts by 1.5–2× within an hour here). With
 * `batches` < the epoch's, TF.js's timed batches are scaled to the epoch and its test accuracy is the one
 * after them. Returns [ours, TF.js].
 */
export async function realEpochInTurns(tf: typeof TF, backend: string, zip: Uint8Array, batches: number | null, note = '', cell: RealCell = 'lstm'): Promise<[RealEpochRow, RealEpochRow]> {
  const peer = await tfjsRealEpoch(tf, backend, zip, cell);
  try {
    const run = Math.min(peer.total, batches ?? peer.total);
    const firstMs = await peer.train(0);
    let k = 1;
    let rest = 0;
    const ourBatches = peer.total; // same rows, same batch size
    const at = Array.from({ length: run - 1 }, (_, j) => Math.max(1, Math.round(((j + 0.5) * ourBatches) / (run - 1))));
    const ours = await realEpochOurs(
      zip,
      {
        at,
        run: async () => {
          rest += await peer.train(k++);
        },
      },
      cell,
    );
    const seconds = (peer.prepMs + firstMs + (run > 1 ? (rest * (peer.total - 1)) / (run - 1) : firstMs * (peer.total - 1))) / 1000;
    const turns = `in turns with TF.js ${backend}: ${run - 1} of its batches between ours (their time not counted as ours)`;
    return [
      { ...ours, note: turns },
      { system: peer.system, seconds, measuredBatches: run, totalBatches: peer.total, testAccuracy: await peer.testAccuracy(), note: [note, 'first batch (shader compilation) before our epoch, counted once; the others in turns with ours'].filter(Boolean).join('; ') },
    ];
  } finally {
    peer.dispose();
  }
}

/** CPU time of a training step's encoding, phase by phase (the step's own marks), and in all. */
export interface EncodeTiming {
  batch: number;
  /** Median ms from beginStep to the submit returning: everything the host does for one step. */
  encodeMs: number;
  /** Mean ms per phase (zero grads, forward, loss, backward, optimizer, submit). */
  phases: Record<string, number>;
}

/**
 * The host side of a training step at the reference shape with batch B, the notebook recipe (dropouts
 * and mask: the masks are drawn and uploaded on the host), timed over `steps` steps after a warm-up:
 * what #29 calls "encode ms per step". Each step is synced before the next, so the GPU's work never
 * overlaps the timed encoding.
 */
export async function encodeTiming(engine: Engine, ref: ModelShape, B: number, steps: number, network: Partial<NetworkConfig> = {}): Promise<EncodeTiming> {
  const s = { ...ref, batch: B };
  const net = sentimentNetwork(engine, { ...DEFAULT_NETWORK, vocabSize: s.vocab, embedDim: s.embed, units: s.units, numClasses: s.classes, seed: 1, ...network });
  const batch = trainBatch(randomBatch(s, 'encode'));
  for (let i = 0; i < 3; i++) await net.trainBatch(batch);
  const names = ['zero grads', 'forward', 'loss', 'backward', 'optimizer', 'submit'];
  const phases: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  const total: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = [performance.now()];
    const step = engine.beginStep({ grad: true, label: 'timed step' });
    const p = net.encodeTrainStep(step, batch, () => t.push(performance.now()));
    step.submit();
    t.push(performance.now());
    await p;
    names.forEach((n, k) => (phases[n]! += (t[k + 1]! - t[k]!) / steps));
    total.push(t[t.length - 1]! - t[0]!);
  }
  net.dispose();
  return { batch: B, encodeMs: timing(total).medianMs, phases };
}

/**
 * inspect() on a 30-token sentence at the recipe's size (vocabulary 2000, embedding 128, 196 units of
 * `cell`, no dropout at inference): median ms from the call to the data, and predict's for the same
 * sentence; the number of values read back.
 */
export async function inspectLatency(engine: Engine, cell: 'lstm' | 'gru', reps: number): Promise<{ inspectMs: number; predictMs: number; values: number }> {
  const net = sentimentNetwork(engine, { ...DEFAULT_NETWORK, cell, seed: 1 });
  const r = seedrandom('inspect');
  const ids = [Array.from({ length: 30 }, () => 1 + Math.floor(r() * 1999))];
  const first = await net.inspect(ids); // warm-up (pipelines, pooled buffers)
  await net.predict(ids);
  const ins: number[] = [];
  const pre: number[] = [];
  for (let i = 0; i < reps; i++) {
    let a = performance.now();
    await net.inspect(ids);
    ins.push(performance.now() - a);
    a = performance.now();
    await net.predict(ids);
    pre.push(performance.now() - a);
  }
  net.dispose();
  const values = first.layers.reduce((s, l) => s + l.names.length * l.units * first.timesteps, 0);
  return { inspectMs: timing(ins).medianMs, predictMs: timing(pre).medianMs, values };
}
