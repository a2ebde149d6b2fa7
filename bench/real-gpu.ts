/**
 * The engine half of the real-GPU benchmark (bench/real-gpu.sh runs it after bench/cudnn_lstm.py, on the
 * same machine). Node + Dawn on the machine's Vulkan driver:
 *   - the reference model with the notebook's dropouts and masking (what the demo trains), with the GPU time
 *     per kernel family when the adapter has timestamp-query;
 *   - the reference model as cuDNN can run it (CUDNN_COMPARABLE: no LSTM input/recurrent dropout, no mask);
 *   - the scaling sweeps in the cuDNN-comparable configuration;
 *   - one measured epoch of Sentiment.zip when `--zip` names it.
 * With `--cudnn FILE` it reads PyTorch's numbers and prints one Markdown table of both, with ratios.
 * Numbers only: nothing here passes or fails on speed. Refuses a CPU adapter unless `--allow-cpu`
 * (a dry run of the script on a machine without a GPU, with a tiny model and no Sentiment.zip epoch).
 *
 *   node bench/launch.mjs bench/real-gpu.ts [--out FILE.json] [--md FILE.md] [--cudnn FILE.json] [--zip FILE] [--allow-cpu] [--quick]
 */
import fs from 'node:fs';
import seedrandom from 'seedrandom';
import { type Engine } from '../src/engine/engine';
import { createEngine } from '../src/ops/create-engine';
import { DEFAULT_NETWORK, sentimentNetwork, type NetworkConfig } from '../src/sentiment/recipe';
import { benchEngine, benchTfjs, inspectLatency, profileTrainStep, CUDNN_COMPARABLE, randomBatch, trainBatch, type Batch, REFERENCE, SWEEPS, sentimentEpoch, timing, type EngineResult, type ModelShape, type PeerResult, type Timing } from './workloads';
import { installDawn } from '../src/gpu/device-node';
import type { LstmSchedule } from '../src/kernels/variants';
import type { WeightPrecision } from '../src/layers/half-weights';
import { autoRows, describePlan, planLstmSequence, sequenceDevice, sequenceFits } from '../src/ops/lstm-schedule';
import { tfjsOnDawn } from './tfjs-dawn';
import { generationSpeed } from './lm-workloads';

installDawn(); // Node: engines get their device from Dawn

/** What bench/cudnn_lstm.py writes (one entry per configuration, same shapes as ours). */
export interface CudnnResult {
  device: string;
  torch: string;
  cudnn: number;
  configs: Array<{
    name: string;
    tf32: boolean;
    shape: ModelShape;
    firstStepMs: number;
    step: Timing;
    pipelinedStepMs: number;
    inferSeqPerSec32: number | null;
    inferSeqPerSec512: number | null;
    peakBytes: number;
  }>;
  sweeps: Array<{ name: string; shape: ModelShape; stepMs: number; pipelinedStepMs?: number }>;
  /** cuDNN's GRU (fp32) at the reference shape and the sweep points (absent in runs before the GRU). */
  gru?: GruRow[];
}

/** A GRU training step (cuDNN-comparable: no dropouts, no mask), and inference at the reference shape. */
export interface GruRow {
  name: string;
  shape: ModelShape;
  stepMs: number;
  pipelinedStepMs: number;
  inferSeqPerSec32: number | null;
  inferSeqPerSec512: number | null;
}

export interface RealGpuResult {
  adapter: string;
  backend: string;
  notebook: EngineResult;
  comparable: EngineResult;
  /** The cuDNN-comparable model with the other kernel tuning than the adapter's default (for contrast). */
  otherTuning: EngineResult;
  sweeps: Array<{ name: string; shape: ModelShape; stepMs: number }>;
  epoch: Awaited<ReturnType<typeof sentimentEpoch>> | string;
  parity: Parity;
  /** Every LSTM schedule at the reference shape and each sweep point (training step, cuDNN-comparable). */
  schedules: ScheduleRow[];
  /** Inference (sequences/s, cuDNN-comparable) at the reference shape by schedule. */
  inference: Array<{ schedule: string; seqPerSec32: number; seqPerSec512: number }>;
  /** TF.js's webgpu backend on the same adapter through Dawn, or why it could not run. */
  tfjs: (PeerResult & { adapter: string }) | string;
  /** GPU time per kernel ('auto' schedule) where ours trails or leads narrowly: a training step at some sweep points, inference at batch 512. */
  profiles: Array<{ name: string; kernels: Array<{ kernel: string; count: number; ms: number }> }>;
  /** Where a synced training step's time goes, by batch size. */
  anatomy: Anatomy[];
  /** The device limits the whole-sequence kernels depend on. */
  limits: { maxComputeWorkgroupStorageSize: number; maxComputeInvocationsPerWorkgroup: number };
  /** Generation with an LSTM-128 character model at temperature 1 (tokens/s, median of its runs). */
  generation: Awaited<ReturnType<typeof generationSpeed>>;
  /** Our GRU (reset after: cuDNN's form) at the reference shape and every sweep point ('auto' schedule). */
  gru: GruRow[];
  /** The whole-sequence forward variants (workgroup vs subgroup sums, rows per workgroup), or why they could not run. */
  variants: VariantRow[] | string;
  /** inspect() and predict of a 30-token sentence at the recipe's size (median ms). */
  inspect: Record<'lstm' | 'gru', Awaited<ReturnType<typeof inspectLatency>>>;
  /** Prediction with float32, float16 and bfloat16 recurrent weights in turns, by schedule (absent in files from before it). */
  halfWeights?: HalfRow[];
}

/** predict() sequences/s with float32, float16 and bfloat16 recurrent weights (in turns) at one batch size and schedule. */
export interface HalfRow {
  schedule: string;
  batch: number;
  float32: number;
  float16: number;
  bfloat16: number;
  /** The largest difference between the float16 and the float32 predictions' probabilities. */
  maxDiff: number;
  /** The same for bfloat16. */
  maxDiffBf16: number;
}

type KernelTimes = RealGpuResult['profiles'][number]['kernels'];

/** One synced training step taken apart: CPU encoding, GPU kernels, and the rest (submit, readback). */
export interface Anatomy {
  batch: number;
  stepMs: number;
  /** The synchronous part of trainStep: building the step on the CPU up to its submit. */
  encodeMs: number;
  /** Sum of the step's kernel times (timestamp-query, unquantised, one pass per dispatch). */
  gpuMs: number;
  /** An empty step that reads 4 bytes back: the floor of submit + map latency. */
  roundTripMs: number;
  /** CPU time of each phase of encoding (ms, mean). */
  phases: Record<string, number>;
}

