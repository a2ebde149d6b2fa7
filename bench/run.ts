/**
 * `npm run bench [-- --quick]`: the headless GPU benchmark suite. Prints a Markdown table and writes it,
 * with the raw JSON, under bench/results/ (ignored by git). Numbers only: nothing here passes or fails
 * on speed. It fails loudly when the browser offers no WebGPU adapter.
 *
 *   In headless Chromium (our engine and TF.js on the same page, adapter and data):
 *     reference model (vocab 2000, embed 128, LSTM 196, 2 classes, batch 32, maxlen 28, notebook dropout):
 *     training step median and p10–p90, sequences/s, first step incl. pipeline compilation, inference
 *     sequences/s at batch 32 and 512, dispatches per step, GFLOP/s vs the GEMM ceiling, GPU time per
 *     kernel (timestamp-query), live GPU bytes per epoch; TF.js webgpu (and wasm, cpu in full mode);
 *     scaling sweeps (hidden, sequence length, batch) in full mode.
 *     The real workload (../shared/data/Sentiment.zip, skipped with the reason when absent): an epoch of the
 *     notebook recipe, and its test split predicted (plus one sentence's latency), ours and TF.js in turns.
 *   In Node (Dawn): the same engine workload, and one measured epoch on ../shared/data/Sentiment.zip
 *     in full mode when the archive is present.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'puppeteer';
import { ROOT, withBenchPage } from './page';
import { benchEngine, referenceStepper, REFERENCE, sentimentEpoch, timing, type EngineResult, type PeerResult, type RealEpochRow } from './workloads';
import type { BenchRequest, BenchResponse, RealEpochRequest, RealInferenceRequest } from './browser-main';
import type { RealInferenceResult } from './real-inference';
import { installDawn } from '../src/gpu/device-node';

installDawn(); // Node: engines get their device from Dawn


/** A peer's step time relative to ours, in words. */
function ratio(theirs: number, ours: number): string {
  const r = theirs / ours;
  if (!Number.isFinite(r)) return '—';
  return r >= 1 ? `${r.toFixed(1)}× slower than ours` : `${(1 / r).toFixed(1)}× faster than ours`;
}

const mbPeak = (b: number | null) => (b === null ? '—' : fmt(b / 2 ** 20));

function fmt(n: number | null | undefined, d = 1): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(d);
}

async function zipEpoch(): Promise<Awaited<ReturnType<typeof sentimentEpoch>> | string> {
  const zip = path.resolve(ROOT, '../shared/data/Sentiment.zip');
  if (!fs.existsSync(zip)) return `skipped: ${zip} is absent`;
  return sentimentEpoch(fs.readFileSync(zip));
}

