/**
 * The benchmark page: our engine and TF.js (webgpu, wasm, cpu backends) on the same page, the same
 * adapter, the same model and data. `npm run bench` calls window.runBench through Puppeteer.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// Loaded with the page (the real workload reads a zip): a library first imported mid-run would make
// Vite's dev server re-optimise its dependencies and break the pending import.
import 'jszip';
import 'papaparse';
import { peakGpuBytes, trackGpuMemory } from './gpu-memory';
import { benchEngine, benchTfjs, encodeTiming, realEpochInTurns, referenceStepper, REFERENCE, SWEEPS, type EngineResult, type ModelShape, type PeerResult, type RealEpochRow } from './workloads';
import { generationSpeed, interleaved, LM_EXAMPLE, lmOurs, lmTfjs, type LmResult } from './lm-workloads';
import { realInference, type RealInferenceOptions, type RealInferenceResult } from './real-inference';
import { createEngine } from '../src/ops/create-engine';

setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
// Before any device exists: every peer's GPU buffers are counted the same way.
trackGpuMemory();

/**
 * TF.js 4.22's wasm backend has no UnsortedSegmentSum kernel, which the embedding gradient needs, so it
 * cannot train this model out of the box. This small JS kernel (a plain loop over the wasm heap values)
 * fills the gap; the benchmark says so in its output.
 */
tf.registerKernel({
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
    const { numSegments } = attrs as unknown as { numSegments: number };
    const b = backend as unknown as {
      readSync(id: unknown): ArrayLike<number>;
      makeOutput(shape: number[], dtype: string, offset?: number, values?: Float32Array): tf.TensorInfo;
    };
    const xv = b.readSync(x.dataId);
    const ids = b.readSync(segmentIds.dataId);
    const inner = xv.length / ids.length;
    const out = new Float32Array(numSegments * inner);
    for (let i = 0; i < ids.length; i++) {
      const s = ids[i]!;
      if (s < 0 || s >= numSegments) continue;
      for (let j = 0; j < inner; j++) out[s * inner + j]! += xv[i * inner + j]!;
    }
    return b.makeOutput([numSegments, ...x.shape.slice(1)], 'float32', undefined, out);
  },
});

export interface BenchRequest {
  shape?: ModelShape;
  steps: number;
  warmup: number;
  peers: Array<{ backend: 'webgpu' | 'wasm' | 'cpu'; steps: number; warmup: number; infer: boolean }>;
  sweeps: boolean;
  profile: boolean;
}

export interface BenchResponse {
  adapter: string;
  engine: EngineResult;
  peers: PeerResult[];
  sweeps: Array<{ name: string; shape: ModelShape; stepMs: number; seqPerSec: number }>;
}

async function runBench(req: BenchRequest): Promise<BenchResponse> {
  const shape = req.shape ?? REFERENCE;
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('navigator.gpu.requestAdapter() returned no adapter');
  const info = adapter.info;
  const engine = await benchEngine({ shape, steps: req.steps, warmup: req.warmup, epochs: 3, stepsPerEpoch: 3, profile: req.profile, devicePeak: peakGpuBytes });
  const peers: PeerResult[] = [];
  for (const p of req.peers) {
    const note = p.backend === 'wasm' ? 'UnsortedSegmentSum (embedding gradient) registered as a JS kernel by the benchmark' : '';
    peers.push(await benchTfjs(tf, p.backend, { shape, steps: p.steps, warmup: p.warmup, infer: p.infer, note, devicePeak: peakGpuBytes }));
  }
  const sweeps: BenchResponse['sweeps'] = [];
  if (req.sweeps) {
    for (const [name, v] of SWEEPS) {
      const s = { ...shape, ...v };
      const r = await benchEngine({ shape: s, steps: 3, warmup: 1, epochs: 0, stepsPerEpoch: 0, profile: false, lite: true });
      sweeps.push({ name, shape: s, stepMs: r.step.medianMs, seqPerSec: (s.batch * 1000) / r.step.medianMs });
    }
  }
  return { adapter: [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' '), engine, peers, sweeps };
}