/** Where a synced training step's time goes at the reference shape with batch B ('auto' schedule). */
async function stepAnatomy(ref: ModelShape, B: number, steps: number): Promise<Anatomy> {
  const engine = await createEngine({ acquire: { dawnFlags: ['disable-dawn-features=timestamp_quantization'] } });
  const s = { ...ref, batch: B };
  const net = sentimentNetwork(engine, { ...DEFAULT_NETWORK, vocabSize: s.vocab, embedDim: s.embed, units: s.units, numClasses: s.classes, seed: 1, ...CUDNN_COMPARABLE });
  const raw = randomBatch(s, 'anatomy');
  const batch = trainBatch(raw);
  for (let i = 0; i < 5; i++) await net.trainBatch(batch);
  const enc: number[] = [];
  const tot: number[] = [];
  for (let i = 0; i < steps; i++) {
    const a = performance.now();
    const p = net.trainBatch(batch);
    enc.push(performance.now() - a);
    await p;
    tot.push(performance.now() - a);
  }
  const scratch = engine.allocate(1, 'anatomy probe');
  const rt: number[] = [];
  for (let i = 0; i < steps; i++) {
    const a = performance.now();
    const st = engine.beginStep({ grad: false, label: 'round trip' });
    const p = st.read(scratch);
    st.submit();
    await p;
    rt.push(performance.now() - a);
  }
  // The encoding phase by phase (the training step's own encoding, marked at each phase's end).
  const names = ['zero grads', 'forward', 'loss', 'backward', 'optimizer', 'submit'];
  const phases: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  for (let i = 0; i < steps; i++) {
    const t = [performance.now()];
    const step = engine.beginStep({ grad: true, label: 'timed step' });
    const p = net.encodeTrainStep(step, batch, () => t.push(performance.now()));
    step.submit();
    t.push(performance.now());
    await p;
    names.forEach((n, k) => (phases[n]! += (t[k + 1]! - t[k]!) / steps));
  }
  const gpuMs = (await profileTrainStep(engine, net, batch))?.reduce((a, k) => a + k.ms, 0) ?? NaN;
  net.dispose();
  engine.destroy();
  return { batch: B, stepMs: timing(tot).medianMs, encodeMs: timing(enc).medianMs, gpuMs, roundTripMs: timing(rt).medianMs, phases };
}
const byTime = (prof: Map<string, { count: number; ms: number }>): KernelTimes => [...prof.entries()].map(([kernel, v]) => ({ kernel, ...v })).sort((a, b) => b.ms - a.ms);

/** GPU time per kernel of one inference batch (forward only, nothing stored for backward). */
async function profileInference(ref: ModelShape, B: number): Promise<KernelTimes> {
  const engine = await createEngine({ acquire: { dawnFlags: ['disable-dawn-features=timestamp_quantization'] } });
  if (!engine.gpu.features.has('timestamp-query')) {
    engine.destroy();
    return [];
  }
  const net = sentimentNetwork(engine, { ...DEFAULT_NETWORK, vocabSize: ref.vocab, embedDim: ref.embed, units: ref.units, numClasses: ref.classes, seed: 1, ...CUDNN_COMPARABLE });
  const batch = trainBatch(randomBatch({ ...ref, batch: B }, `infer${B}`));
  await net.evaluateBatch(batch);
  const step = engine.beginStep({ grad: false, profile: true, label: 'profiled inference' });
  void net.encodeInference(step, batch.input);
  step.submit();
  const prof = await step.profile!;
  net.dispose();
  engine.destroy();
  return byTime(prof);
}

/** One shape: training step ms (median) for each schedule that can run it, and what 'auto' picks. */
export interface ScheduleRow {
  name: string;
  shape: ModelShape;
  stepMs: Record<string, number>;
  auto: string;
  /** The 'auto' schedule with two steps in flight, as fit() runs (ms per step). */
  autoPipelinedMs: number;
}

const SCHEDULES: Array<[string, LstmSchedule]> = [
  ['timestep', 'timestep'],
  ['sequence ×1', { sequenceRows: 1 }],
  ['sequence ×2', { sequenceRows: 2 }],
  ['sequence ×4', { sequenceRows: 4 }],
];
const scheduleName = (B: number, H: number, training = true) => {
  const r = autoRows(B, H, training);
  return r === null || !sequenceFits(H, r, 0, Infinity) ? 'timestep' : `sequence ×${r}`;
};
const runs = (sch: LstmSchedule, H: number) => sch === 'auto' || sch === 'timestep' || sequenceFits(H, sch.sequenceRows, 0, Infinity);

/** Training step per schedule at one shape (cuDNN-comparable configuration, waiting for each step). */
async function scheduleRow(name: string, shape: ModelShape, steps: number, requireHardware: boolean): Promise<ScheduleRow> {
  const stepMs: Record<string, number> = {};
  const auto = scheduleName(shape.batch, shape.units);
  let autoPipelinedMs = NaN;
  for (const [label, lstmSchedule] of SCHEDULES) {
    if (!runs(lstmSchedule, shape.units)) continue;
    const pipelined = label === auto;
    const e = await benchEngine({ shape, steps, warmup: Math.min(5, steps), epochs: 0, stepsPerEpoch: 0, profile: false, lite: true, pipelined, network: CUDNN_COMPARABLE, requireHardware, tuning: 'gpu', lstmSchedule });
    stepMs[label] = e.step.medianMs;
    if (pipelined) autoPipelinedMs = (shape.batch * 1000) / e.trainSeqPerSec;
  }
  const row = { name, shape, stepMs, auto, autoPipelinedMs };
  console.log(`  ${name}: ${Object.entries(stepMs).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')} ms/step (auto: ${auto}, ${autoPipelinedMs.toFixed(2)} pipelined)`);
  return row;
}

