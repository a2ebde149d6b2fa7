/**
 * Float16 recurrent weights for prediction (#29 §3), on the real workload: the notebook recipe trained on
 * Sentiment.zip's training split (the notebook's split: Neutral dropped, test share 0.33, seed 141), then
 * its test split predicted with float32 and with float16 recurrent weights (`weightPrecision`), in turns:
 * test accuracy of each, how many texts change class, the largest and mean probability difference, seq/s;
 * and one sentence (the try-it box's) predicted each way, alternating, median of many. Node (Dawn); prints
 * numbers, asserts nothing.
 *
 *   node bench/launch.mjs bench/half-weights.ts [--epochs 2] [--rounds 3] [--batch 256] [--reps 40] [--zip PATH]
 */
import fs from 'node:fs';
import path from 'node:path';
import { installDawn } from '../src/gpu/device-node';
import { createSentimentModel } from '../src/sentiment/sentiment-model';
import type { WeightPrecision } from '../src/layers/half-weights';
import { LATENCY_SENTENCE } from './real-inference';
import { notebookSplits, timing } from './workloads';

installDawn();

const arg = (argv: string[], name: string, fallback: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1]! : fallback);

function argmaxRows(probs: ArrayLike<number>, n: number, C: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (probs[i * C + c]! > probs[i * C + best]!) best = c;
    out[i] = best;
  }
  return out;
}

export async function main(argv: string[]): Promise<number> {
  const epochs = Number(arg(argv, '--epochs', '2'));
  const rounds = Number(arg(argv, '--rounds', '3'));
  const batchSize = Number(arg(argv, '--batch', '256'));
  const reps = Number(arg(argv, '--reps', '40'));
  const zipPath = path.resolve(arg(argv, '--zip', '../shared/data/Sentiment.zip'));
  if (!fs.existsSync(zipPath)) {
    console.log(`skipped: ${zipPath} is not here (the notebook's archive; pass --zip PATH)`);
    return 0;
  }
  const { train, test } = await notebookSplits(fs.readFileSync(zipPath));
  const model = await createSentimentModel();
  try {
    const t0 = performance.now();
    await model.fit(train, { epochs, batchSize: 32, bucketing: true });
    console.log(`trained ${epochs} epoch(s) of the recipe (batch 32, masking, bucketing) in ${((performance.now() - t0) / 1000).toFixed(1)} s; engine tuning '${model.engine.tuning}'`);
    const net = model.sequential!;
    const enc = model.encode(test.texts);
    const n = test.texts.length;
    const C = model.labelNames.length;
    const pass = async (weightPrecision: WeightPrecision) => {
      const a = performance.now();
      const out = await net.predict({ data: enc.ids, shape: [n, enc.T] }, { batchSize, weightPrecision });
      return { seconds: (performance.now() - a) / 1000, probs: out.data };
    };
    // Warm-ups: the token tables, float16's kernels and its packing.
    const p32 = (await pass('float32')).probs;
    const p16 = (await pass('float16')).probs;
    const seconds: Record<WeightPrecision, number[]> = { float32: [], float16: [] };
    for (let r = 0; r < rounds; r++) {
      const order: WeightPrecision[] = r % 2 === 0 ? ['float32', 'float16'] : ['float16', 'float32'];
      for (const w of order) seconds[w].push((await pass(w)).seconds);
    }
    const c32 = argmaxRows(p32, n, C), c16 = argmaxRows(p16, n, C);
    const accuracy = (c: Uint32Array) => c.reduce((s, k, i) => s + (k === test.labels[i] ? 1 : 0), 0) / n;
    let changed = 0, maxDiff = 0, sumDiff = 0;
    for (let i = 0; i < n; i++) if (c32[i] !== c16[i]) changed++;
    for (let i = 0; i < p32.length; i++) {
      const d = Math.abs(p32[i]! - p16[i]!);
      maxDiff = Math.max(maxDiff, d);
      sumDiff += d;
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    console.log(`test split: ${n} texts, batch ${batchSize}, ${rounds} turns each (alternating who goes first)`);
    for (const w of ['float32', 'float16'] as const) {
      const c = w === 'float32' ? c32 : c16;
      console.log(`  ${w}: test accuracy ${accuracy(c).toFixed(4)}, ${(n / median(seconds[w])).toFixed(0)} seq/s (turns ${seconds[w].map((s) => s.toFixed(2)).join(', ')} s)`);
    }
    console.log(`  float16 vs float32: ${changed} of ${n} texts change class; probability difference max ${maxDiff.toExponential(2)}, mean ${(sumDiff / p32.length).toExponential(2)}; float16 ÷ float32 time ${(median(seconds.float16) / median(seconds.float32)).toFixed(2)}×`);

    // One sentence, alternating; the first few of each untimed.
    const ms: Record<WeightPrecision, number[]> = { float32: [], float16: [] };
    for (let i = 0; i < reps + 5; i++) {
      for (const w of (i % 2 === 0 ? ['float32', 'float16'] : ['float16', 'float32']) as WeightPrecision[]) {
        const a = performance.now();
        await model.predict([LATENCY_SENTENCE], { weightPrecision: w });
        if (i >= 5) ms[w].push(performance.now() - a);
      }
    }
    const l32 = timing(ms.float32), l16 = timing(ms.float16);
    console.log(`one sentence (20 tokens), median of ${reps} each, alternating: float32 ${l32.medianMs.toFixed(1)} ms, float16 ${l16.medianMs.toFixed(1)} ms (${(l16.medianMs / l32.medianMs).toFixed(2)}×)`);
  } finally {
    model.dispose();
  }
  return 0;
}