export interface LmBenchResponse {
  /** Per TF.js backend: ours and that backend, their steps interleaved. */
  pairs: Array<{ ours: LmResult; peer: LmResult }>;
  generation: { tokensPerSec: number; chunk: number; runs: number[] };
}

/** The text-generation example's model: ours and TF.js's backends on this page's adapter, and our generation speed. */
async function runLmBench(req: { steps: number; warmup: number; backends: Array<'webgpu' | 'wasm'> }): Promise<LmBenchResponse> {
  const ours = await lmOurs(LM_EXAMPLE);
  const pairs: LmBenchResponse['pairs'] = [];
  try {
    for (const b of req.backends) {
      const peer = await lmTfjs(tf, b, LM_EXAMPLE);
      try {
        const [o, p] = await interleaved([ours, peer], LM_EXAMPLE, req.steps, req.warmup);
        pairs.push({ ours: o!, peer: p! });
      } finally {
        peer.dispose();
      }
    }
  } finally {
    ours.dispose();
  }
  return { pairs, generation: await generationSpeed(512) };
}

/** The real workload: one epoch of the notebook recipe on Sentiment.zip (base64), ours and TF.js peers. */
export interface RealEpochRequest {
  zipBase64: string;
  /** Peers and how many of the epoch's batches each trains (null: all of them). */
  peers: Array<{ backend: 'webgpu' | 'wasm'; batches: number | null; cell?: 'lstm' | 'gru' }>;
}

/** Per peer, [ours, TF.js] measured in turns (bench/workloads.ts realEpochInTurns). */
async function runRealEpoch(req: RealEpochRequest): Promise<RealEpochRow[]> {
  const zip = Uint8Array.from(atob(req.zipBase64), (c) => c.charCodeAt(0));
  const rows: RealEpochRow[] = [];
  for (const p of req.peers) {
    const note = p.backend === 'wasm' ? 'UnsortedSegmentSum registered as a JS kernel by the benchmark' : '';
    rows.push(...(await realEpochInTurns(tf, p.backend, zip, p.batches, note, p.cell ?? 'lstm')));
  }
  return rows;
}

/** Inference on the real workload: Sentiment.zip (base64)'s test split, ours and TF.js in turns (bench/real-inference.ts). */
export interface RealInferenceRequest extends RealInferenceOptions {
  zipBase64: string;
}

async function runRealInference(req: RealInferenceRequest): Promise<RealInferenceResult> {
  const { zipBase64, ...opts } = req;
  return realInference(tf, Uint8Array.from(atob(zipBase64), (c) => c.charCodeAt(0)), opts);
}

/** The reference step in the page, for bench/run.ts to time in turns with Node's. */
let stepper: Awaited<ReturnType<typeof referenceStepper>> | null = null;
async function referenceStep(): Promise<number> {
  stepper ??= await referenceStepper();
  return stepper.step();
}

/** Encode ms per step in the page at batch 32 and 128 (bench/encode.ts). */
async function encodeBench(steps: number) {
  const engine = await createEngine();
  try {
    return [await encodeTiming(engine, REFERENCE, 32, steps), await encodeTiming(engine, REFERENCE, 128, steps)];
  } finally {
    engine.destroy();
  }
}

(window as unknown as { runBench: typeof runBench }).runBench = runBench;
(window as unknown as { encodeBench: typeof encodeBench }).encodeBench = encodeBench;
(window as unknown as { referenceStep: typeof referenceStep }).referenceStep = referenceStep;
(window as unknown as { runRealEpoch: typeof runRealEpoch }).runRealEpoch = runRealEpoch;
(window as unknown as { runLmBench: typeof runLmBench }).runLmBench = runLmBench;
(window as unknown as { runRealInference: typeof runRealInference }).runRealInference = runRealInference;
(window as unknown as { benchReady: boolean }).benchReady = true;