function table(browser: BenchResponse, node: EngineResult, epoch: Awaited<ReturnType<typeof zipEpoch>> | null, quick: boolean): string {
  const e = browser.engine;
  const stepsPerEpoch = Math.ceil(7188 / e.shape.batch); // Sentiment.zip train split, Neutral dropped
  const rows: string[] = [];
  rows.push(`Adapter (browser): ${browser.adapter || e.adapter}; Node: ${node.backend} ${node.adapter}`);
  rows.push(`Reference model: vocab ${e.shape.vocab}, embed ${e.shape.embed}, LSTM ${e.shape.units}, ${e.shape.classes} classes, batch ${e.shape.batch}, maxlen ${e.shape.maxlen}, dropout as in the notebook.${quick ? ' Quick mode (few steps).' : ''}`);
  rows.push('');
  rows.push('| | step ms (median, p10–p90) | vs ours (browser) | train seq/s | first step s | infer seq/s (32 / 512) | epoch s (Sentiment.zip, 225 steps) | GPU MB while training |');
  rows.push('| --- | --- | ---: | ---: | ---: | --- | --- | ---: |');
  const ourEpoch = typeof epoch === 'object' && epoch ? `${fmt(epoch.seconds, 0)} (measured, Node)` : `${fmt((stepsPerEpoch * e.step.medianMs) / 1000, 0)} (extrapolated)`;
  rows.push(
    `| ours, browser | ${fmt(e.step.medianMs)} (${fmt(e.step.p10Ms)}–${fmt(e.step.p90Ms)}) | — | ${fmt(e.trainSeqPerSec, 0)} | ${fmt(e.firstStepMs / 1000, 2)} | ${fmt(e.inferSeqPerSec32, 0)} / ${fmt(e.inferSeqPerSec512, 0)} | ${fmt((stepsPerEpoch * e.step.medianMs) / 1000, 0)} (extrapolated) | ${mbPeak(e.trainPeakDeviceBytes)} |`,
  );
  rows.push(
    `| ours, Node (Dawn) | ${fmt(node.step.medianMs)} (${fmt(node.step.p10Ms)}–${fmt(node.step.p90Ms)}) | ${ratio(node.step.medianMs, e.step.medianMs)} | ${fmt(node.trainSeqPerSec, 0)} | ${fmt(node.firstStepMs / 1000, 2)} | ${fmt(node.inferSeqPerSec32, 0)} / ${fmt(node.inferSeqPerSec512, 0)} | ${ourEpoch} | ${fmt(node.trainPeakBytes / 2 ** 20)} |`,
  );
  for (const p of browser.peers) {
    rows.push(
      `| ${p.peer} | ${fmt(p.step.medianMs)} (${fmt(p.step.p10Ms)}–${fmt(p.step.p90Ms)}) | ${ratio(p.step.medianMs, e.step.medianMs)} | ${fmt(p.trainSeqPerSec, 1)} | ${fmt(p.firstStepMs / 1000, 1)} | ${fmt(p.inferSeqPerSec32, 0)} / ${fmt(p.inferSeqPerSec512, 0)} | ${fmt((stepsPerEpoch * p.step.medianMs) / 1000, 0)} (extrapolated from ${p.step.samples} steps) | ${mbPeak(p.trainPeakDeviceBytes)} |`,
    );
  }
  rows.push('');
  rows.push(
    `GPU MB: the peak of all GPU buffers the peer's device held at once while training, counted identically for every peer by wrapping createBuffer/destroy on the page (bench/gpu-memory.ts). Ours, Node: the engine pool's own peak. Our pool's own count in the browser: ${fmt(e.trainPeakBytes / 2 ** 20)} MB (batch-512 inference later peaks at ${fmt(e.peakBytes / 2 ** 20)} MB).`,
  );
  const tfGpu = browser.peers.find((p) => p.peer.endsWith('webgpu'));
  if (tfGpu?.trainPeakDeviceBytes && e.trainPeakDeviceBytes) {
    rows.push(`Peak GPU memory while training: ours ${fmt(e.trainPeakDeviceBytes / 2 ** 20)} MB, ${tfGpu.peer} ${fmt(tfGpu.trainPeakDeviceBytes / 2 ** 20)} MB: ours is 1/${fmt(tfGpu.trainPeakDeviceBytes / e.trainPeakDeviceBytes, 1)} of it (tf.memory().numBytesInGPUAllocated after training: ${fmt((tfGpu.peakBytes ?? NaN) / 2 ** 20)} MB).`);
  }
  rows.push(`Ours: ${e.dispatchesPerStep} dispatches per training step; ${fmt(e.modelGflop, 2)} GFLOP per step → ${fmt(e.achievedGflops, 2)} GFLOP/s = ${fmt((100 * e.achievedGflops) / e.gemmCeilingGflops, 0)}% of the best GEMM measured in the same run (${fmt(e.gemmCeilingGflops, 2)} GFLOP/s). Live GPU bytes after each of ${e.liveBytesPerEpoch.length} epochs: ${e.liveBytesPerEpoch.map((b) => fmt(b / 2 ** 20, 2)).join(', ')} MB.`);
  for (const p of browser.peers) if (p.note) rows.push(`${p.peer}: ${p.note}.`);
  if (typeof epoch === 'string') rows.push(`Sentiment.zip epoch: ${epoch}.`);
  if (e.kernels) {
    rows.push('');
    rows.push('GPU time per kernel, one training step (timestamp-query, one pass per dispatch):');
    rows.push('');
    rows.push('| kernel | dispatches | ms |');
    rows.push('| --- | ---: | ---: |');
    for (const k of e.kernels) rows.push(`| ${k.kernel} | ${k.count} | ${fmt(k.ms, 2)} |`);
  }
  if (browser.sweeps.length) {
    rows.push('');
    rows.push('Scaling (ours, browser; one change from the reference model each):');
    rows.push('');
    rows.push('| variant | step ms | seq/s |');
    rows.push('| --- | ---: | ---: |');
    for (const s of browser.sweeps) rows.push(`| ${s.name} | ${fmt(s.stepMs)} | ${fmt(s.seqPerSec, 0)} |`);
  }
  return rows.join('\n');
}