/** Our GRU (Keras's default, reset after: cuDNN's form), cuDNN-comparable, at the reference shape and each sweep point. */
async function gruRows(ref: ModelShape, quick: boolean, requireHardware: boolean): Promise<GruRow[]> {
  const rows: GruRow[] = [];
  for (const [name, v] of [['reference', {}] as const, ...(quick ? SWEEPS.slice(0, 1) : SWEEPS)]) {
    const shape = { ...ref, ...v };
    const isRef = name === 'reference';
    const e = await benchEngine({ shape, steps: quick ? 2 : isRef ? 200 : 40, warmup: quick ? 1 : 5, epochs: 0, stepsPerEpoch: 0, profile: false, lite: !isRef, pipelined: true, network: { ...CUDNN_COMPARABLE, cell: 'gru' }, requireHardware });
    rows.push({ name, shape, stepMs: e.step.medianMs, pipelinedStepMs: (shape.batch * 1000) / e.trainSeqPerSec, inferSeqPerSec32: isRef ? e.inferSeqPerSec32 : null, inferSeqPerSec512: isRef ? e.inferSeqPerSec512 : null });
    console.log(`  GRU, ${name}: ${e.step.medianMs.toFixed(2)} ms/step, ${rows.at(-1)!.pipelinedStepMs.toFixed(2)} pipelined`);
  }
  return rows;
}

/** Inference sequences/s at batch 32 and 512 by schedule (the reference model, cuDNN-comparable). */
async function inferenceBySchedule(ref: ModelShape, reps: number): Promise<RealGpuResult['inference']> {
  const out: RealGpuResult['inference'] = [];
  for (const [label, lstmSchedule] of SCHEDULES) {
    out.push({ schedule: label, ...(await inferenceRates(ref, lstmSchedule, reps)) });
    console.log(`  inference, ${label}: ${out.at(-1)!.seqPerSec32.toFixed(0)} / ${out.at(-1)!.seqPerSec512.toFixed(0)} seq/s at batch 32 / 512`);
  }
  return out;
}

/** Inference sequences/s at batch 32 and 512 with one schedule (the reference model, cuDNN-comparable). */
async function inferenceRates(ref: ModelShape, lstmSchedule: LstmSchedule, reps: number): Promise<{ seqPerSec32: number; seqPerSec512: number }> {
  {
    const engine = await createEngine({ tuning: 'gpu', lstmSchedule });
    const cfg: NetworkConfig = { ...DEFAULT_NETWORK, vocabSize: ref.vocab, embedDim: ref.embed, units: ref.units, numClasses: ref.classes, seed: 1, ...CUDNN_COMPARABLE };
    const net = sentimentNetwork(engine, cfg);
    const rate = async (B: number) => {
      const b = randomBatch({ ...ref, batch: B }, `infer${B}`);
      await net.evaluateBatch(trainBatch(b));
      const ms: number[] = [];
      for (let i = 0; i < reps; i++) {
        const a = performance.now();
        await net.evaluateBatch(trainBatch(b));
        ms.push(performance.now() - a);
      }
      return (B * 1000) / timing(ms).medianMs;
    };
    const rates = { seqPerSec32: await rate(32), seqPerSec512: await rate(512) };
    net.dispose();
    engine.destroy();
    return rates;
  }
}

/**
 * predict() of random full-length batches of the reference model (cuDNN-comparable) with float32, float16
 * and bfloat16 recurrent weights (#29 §3), in turns, at batch 32 and 512, with the per-timestep and whole-sequence
 * schedules: sequences/s (median of `reps` each) and the largest probability difference.
 */
async function halfWeightRates(ref: ModelShape, reps: number): Promise<HalfRow[]> {
  const out: HalfRow[] = [];
  for (const [label, lstmSchedule] of SCHEDULES) {
    const engine = await createEngine({ tuning: 'gpu', lstmSchedule });
    const net = sentimentNetwork(engine, { ...DEFAULT_NETWORK, vocabSize: ref.vocab, embedDim: ref.embed, units: ref.units, numClasses: ref.classes, seed: 1, ...CUDNN_COMPARABLE });
    for (const B of [32, 512]) {
      const b = randomBatch({ ...ref, batch: B }, `half${B}`);
      const x = { data: b.ids, shape: [B, ref.maxlen] };
      const run = async (weightPrecision: WeightPrecision) => {
        const a = performance.now();
        const y = await net.predict(x, { batchSize: B, weightPrecision });
        return { ms: performance.now() - a, y: y.data };
      };
      const precisions: WeightPrecision[] = ['float32', 'float16', 'bfloat16'];
      const y = new Map<WeightPrecision, Float32Array>();
      for (const w of precisions) y.set(w, (await run(w)).y);
      const ms: Record<WeightPrecision, number[]> = { float32: [], float16: [], bfloat16: [] };
      for (let i = 0; i < reps; i++) for (let k = 0; k < 3; k++) {
        const w = precisions[(i + k) % 3]!;
        ms[w].push((await run(w)).ms);
      }
      const y32 = y.get('float32')!;
      const diff = (w: WeightPrecision) => y.get(w)!.reduce((m, v, i) => Math.max(m, Math.abs(v - y32[i]!)), 0);
      const rate = (w: WeightPrecision) => (B * 1000) / timing(ms[w]).medianMs;
      out.push({ schedule: label, batch: B, float32: rate('float32'), float16: rate('float16'), bfloat16: rate('bfloat16'), maxDiff: diff('float16'), maxDiffBf16: diff('bfloat16') });
      const r = out.at(-1)!;
      console.log(`  ${label}, batch ${B}: float32 ${r.float32.toFixed(0)}, float16 ${r.float16.toFixed(0)} (${(r.float16 / r.float32).toFixed(2)}×, within ${r.maxDiff.toExponential(1)}), bfloat16 ${r.bfloat16.toFixed(0)} seq/s (${(r.bfloat16 / r.float32).toFixed(2)}×, within ${r.maxDiffBf16.toExponential(1)})`);
    }
    net.dispose();
    engine.destroy();
  }
  return out;
}

