/**
 * 16-bit recurrent weights for prediction (#29 §3), on the real workload: the notebook recipe trained on
 * Sentiment.zip's training split (the notebook's split: Neutral dropped, test share 0.33, seed 141), then
 * its test split predicted with float32, float16 and bfloat16 recurrent weights (`weightPrecision`), in
 * turns: test accuracy of each, how many texts change class against float32, the largest and mean
 * probability difference, seq/s; and one sentence (the try-it box's) predicted each way, in turns, median
 * of many. Node (Dawn); prints numbers, asserts nothing.
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
    const precisions: WeightPrecision[] = ['float32', 'float16', 'bfloat16'];
    // Warm-ups: the token tables, the 16-bit kernels and their packing.
    const probs = new Map<WeightPrecision, Float32Array>();
    for (const w of precisions) probs.set(w, (await pass(w)).probs);
    const seconds: Record<WeightPrecision, number[]> = { float32: [], float16: [], bfloat16: [] };
    // Each turn runs every precision once, in a rotated order.
    for (let r = 0; r < rounds; r++) for (let k = 0; k < precisions.length; k++) {
      const w = precisions[(r + k) % precisions.length]!;
      seconds[w].push((await pass(w)).seconds);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const p32 = probs.get('float32')!;
    const c32 = argmaxRows(p32, n, C);
    console.log(`test split: ${n} texts, batch ${batchSize}, ${rounds} turns each (the order rotating)`);
    for (const w of precisions) {
      const p = probs.get(w)!;
      const c = argmaxRows(p, n, C);
      const accuracy = c.reduce((s, k, i) => s + (k === test.labels[i] ? 1 : 0), 0) / n;
      let changed = 0, maxDiff = 0, sumDiff = 0;
      for (let i = 0; i < n; i++) if (c[i] !== c32[i]) changed++;
      for (let i = 0; i < p.length; i++) {
        const d = Math.abs(p[i]! - p32[i]!);
        maxDiff = Math.max(maxDiff, d);
        sumDiff += d;
      }
      const vs = w === 'float32' ? '' : `; against float32: ${changed} texts change class, probabilities differ by at most ${maxDiff.toExponential(2)} (mean ${(sumDiff / p.length).toExponential(2)}), time ${(median(seconds[w]) / median(seconds.float32)).toFixed(2)}×`;
      console.log(`  ${w}: test accuracy ${accuracy.toFixed(4)}, ${(n / median(seconds[w])).toFixed(0)} seq/s (turns ${seconds[w].map((s) => s.toFixed(2)).join(', ')} s)${vs}`);
    }

    // One sentence, each precision in a rotated order; the first few rounds untimed.
    const ms: Record<WeightPrecision, number[]> = { float32: [], float16: [], bfloat16: [] };
    for (let i = 0; i < reps + 5; i++) {
      for (let k = 0; k < precisions.length; k++) {
        const w = precisions[(i + k) % precisions.length]!;
        const a = performance.now();
        await model.predict([LATENCY_SENTENCE], { weightPrecision: w });
        if (i >= 5) ms[w].push(performance.now() - a);
      }
    }
    const l32 = timing(ms.float32).medianMs;
    console.log(`one sentence (20 tokens), median of ${reps} each: ${precisions.map((w) => `${w} ${timing(ms[w]).medianMs.toFixed(1)} ms (${(timing(ms[w]).medianMs / l32).toFixed(2)}×)`).join(', ')}`);
  } finally {
    model.dispose();
  }
  return 0;
}