/** The real-workload rows, and one line per ratio: `real epoch: ours N s, TF.js-wasm M s (ratio R×)`. */
function realTable(real: RealEpochRow[] | string): string {
  if (typeof real === 'string') return `Real workload (an epoch of Sentiment.zip): ${real}.`;
  const rows = [
    'Real workload: one epoch of the notebook recipe on Sentiment.zip (Neutral dropped, test share 0.33, seed 141, vocabulary 2000, embedding 128, LSTM 196 — and the same recipe with a GRU 196 — the notebook\'s dropouts, batch 32), same page and adapter; ours and each TF.js backend in turns (an epoch of ours per backend and cell):',
    '',
    '| | epoch s | batches timed | test accuracy after them | note |',
    '| --- | ---: | --- | ---: | --- |',
    ...real.map(
      (r) =>
        `| ${r.system} | ${fmt(r.seconds, 1)} | ${r.measuredBatches === r.totalBatches ? `all ${r.totalBatches}` : `${r.measuredBatches} of ${r.totalBatches} (extrapolated; the accuracy is after ${r.measuredBatches} batches)`} | ${fmt(r.testAccuracy, 4)} | ${r.note} |`,
    ),
    '',
  ];
  // Rows come in pairs: ours, then the TF.js backend it ran in turns with.
  for (let i = 0; i + 1 < real.length; i += 2) {
    const [ours, r] = [real[i]!, real[i + 1]!];
    const name = /TF\.js [\d.]+ (\w+)/.exec(r.system)?.[1] ?? r.system;
    const cell = /, GRU/.test(r.system) ? ' (GRU)' : '';
    rows.push(`real epoch${cell}: ours ${fmt(ours.seconds, 1)} s, TF.js-${name} ${fmt(r.seconds, 1)} s (ratio ${fmt(r.seconds / ours.seconds, 2)}×)`);
  }
  return rows.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const quick = argv.includes('--quick');
  if (argv.includes('--real-only')) return realOnly(quick);
  if (argv.includes('--inference-only')) return inferenceOnly(quick);
  try {
    const res = await withBenchPage(async (page) => {
      const req: BenchRequest = quick
        ? { steps: 5, warmup: 2, peers: [{ backend: 'webgpu', steps: 2, warmup: 0, infer: false }], sweeps: false, profile: true }
        : {
            steps: 10,
            warmup: 3,
            peers: [
              { backend: 'webgpu', steps: 3, warmup: 1, infer: true },
              { backend: 'wasm', steps: 5, warmup: 1, infer: true },
              { backend: 'cpu', steps: 2, warmup: 0, infer: false },
            ],
            sweeps: true,
            profile: true,
          };
      console.log(`running the browser workloads (${quick ? 'quick' : 'full'} mode)…`);
      const bench = (await page.evaluate((r) => (window as unknown as { runBench(r: BenchRequest): Promise<BenchResponse> }).runBench(r), req)) as BenchResponse;
      const turns = await stepsInTurns(page, quick ? 6 : 12);
      const zip = path.resolve(ROOT, '../shared/data/Sentiment.zip');
      if (!fs.existsSync(zip)) return { bench, turns, real: `skipped: ${zip} is absent`, inference: `skipped: ${zip} is absent` };
      return { bench, turns, real: await runReal(page, zip, quick), inference: await runInference(page, zip, quick) };
    });
    console.log('running the Node (Dawn) workload…');
    const node = await benchEngine({ shape: REFERENCE, steps: quick ? 5 : 10, warmup: 2, epochs: 3, stepsPerEpoch: quick ? 2 : 5, profile: false });
    const epoch = quick ? null : await zipEpoch();
    const md = `${table(res.bench, node, epoch, quick)}\n\n${turnsLine(res.turns)}\n\n${realTable(res.real)}\n\n${inferenceTable(res.inference)}`;
    const dir = path.join(ROOT, 'bench/results');
    fs.mkdirSync(dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    fs.writeFileSync(path.join(dir, `bench-${stamp}.json`), JSON.stringify({ quick, browser: res.bench, turns: res.turns, real: res.real, inference: res.inference, node, epoch }, null, 1));
    fs.writeFileSync(path.join(dir, `bench-${stamp}.md`), `${md}\n`);
    console.log(`\n${md}\n\nwritten: bench/results/bench-${stamp}.{json,md}`);
    return 0;
  } catch (e) {
    console.error(`bench failed: ${(e as Error).message}`);
    return 1;
  }
}

export type { PeerResult };

/** The real workload in the page: ours for a whole epoch; the slow peers over a fixed number of real batches, scaled. */
/**
 * Node against the browser on the reference step, in turns: one synced step in the page, one in this
 * process (Dawn), alternating which goes first, so both see the same state of a machine whose speed
 * drifts within minutes (the separate rows above are measured minutes apart).
 */
async function stepsInTurns(page: Page, rounds: number): Promise<{ browser: number[]; node: number[] }> {
  console.log('the reference step in the page and in Node, in turns…');
  const node = await referenceStepper();
  const browserStep = () => page.evaluate(() => (window as unknown as { referenceStep(): Promise<number> }).referenceStep()) as Promise<number>;
  try {
    for (let i = 0; i < 2; i++) {
      await browserStep();
      await node.step();
    }
    const out = { browser: [] as number[], node: [] as number[] };
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) {
        out.browser.push(await browserStep());
        out.node.push(await node.step());
      } else {
        out.node.push(await node.step());
        out.browser.push(await browserStep());
      }
    }
    return out;
  } finally {
    node.dispose();
  }
}