/** The 16-bit rows as Markdown. */
function halfTable(rows: HalfRow[]): string {
  const t = [
    "Prediction with 16-bit recurrent weights (`weightPrecision`; sums in f32), random full-length batches of the reference model, cuDNN-comparable, the three precisions in turns (sequences/s, median; in brackets the largest probability difference from float32):",
    '',
    '| schedule | batch | float32 | float16 | ÷ float32 | bfloat16 | ÷ float32 |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) t.push(`| ${r.schedule} | ${r.batch} | ${r.float32.toFixed(0)} | ${r.float16.toFixed(0)} (${r.maxDiff.toExponential(1)}) | ${(r.float16 / r.float32).toFixed(2)} | ${r.bfloat16.toFixed(0)} (${r.maxDiffBf16.toExponential(1)}) | ${(r.bfloat16 / r.float32).toFixed(2)} |`);
  return t.join('\n');
}

/**
 * The whole-sequence forward variants side by side (issue #29 §3), at the reference shape, cuDNN-comparable:
 * the workgroup-memory reduction with 1, 2, 4 rows per workgroup and the subgroup reduction (in the widest
 * shape the adapter's limits allow) with 1, 2, 4, 8; inference at batch 32 and 512, the training step
 * (rows ≤ 4: the backward holds at most 4), and the tuning-parity check with each subgroup schedule (8
 * rows: its evaluation step only).
 */
export interface VariantRow {
  schedule: string;
  /** What the engine runs at batch 512, in words (describePlan). */
  kernels: string;
  seqPerSec32: number;
  seqPerSec512: number;
  trainStepMs: number | null;
  parity: Parity | null;
}

async function forwardVariants(ref: ModelShape, reps: number, steps: number, requireHardware: boolean): Promise<VariantRow[] | string> {
  const probe = await createEngine({ tuning: 'gpu' });
  const device = sequenceDevice(probe.device);
  probe.destroy();
  if (!device.subgroupMinSize) return 'this adapter does not offer the subgroups feature: only the workgroup-reduction kernels can run';
  const schedules: Array<[string, LstmSchedule]> = [
    ...SCHEDULES.slice(1),
    ...([1, 2, 4, 8] as const).map((rows): [string, LstmSchedule] => [`subgroups ×${rows}`, { sequenceRows: rows, reduction: 'subgroups' }]),
  ];
  const out: VariantRow[] = [];
  for (const [label, lstmSchedule] of schedules) {
    const rows = typeof lstmSchedule === 'object' ? lstmSchedule.sequenceRows : 0;
    const subgroups = typeof lstmSchedule === 'object' && lstmSchedule.reduction === 'subgroups';
    const kernels = describePlan(planLstmSequence(lstmSchedule, 'gpu', { B: 512, H: ref.units, whOffset: 0, bOffset: 0, training: false }, device, 'lstm'));
    const rates = await inferenceRates(ref, lstmSchedule, reps);
    const trainStepMs = rows <= 4
      ? (await benchEngine({ shape: ref, steps, warmup: Math.min(5, steps), epochs: 0, stepsPerEpoch: 0, profile: false, lite: true, pipelined: false, network: CUDNN_COMPARABLE, requireHardware, tuning: 'gpu', lstmSchedule })).step.medianMs
      : null;
    const parity = subgroups ? await tuningParity(rows <= 4 ? 4 : 0, lstmSchedule) : null;
    out.push({ schedule: label, kernels, ...rates, trainStepMs, parity });
    console.log(`  ${label} (${kernels}): ${rates.seqPerSec32.toFixed(0)} / ${rates.seqPerSec512.toFixed(0)} seq/s at batch 32 / 512, training ${trainStepMs?.toFixed(2) ?? '—'} ms/step${parity ? `, parity ${parity.ok ? 'ok' : 'DISAGREES'}` : ''}`);
  }
  return out;
}

/** TF.js 4.22 webgpu on this adapter through Dawn: the notebook's Keras model, training step and inference. */
async function tfjsWebgpu(ref: ModelShape, steps: number, limitMs = 180_000): Promise<RealGpuResult['tfjs']> {
  // A time limit: the run has a fixed device budget, and the rest of the table must come back either way.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`TF.js webgpu did not finish within ${limitMs / 1000} s`), limitMs);
  });
  try {
    return await Promise.race([tfjsRun(ref, steps), limit]);
  } finally {
    clearTimeout(timer);
  }
}

async function tfjsRun(ref: ModelShape, steps: number): Promise<RealGpuResult['tfjs']> {
  try {
    const tf = await tfjsOnDawn();
    const r = await benchTfjs(tf, 'webgpu', { shape: ref, steps, warmup: 2, infer: true, note: 'Node + Dawn, same adapter' });
    const info = (tf.backend() as unknown as { adapterInfo?: Record<string, unknown> }).adapterInfo ?? {};
    return { ...r, adapter: ['vendor', 'architecture', 'device', 'description'].map((k) => info[k]).filter(Boolean).join(' ') };
  } catch (e) {
    return `TF.js webgpu could not run here: ${(e as Error).message}`;
  }
}

/** The same network trained with both kernel tunings on this adapter: how far apart they end up. */
export interface Parity {
  steps: number;
  maxLossRelDiff: number;
  maxParamAbsDiff: number;
  ok: boolean;
}

/** Pre-padded random batches (lengths 1…T), so that masking and skipped steps are exercised too. */
function paddedBatch(seed: string, B: number, T: number, V: number): Batch {
  const r = seedrandom(seed);
  const ids = new Uint32Array(B * T);
  const labels = new Uint32Array(B);
  for (let b = 0; b < B; b++) {
    const len = 1 + Math.floor(r() * T);
    for (let t = T - len; t < T; t++) ids[b * T + t] = 1 + Math.floor(r() * (V - 1));
    labels[b] = Math.floor(r() * 2);
  }
  return { ids, B, T, labels };
}

/**
 * Correctness on this adapter: a 2-layer bidirectional network with every dropout and masking, trained a few
 * steps by the cpu-tuned kernels (checked against float64 in the test suite) and by the gpu-tuned ones.
 * Same math in a different summation order: equal to f32 rounding, never bitwise.
 */
