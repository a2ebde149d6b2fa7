/**
 * `npm run bench:lm`: the text-generation benchmark. In headless Chromium, on one adapter: TF.js's own
 * text-generation example model (one-hot characters, LSTM 128, windows of 40, batch 128) trained by our
 * layers API and by TF.js on its webgpu and wasm backends — step time, windows per second, ratios —
 * and our generation speed (tokens/s, LSTM 128, temperature 1). Numbers only; nothing passes or fails.
 *
 *   node bench/launch.mjs bench/lm.ts [--quick] [--backends=wasm,webgpu] [--steps=N]
 */
import type { LmBenchResponse } from './browser-main';
import type { LmResult } from './lm-workloads';
import { LM_EXAMPLE } from './lm-workloads';
import { withBenchPage } from './page';

export async function main(argv: string[]): Promise<number> {
  const quick = argv.includes('--quick');
  const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const backends = option('backends')?.split(',') ?? (quick ? ['webgpu'] : ['webgpu', 'wasm']);
  const unknown = backends.filter((b) => b !== 'webgpu' && b !== 'wasm');
  if (unknown.length) throw new Error(`--backends: unknown ${unknown.join(', ')} (known: webgpu, wasm)`);
  const req = { steps: Number(option('steps') ?? (quick ? 2 : 5)), warmup: 1, backends };
  try {
    const res = await withBenchPage((page) => page.evaluate((r) => (window as unknown as { runLmBench(r: unknown): Promise<LmBenchResponse> }).runLmBench(r), req) as Promise<LmBenchResponse>);
    const s = LM_EXAMPLE;
    const row = (r: LmResult, ratio: string) => `| ${r.who} | ${r.step.medianMs.toFixed(0)} ms (${r.step.p10Ms.toFixed(0)}–${r.step.p90Ms.toFixed(0)}) | ${r.windowsPerSec.toFixed(1)} | ${ratio} |`;
    const lines = [
      `TF.js's text-generation example model: one-hot characters (${s.vocab}), LSTM ${s.units}, windows of ${s.seqLen}, batch ${s.batch}; training step (median of ${req.steps} after ${req.warmup} warm-up), ours and each TF.js backend taking turns step by step`,
      '',
      '| trainer | step (median, p10–p90) | windows/s | ours is faster by |',
      '| --- | ---: | ---: | ---: |',
      ...res.pairs.flatMap(({ ours, peer }) => [row({ ...ours, who: `${ours.who}, in turns with ${peer.who.replace(/^TF\.js [\d.]+ /, '')}` }, ''), row(peer, `${(peer.step.medianMs / ours.step.medianMs).toFixed(2)}×`)]),
      '',
      `generation (LSTM 128, temperature 1, chunks of ${res.generation.chunk} tokens per submit): ${res.generation.tokensPerSec.toFixed(0)} tokens/s, median of ${res.generation.runs.length} runs of 512 (${res.generation.runs.map((r) => r.toFixed(0)).join(', ')})`,
    ];
    console.log(`\n${lines.join('\n')}`);
    return 0;
  } catch (e) {
    console.error(`bench failed: ${(e as Error).message}`);
    return 1;
  }
}