function turnsLine(t: { browser: number[]; node: number[] }): string {
  const b = timing(t.browser).medianMs;
  const n = timing(t.node).medianMs;
  return `Node vs browser in turns (reference step, synced, ${t.node.length} each, alternating): Node ${fmt(n)} ms, browser ${fmt(b)} ms (Node ${n <= b ? `${fmt(b / n, 2)}× faster` : `${fmt(n / b, 2)}× slower`}).`;
}

async function runReal(page: Page, zip: string, quick: boolean): Promise<RealEpochRow[]> {
  const req: RealEpochRequest = {
    zipBase64: fs.readFileSync(zip).toString('base64'),
    peers: quick
      ? [{ backend: 'wasm', batches: 8 }]
      : [
          { backend: 'wasm', batches: 40 },
          { backend: 'webgpu', batches: 6 },
          { backend: 'wasm', batches: 40, cell: 'gru' },
          { backend: 'webgpu', batches: 6, cell: 'gru' },
        ],
  };
  console.log('running the real workload (an epoch of Sentiment.zip)…');
  return (await page.evaluate((r) => (window as unknown as { runRealEpoch(r: RealEpochRequest): Promise<RealEpochRow[]> }).runRealEpoch(r), req)) as RealEpochRow[];
}

/** `npm run bench -- --real-only [--quick]`: the real-workload rows alone. */
async function realOnly(quick: boolean): Promise<number> {
  const zip = path.resolve(ROOT, '../shared/data/Sentiment.zip');
  if (!fs.existsSync(zip)) {
    console.error(`${zip} is absent: the real workload needs it`);
    return 1;
  }
  const real = await withBenchPage((page) => runReal(page, zip, quick));
  const md = realTable(real);
  const dir = path.join(ROOT, 'bench/results');
  fs.mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  fs.writeFileSync(path.join(dir, `bench-real-${stamp}.md`), `${md}\n`);
  console.log(`\n${md}\n\nwritten: bench/results/bench-real-${stamp}.md`);
  return 0;
}