export async function tuningParity(steps = 8, lstmSchedule: LstmSchedule = 'auto'): Promise<Parity> {
  const cfg: NetworkConfig = { ...DEFAULT_NETWORK, vocabSize: 300, embedDim: 32, units: 52, layers: 2, bidirectional: true, learningRate: 0.01, seed: 3 };
  const run = async (engine: Engine) => {
    const net = sentimentNetwork(engine, cfg);
    const losses: number[] = [];
    for (let i = 0; i < steps; i++) losses.push((await net.trainBatch(trainBatch(paddedBatch(`parity${i}`, 24, 20, cfg.vocabSize)))).loss);
    // And an evaluation step (the inference forward, nothing stored) at a batch with a partial block of rows.
    losses.push((await net.evaluateBatch(trainBatch(paddedBatch('parity eval', 61, 20, cfg.vocabSize)))).loss);
    const params = await net.params.read();
    net.dispose();
    return { losses, params };
  };
  const cpu = await createEngine({ tuning: 'cpu' });
  const gpu = await createEngine({ gpu: cpu.gpu, tuning: 'gpu', lstmSchedule });
  const a = await run(cpu);
  const b = await run(gpu);
  cpu.destroy();
  let maxLossRelDiff = 0;
  a.losses.forEach((l, i) => (maxLossRelDiff = Math.max(maxLossRelDiff, Math.abs(l - b.losses[i]!) / Math.max(1e-6, Math.abs(l)))));
  let maxParamAbsDiff = 0;
  for (const [name, v] of a.params) {
    const w = b.params.get(name)!;
    for (let i = 0; i < v.length; i++) maxParamAbsDiff = Math.max(maxParamAbsDiff, Math.abs(v[i]! - w[i]!));
  }
  const ok = Number.isFinite(maxLossRelDiff) && maxLossRelDiff <= 1e-4 && maxParamAbsDiff <= 1e-4;
  return { steps, maxLossRelDiff, maxParamAbsDiff, ok };
}

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

const f = (n: number | null | undefined, d = 2) => (n === null || n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(d));
const mb = (b: number) => f(b / 2 ** 20, 1);
/** How many times slower than cuDNN (fp32) a time is. */
const vs = (ours: number, theirs: number | undefined) => (theirs ? `${f(ours / theirs, 2)}×` : '—');