/**
 * Inference on the real workload (bench/real-inference.ts). Quick (CI): a short training, ours at batch 256
 * (SentimentModel.predict's) and TF.js-wasm, one turn each over the whole split, and the one-sentence
 * latency against wasm. Full: a batch-size sweep of ours, three turns against wasm (the whole split each)
 * and against webgpu (64-row slices of the split, scaled: its whole split would take minutes a turn).
 */
async function runInference(page: Page, zip: string, quick: boolean): Promise<RealInferenceResult> {
  const req: RealInferenceRequest = {
    zipBase64: fs.readFileSync(zip).toString('base64'),
    ...(quick
      ? { trainBatches: 3, batchSizes: [256], endToEnd: false, latencyWarmup: 5, peers: [{ backend: 'wasm' as const, rounds: 1, rowsPerTurn: null, latencyReps: 50 }] }
      : {
          trainBatches: 40,
          batchSizes: [64, 128, 256, 512, 1024],
          endToEnd: true,
          latencyWarmup: 5,
          peers: [
            { backend: 'wasm' as const, rounds: 3, rowsPerTurn: null, latencyReps: 60 },
            { backend: 'webgpu' as const, rounds: 3, rowsPerTurn: 64, latencyReps: 10 },
          ],
        }),
  };
  console.log('running the real workload, inference (the test split of Sentiment.zip, and one sentence)…');
  return (await page.evaluate((r) => (window as unknown as { runRealInference(r: RealInferenceRequest): Promise<RealInferenceResult> }).runRealInference(r), req)) as RealInferenceResult;
}