export function realGpuTable(r: RealGpuResult, c: CudnnResult | null): string {
  const rows: string[] = [];
  const base = c?.configs.find((x) => x.name === 'reference' && !x.tf32);
  rows.push(`Engine: Node + Dawn (${r.backend}) on ${r.adapter}.${c ? ` Peer: PyTorch ${c.torch}, cuDNN ${c.cudnn}, on ${c.device}, same machine, same run.` : ''}`);
  const R = r.notebook.shape;
  rows.push(`Reference model: vocab ${R.vocab}, embed ${R.embed}, LSTM ${R.units}, ${R.classes} classes, batch ${R.batch}, maxlen ${R.maxlen}; Adam; one training step = forward, backward, optimizer update.`);
  rows.push('"step ms" waits for each step (loss read back on the CPU); "pipelined" keeps two steps in flight (ours, as fit() runs) or queues steps without syncing (PyTorch).');
  rows.push('');
  rows.push('| | step ms (median, p10–p90) | × cuDNN fp32 | pipelined ms/step | × cuDNN fp32 | first step s | infer seq/s (32 / 512) | peak GPU MB |');
  rows.push('| --- | --- | ---: | ---: | ---: | ---: | --- | ---: |');
  const ours = (name: string, e: EngineResult) => {
    const piped = (e.shape.batch * 1000) / e.trainSeqPerSec;
    rows.push(
      `| ${name} | ${f(e.step.medianMs)} (${f(e.step.p10Ms)}–${f(e.step.p90Ms)}) | ${vs(e.step.medianMs, base?.step.medianMs)} | ${f(piped)} | ${vs(piped, base?.pipelinedStepMs)} | ${f(e.firstStepMs / 1000)} | ${f(e.inferSeqPerSec32, 0)} / ${f(e.inferSeqPerSec512, 0)} | ${mb(e.trainPeakBytes)} |`,
    );
  };
  ours(`ours, cuDNN-comparable (no LSTM dropouts, no mask), ${r.comparable.tuning}-tuned kernels (default here)`, r.comparable);
  ours(`ours, cuDNN-comparable, ${r.otherTuning.tuning}-tuned kernels`, r.otherTuning);
  ours(`ours, notebook recipe (dropout 0.2, recurrent dropout 0.2, mask), ${r.notebook.tuning}-tuned`, r.notebook);
  for (const x of c?.configs ?? []) {
    rows.push(
      `| PyTorch cuDNN LSTM, ${x.tf32 ? 'TF32 allowed (PyTorch default)' : 'fp32'} | ${f(x.step.medianMs)} (${f(x.step.p10Ms)}–${f(x.step.p90Ms)}) | ${vs(x.step.medianMs, base?.step.medianMs)} | ${f(x.pipelinedStepMs)} | ${vs(x.pipelinedStepMs, base?.pipelinedStepMs)} | ${f(x.firstStepMs / 1000)} | ${f(x.inferSeqPerSec32, 0)} / ${f(x.inferSeqPerSec512, 0)} | ${mb(x.peakBytes)} |`,
    );
  }
  if (typeof r.tfjs === 'string') rows.push(`| TF.js webgpu | ${r.tfjs} | | | | | | |`);
  else {
    const t = r.tfjs;
    rows.push(
      `| TF.js ${t.peer.replace(/^TF\.js /, '')} (the notebook's Keras model, Node + Dawn, same adapter) | ${f(t.step.medianMs)} (${f(t.step.p10Ms)}–${f(t.step.p90Ms)}) | ${vs(t.step.medianMs, base?.step.medianMs)} | — | — | ${f(t.firstStepMs / 1000)} | ${f(t.inferSeqPerSec32, 0)} / ${f(t.inferSeqPerSec512, 0)} | ${t.peakBytes === null ? '—' : mb(t.peakBytes)} |`,
    );
  }
  rows.push('');
  if (typeof r.tfjs !== 'string') {
    rows.push(
      `TF.js-webgpu on ${r.tfjs.adapter || 'the same adapter'}, same model (notebook recipe) and batches: ours ${f(r.tfjs.step.medianMs / r.notebook.step.medianMs, 1)}× faster per training step, ${f(r.notebook.inferSeqPerSec32 / (r.tfjs.inferSeqPerSec32 ?? NaN), 1)}× / ${f(r.notebook.inferSeqPerSec512 / (r.tfjs.inferSeqPerSec512 ?? NaN), 1)}× in inference at batch 32 / 512.`,
    );
    rows.push('');
  }
  rows.push(
    `Ours: ${r.notebook.dispatchesPerStep} dispatches per notebook-recipe step (${r.comparable.dispatchesPerStep} without dropout and mask), one submit; ${f(r.comparable.modelGflop, 2)} GFLOP per step → ${f(r.comparable.achievedGflops, 1)} GFLOP/s; best GEMM in the same run ${f(r.comparable.gemmCeilingGflops, 1)} GFLOP/s. Live GPU bytes after each of ${r.notebook.liveBytesPerEpoch.length} epochs: ${r.notebook.liveBytesPerEpoch.map((b) => f(b / 2 ** 20)).join(', ')} MB.`,
  );
  rows.push(
    `Generation (LSTM 128, character vocabulary, temperature 1, ${r.generation.chunk} tokens per submit): ${f(r.generation.tokensPerSec, 0)} tokens/s, median of ${r.generation.runs.length} runs (${r.generation.runs.map((x) => f(x, 0)).join(', ')}).`,
  );
  if (typeof r.epoch === 'string') rows.push(`Sentiment.zip epoch: ${r.epoch}.`);
  else {
    rows.push(
      `Sentiment.zip, fit() with the notebook recipe (${r.epoch.rows} training rows, batch 32): first epoch ${f(r.epoch.seconds)} s including cleaning and tokenising, ${f(r.epoch.seqPerSec, 0)} sequences/s; test accuracy after each epoch: ${r.epoch.testAccuracy.map((x) => f(x, 4)).join(', ')}.`,
    );
  }
  rows.push(
    `Kernel-tuning parity on this adapter (2-layer bidirectional network, all dropouts, masking, ${r.parity.steps} steps, cpu- vs gpu-tuned kernels): max relative loss difference ${r.parity.maxLossRelDiff.toExponential(1)}, max weight difference ${r.parity.maxParamAbsDiff.toExponential(1)}: ${r.parity.ok ? 'agree to f32 rounding' : 'DISAGREE'}.`,
  );
  rows.push('');
  rows.push('LSTM schedules and scaling, cuDNN-comparable configuration (training step ms, median, waiting for each step): one dispatch per timestep, or the whole-sequence kernels with 1, 2 or 4 batch rows per workgroup; "auto" is what the engine picks by default (ops/lstm-schedule.ts).');
  rows.push('');
  rows.push(`| shape | ${SCHEDULES.map(([l]) => l).join(' | ')} | auto picks | PyTorch cuDNN fp32 | auto / cuDNN | auto pipelined | cuDNN pipelined | ratio |`);
  rows.push(`| --- | ${SCHEDULES.map(() => '---:').join(' | ')} | --- | ---: | ---: | ---: | ---: | ---: |`);
  for (const row of r.schedules) {
    const peer = row.name === 'reference' ? (base ? { stepMs: base.step.medianMs, pipelinedStepMs: base.pipelinedStepMs } : undefined) : c?.sweeps.find((x) => x.name === row.name);
    const best = Math.min(...Object.values(row.stepMs));
    const cell = (l: string) => (row.stepMs[l] === undefined ? 'n/a' : row.stepMs[l] === best ? `**${f(row.stepMs[l])}**` : f(row.stepMs[l]));
    rows.push(
      `| ${row.name} | ${SCHEDULES.map(([l]) => cell(l)).join(' | ')} | ${row.auto} | ${f(peer?.stepMs)} | ${vs(row.stepMs[row.auto] ?? NaN, peer?.stepMs)} | ${f(row.autoPipelinedMs)} | ${f(peer?.pipelinedStepMs)} | ${vs(row.autoPipelinedMs, peer?.pipelinedStepMs)} |`,
    );
  }
  rows.push('');
  const cudnnInfer = base ? `${f(base.inferSeqPerSec32, 0)} / ${f(base.inferSeqPerSec512, 0)}` : '—';
  rows.push(
    `Inference by schedule (sequences/s at batch 32 / 512, the reference model; PyTorch cuDNN fp32: ${cudnnInfer}); auto picks ${scheduleName(32, R.units, false)} at batch 32 and ${scheduleName(512, R.units, false)} at batch 512:`,
  );
  rows.push('');
  rows.push('| schedule | batch 32 | ÷ cuDNN (≥ 1: ahead) | batch 512 | ÷ cuDNN (≥ 1: ahead) |');
  rows.push('| --- | ---: | ---: | ---: | ---: |');
  for (const i of r.inference) {
    rows.push(`| ${i.schedule} | ${f(i.seqPerSec32, 0)} | ${base?.inferSeqPerSec32 ? f(i.seqPerSec32 / base.inferSeqPerSec32, 2) : '—'} | ${f(i.seqPerSec512, 0)} | ${base?.inferSeqPerSec512 ? f(i.seqPerSec512 / base.inferSeqPerSec512, 2) : '—'} |`);
  }
  rows.push('');
  rows.push("GRU (Keras's default reset-after form, cuDNN's; cuDNN-comparable: no dropouts, no mask), training step ms (median, waiting for each step) against PyTorch's cuDNN GRU fp32, the reference shape and each sweep point; target: at or below cuDNN everywhere:");
  rows.push('');
  rows.push('| shape | ours | PyTorch cuDNN GRU fp32 | ours / cuDNN | ours pipelined | cuDNN pipelined | ratio | ours / our LSTM (auto) |');
  rows.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const g of r.gru ?? []) {
    const peer = c?.gru?.find((x) => x.name === g.name);
    const lstm = r.schedules.find((x) => x.name === g.name);
    rows.push(`| ${g.name} | ${f(g.stepMs)} | ${f(peer?.stepMs)} | ${vs(g.stepMs, peer?.stepMs)} | ${f(g.pipelinedStepMs)} | ${f(peer?.pipelinedStepMs)} | ${vs(g.pipelinedStepMs, peer?.pipelinedStepMs)} | ${lstm ? f(g.stepMs / (lstm.stepMs[lstm.auto] ?? NaN), 2) : '—'} |`);
  }
  const gRef = r.gru?.find((x) => x.name === 'reference');
  const pRef = c?.gru?.find((x) => x.name === 'reference');
  if (gRef) rows.push(`\nGRU inference (sequences/s at batch 32 / 512): ours ${f(gRef.inferSeqPerSec32, 0)} / ${f(gRef.inferSeqPerSec512, 0)}; PyTorch cuDNN GRU fp32 ${f(pRef?.inferSeqPerSec32, 0)} / ${f(pRef?.inferSeqPerSec512, 0)}.`);
  if (r.inspect) rows.push(`\ninspect() of a 30-token sentence at the recipe's size (keystroke to gate data, median): LSTM ${f(r.inspect.lstm.inspectMs, 2)} ms (predict ${f(r.inspect.lstm.predictMs, 2)}), GRU ${f(r.inspect.gru.inspectMs, 2)} ms (predict ${f(r.inspect.gru.predictMs, 2)}).`);
  rows.push('');
  rows.push('GEMMs of the reference model alone (ms, median):');
  rows.push('');
  rows.push(`| M × N × K | ${r.comparable.tuning}-tuned | GFLOP/s | ${r.otherTuning.tuning}-tuned | GFLOP/s |`);
  rows.push('| --- | ---: | ---: | ---: | ---: |');
  r.comparable.gemms.forEach((g, i) => {
    const o = r.otherTuning.gemms[i];
    rows.push(`| ${g.M} × ${g.N} × ${g.K}${g.transA ? ' (Aᵀ)' : ''} | ${f(g.ms, 3)} | ${f(g.gflops, 0)} | ${f(o?.ms, 3)} | ${f(o?.gflops, 0)} |`);
  });
  for (const pr of r.profiles) {
    if (!pr.kernels.length) continue;
    const total = pr.kernels.reduce((a, k) => a + k.ms, 0);
    rows.push('');
    rows.push(
      `GPU time per kernel, ${pr.name} ('auto' schedule, cuDNN-comparable; ${f(total, 3)} ms in all; a later engine in the process, whose timestamps Dawn may round to 65.5 µs): ${pr.kernels.slice(0, 8).map((k) => `${k.kernel} ×${k.count} ${f(k.ms, 3)}`).join(', ')}.`,
    );
  }
  rows.push('');
  rows.push(
    `Anatomy of a synced training step ('auto' schedule): ${r.anatomy.map((a) => `batch ${a.batch}: ${f(a.stepMs)} ms = CPU encoding ${f(a.encodeMs)} + GPU kernels ${f(a.gpuMs)} + the rest (submit, waiting, readback; an empty step's round trip is ${f(a.roundTripMs)})`).join('; ')}.`,
  );
  rows.push('');
  rows.push(`Device limits: workgroup memory ${r.limits.maxComputeWorkgroupStorageSize} bytes, ${r.limits.maxComputeInvocationsPerWorkgroup} invocations per workgroup.`);
  rows.push('');
  rows.push(variantsTable(r.variants));
  if (r.halfWeights) rows.push(`\n${halfTable(r.halfWeights)}`);
  if (r.notebook.kernels) {
    rows.push('');
    rows.push('GPU time per kernel, one notebook-recipe training step (timestamp-query, one pass per dispatch, so it includes pass overhead):');
    rows.push('');
    rows.push('| kernel | dispatches | ms |');
    rows.push('| --- | ---: | ---: |');
    for (const k of r.notebook.kernels) rows.push(`| ${k.kernel} | ${k.count} | ${f(k.ms, 3)} |`);
  }
  return rows.join('\n');
}

/** The forward variants' row as Markdown (see forwardVariants). */
function variantsTable(v: VariantRow[] | string): string {
  if (typeof v === 'string') return `Whole-sequence forward variants: ${v}.`;
  const f = (x: number | null | undefined, d = 2) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));
  const rows = [
    'Whole-sequence forward variants, the reference model (cuDNN-comparable): inference sequences/s at batch 32 / 512, training step ms (median, synced), and the tuning-parity check (cpu-tuned kernels vs this schedule; 8 rows: its evaluation step only).',
    '',
    '| schedule | kernels at batch 512 | batch 32 | batch 512 | training ms | parity |',
    '| --- | --- | ---: | ---: | ---: | --- |',
  ];
  for (const r of v) {
    const parity = r.parity ? `${r.parity.ok ? 'ok' : 'DISAGREES'} (loss ${r.parity.maxLossRelDiff.toExponential(1)}, weights ${r.parity.maxParamAbsDiff.toExponential(1)})` : '—';
    rows.push(`| ${r.schedule} | ${r.kernels} | ${f(r.seqPerSec32, 0)} | ${f(r.seqPerSec512, 0)} | ${f(r.trainStepMs)} | ${parity} |`);
  }
  return rows.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const quick = argv.includes('--quick');
  const t0 = performance.now();
  const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;
  const requireHardware = !argv.includes('--allow-cpu');
  // A dry run of the script on a CPU adapter uses a tiny model (SwiftShader would take an hour at full size).
  const ref: ModelShape = requireHardware ? REFERENCE : { ...REFERENCE, vocab: 60, embed: 8, units: 16, maxlen: 6, batch: 8 };
  const steps = quick ? 5 : 200;
  const warmup = quick ? 2 : 20;
  console.log('engine: anatomy of a synced training step at batch 32 and 128…');
  const anatomy: Anatomy[] = [];
  for (const B of [32, 128]) {
    anatomy.push(await stepAnatomy(ref, B, quick ? 3 : 30));
    const a = anatomy.at(-1)!;
    console.log(`  batch ${B}: step ${a.stepMs.toFixed(2)} ms = encode ${a.encodeMs.toFixed(2)} + GPU kernels ${a.gpuMs.toFixed(2)} + rest; empty round trip ${a.roundTripMs.toFixed(2)} ms`);
    console.log(`    encoding by phase: ${Object.entries(a.phases).map(([n, v]) => `${n} ${v.toFixed(3)}`).join(', ')} ms`);
  }
  if (argv.includes('--anatomy-only')) return 0;
  if (argv.includes('--variants-only')) {
    // Only the forward variants' row (a short device run): the JSON and the table of that row.
    const variants = await forwardVariants(ref, quick ? 3 : 20, quick ? 5 : 50, requireHardware);
    const md = variantsTable(variants);
    const outPath = arg(argv, '--out');
    if (outPath) fs.writeFileSync(outPath, JSON.stringify({ variants }, null, 2));
    const mdPath = arg(argv, '--md');
    if (mdPath) fs.writeFileSync(mdPath, `${md}\n`);
    console.log(`\n${md}`);
    return typeof variants === 'string' || variants.every((v) => v.parity?.ok ?? true) ? 0 : 1;
  }
  if (argv.includes('--half-only')) {
    // Only the 16-bit rows (a short device run).
    const halfWeights = await halfWeightRates(ref, quick ? 3 : 20);
    const md = halfTable(halfWeights);
    const outPath = arg(argv, '--out');
    if (outPath) fs.writeFileSync(outPath, JSON.stringify({ halfWeights }, null, 2));
    const mdPath = arg(argv, '--md');
    if (mdPath) fs.writeFileSync(mdPath, `${md}\n`);
    console.log(`\n${md}`);
    return 0;
  }
  console.log(`engine: notebook recipe, ${steps} steps…`);
  // Dawn rounds timestamps to 65.5 µs unless told not to: too coarse for kernels of a few µs.
  const acquire = { dawnFlags: ['disable-dawn-features=timestamp_quantization'] };
  const notebook = await benchEngine({ shape: ref, steps, warmup, epochs: 3, stepsPerEpoch: quick ? 2 : 50, profile: true, requireHardware, acquire });
  console.log(`engine on ${notebook.backend} ${notebook.adapter}, ${notebook.tuning}-tuned: ${notebook.step.medianMs.toFixed(2)} ms/step`);
  const probe = await createEngine({ tuning: 'cpu' });
  const limits = { maxComputeWorkgroupStorageSize: probe.device.limits.maxComputeWorkgroupStorageSize, maxComputeInvocationsPerWorkgroup: probe.device.limits.maxComputeInvocationsPerWorkgroup };
  probe.destroy();
  console.log(`  device limits: ${JSON.stringify(limits)}`);
  console.log('engine: cuDNN-comparable configuration, both kernel tunings…');
  const comparable = await benchEngine({ shape: ref, steps, warmup, epochs: 1, stepsPerEpoch: 1, profile: false, network: CUDNN_COMPARABLE, requireHardware });
  const other = comparable.tuning === 'gpu' ? 'cpu' : 'gpu';
  const otherTuning = await benchEngine({ shape: ref, steps: quick ? steps : 50, warmup, epochs: 0, stepsPerEpoch: 0, profile: false, network: CUDNN_COMPARABLE, requireHardware, tuning: other });
  console.log(`  ${comparable.tuning}-tuned ${comparable.step.medianMs.toFixed(2)} ms/step, ${other}-tuned ${otherTuning.step.medianMs.toFixed(2)}`);
  console.log(`engine: every LSTM schedule at the reference shape and each sweep point (${elapsed()})…`);
  const schedules: ScheduleRow[] = [await scheduleRow('reference', ref, quick ? 2 : 50, requireHardware)];
  for (const [name, v] of quick ? SWEEPS.slice(0, 1) : SWEEPS) schedules.push(await scheduleRow(name, { ...ref, ...v }, quick ? 2 : 40, requireHardware));
  // The scaling sweep as users get it: the schedule 'auto' picks, measured above.
  const sweeps: RealGpuResult['sweeps'] = schedules.slice(1).map((r) => ({ name: r.name, shape: r.shape, stepMs: r.stepMs[r.auto] ?? NaN }));
  console.log(`engine: inference by schedule (${elapsed()})…`);
  const inference = await inferenceBySchedule(ref, quick ? 3 : 20);
  console.log(`TF.js webgpu on the same adapter (${elapsed()})…`);
  const tfjs = await tfjsWebgpu(ref, quick ? 2 : 10);
  console.log(typeof tfjs === 'string' ? `  ${tfjs}` : `  ${tfjs.step.medianMs.toFixed(1)} ms/step on ${tfjs.adapter}`);
  console.log(`engine: GPU time per kernel at batch 128, hidden 512, sequence length 128, and inference at batch 512 (${elapsed()})…`);
  const profiles: RealGpuResult['profiles'] = [];
  for (const name of ['batch 128', 'hidden 512', 'seq len 128']) {
    const v = SWEEPS.find(([n]) => n === name)?.[1] ?? {};
    const e = await benchEngine({ shape: { ...ref, ...v }, steps: 3, warmup: 2, epochs: 0, stepsPerEpoch: 0, profile: true, lite: true, network: CUDNN_COMPARABLE, requireHardware, acquire });
    profiles.push({ name: `training step, ${name}`, kernels: e.kernels ?? [] });
  }
  profiles.push({ name: 'inference, batch 512', kernels: await profileInference(ref, 512) });
  console.log(`correctness: kernel-tuning parity (${elapsed()})…`);
  const parity = await tuningParity();
  console.log(`inspect() latency, a 30-token sentence (${elapsed()})…`);
  const inspectEngine = await createEngine();
  const inspect = { lstm: await inspectLatency(inspectEngine, 'lstm', quick ? 3 : 50), gru: await inspectLatency(inspectEngine, 'gru', quick ? 3 : 50) };
  inspectEngine.destroy();
  console.log(`engine: the GRU at the reference shape and each sweep point (${elapsed()})…`);
  const gru = await gruRows(ref, quick, requireHardware);
  console.log(`generation speed (${elapsed()})…`);
  const generation = await generationSpeed(quick ? 128 : 1024, quick ? 2 : 5);
  const zip = arg(argv, '--zip');
  const epochs = quick ? 1 : 3;
  const epoch = !requireHardware
    ? 'skipped: a dry run on a CPU adapter'
    : zip && fs.existsSync(zip)
      ? await sentimentEpoch(fs.readFileSync(zip), { epochs, evaluate: true })
      : `skipped: ${zip ? `${zip} is absent` : 'no --zip given'}`;
  console.log(`engine: whole-sequence forward variants (${elapsed()})…`);
  const variants = await forwardVariants(ref, quick ? 3 : 20, quick ? 5 : 50, requireHardware);
  console.log(`engine: prediction with 16-bit recurrent weights (${elapsed()})…`);
  const halfWeights = await halfWeightRates(ref, quick ? 3 : 20);
  const result: RealGpuResult = { adapter: notebook.adapter, backend: notebook.backend, notebook, comparable, otherTuning, sweeps, epoch, parity, schedules, inference, tfjs, profiles, anatomy, limits, generation, gru, inspect, variants, halfWeights };
  console.log(`done (${elapsed()})`);
  const cudnnPath = arg(argv, '--cudnn');
  const cudnn = cudnnPath && fs.existsSync(cudnnPath) ? (JSON.parse(fs.readFileSync(cudnnPath, 'utf8')) as CudnnResult) : null;
  if (cudnnPath && !cudnn) console.error(`no PyTorch results at ${cudnnPath}: the table shows ours only`);
  const md = realGpuTable(result, cudnn);
  const out = arg(argv, '--out');
  if (out) fs.writeFileSync(out, JSON.stringify({ engine: result, cudnn }, null, 1));
  const mdPath = arg(argv, '--md');
  if (mdPath) fs.writeFileSync(mdPath, `${md}\n`);
  console.log(`\n${md}`);
  return parity.ok ? 0 : 1;
}