/** The real-workload inference rows, and one line per ratio: `real inference: ours N seq/s, TF.js-wasm M seq/s (ratio R×)`. */
function inferenceTable(r: RealInferenceResult | string): string {
  if (typeof r === 'string') return `Real workload, inference (the test split of Sentiment.zip): ${r}.`;
  const rows = [
    `Real workload, inference: the test split of Sentiment.zip (${r.rows} tweets; the notebook's split) predicted by one model (ours after ${r.trainBatches} training batches of the notebook recipe; TF.js given the same weights through our TF.js export) on the same token ids, T ${r.T} (${r.maxLenChoice}; the test texts average ${fmt(r.meanTokens, 1)} tokens). Ours: Sequential.predict with masking and length-sorted batches; TF.js: the notebook's model (no mask, padded to T), model.predict at its default batch size 32. Warm-ups not counted. Our test accuracy: ${fmt(r.oursAccuracy, 4)}.`,
    '',
    'Ours, one pass over the split per batch size (one after the other; the fastest runs in turns below):',
    '',
    '| ours | s | seq/s |',
    '| --- | ---: | ---: |',
    ...r.sweep.map((p) => `| ${p.what}${p.batchSize === r.batchSize ? ' (fastest)' : ''} | ${fmt(p.seconds, 2)} | ${fmt(p.seqPerSec, 0)} |`),
    '',
    `In turns (ours the whole split at batch ${r.batchSize}, then TF.js, alternating who goes first):`,
    '',
    '| | turns | ours s per split (each turn) | ours seq/s (median) | TF.js rows per turn | TF.js ms per turn (each) | TF.js seq/s (median) | TF.js first predict of 32 (compilation) | TF.js test accuracy / same class as ours |',
    '| --- | ---: | --- | ---: | ---: | --- | ---: | ---: | --- |',
    ...r.pairs.map(
      (p) =>
        `| ${p.peer} | ${p.oursSeconds.length} | ${p.oursSeconds.map((x) => fmt(x, 2)).join(', ')} | ${fmt(p.oursSeqPerSec, 0)} | ${p.peerRowsPerTurn === r.rows ? `all ${r.rows}` : `${p.peerRowsPerTurn} (scaled)`} | ${p.peerMs.map((x) => fmt(x, 0)).join(', ')} | ${fmt(p.peerSeqPerSec, p.peerSeqPerSec < 100 ? 1 : 0)} | ${fmt(p.peerFirstMs / 1000, 1)} s | ${p.peerAccuracy === null ? '— (slices only)' : `${fmt(p.peerAccuracy, 4)} / ${fmt(p.agreement, 4)}`} |`,
    ),
    '',
  ];
  for (const p of r.pairs) {
    const name = /TF\.js [\d.]+ (\w+)/.exec(p.peer)?.[1] ?? p.peer;
    rows.push(`real inference: ours ${fmt(p.oursSeqPerSec, 0)} seq/s, TF.js-${name} ${fmt(p.peerSeqPerSec, 1)} seq/s (ratio ${fmt(p.oursSeqPerSec / p.peerSeqPerSec, 2)}×)`);
  }
  const lat = r.pairs.filter((p) => p.latency);
  if (lat.length) {
    rows.push('');
    rows.push(`One sentence (${r.sentence.words} words, ${r.sentence.tokens} tokens: "${r.sentence.text}"), predicted one at a time after warm-ups, ours and TF.js alternating: ours SentimentModel.predict([text]) (cleaning and tokenizing included), TF.js model.predict of the padded ids and data().`);
    rows.push('');
    for (const p of lat) {
      const l = p.latency!;
      const name = /TF\.js [\d.]+ (\w+)/.exec(p.peer)?.[1] ?? p.peer;
      rows.push(`one sentence: ours ${fmt(l.ours.medianMs)} ms (p10–p90 ${fmt(l.ours.p10Ms)}–${fmt(l.ours.p90Ms)}), TF.js-${name} ${fmt(l.peer.medianMs)} ms (${fmt(l.peer.p10Ms)}–${fmt(l.peer.p90Ms)}), median of ${l.reps} each (ratio ${fmt(l.peer.medianMs / l.ours.medianMs, 2)}×)`);
    }
  }
  return rows.join('\n');
}

/** `npm run bench -- --inference-only [--quick]`: the real-workload inference rows alone. */
async function inferenceOnly(quick: boolean): Promise<number> {
  const zip = path.resolve(ROOT, '../shared/data/Sentiment.zip');
  if (!fs.existsSync(zip)) {
    console.error(`${zip} is absent: the real workload needs it`);
    return 1;
  }
  const r = await withBenchPage((page) => runInference(page, zip, quick));
  const md = inferenceTable(r);
  const dir = path.join(ROOT, 'bench/results');
  fs.mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  fs.writeFileSync(path.join(dir, `bench-inference-${stamp}.json`), JSON.stringify(r, null, 1));
  fs.writeFileSync(path.join(dir, `bench-inference-${stamp}.md`), `${md}\n`);
  console.log(`\n${md}\n\nwritten: bench/results/bench-inference-${stamp}.{json,md}`);
  return 0;
}
