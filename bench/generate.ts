/**
 * Generation speed (prints numbers; not a test): tokens per second of LanguageModel.generate for the
 * TF.js text-generation example's size (LSTM 128) over a character vocabulary, at temperature 1, for
 * several chunk sizes (tokens per submit), fused (a one-layer model runs a chunk in one dispatch) and
 * with separate dispatches per token, alternating, on this machine's adapter through Dawn.
 *
 *   node bench/launch.mjs bench/generate.ts [--length 512] [--units 128] [--vocab-text FILE]
 */
import fs from 'node:fs';
import { createLanguageModel } from '../src/lm/language-model';
import { installDawn } from '../src/gpu/device-node';

installDawn();

export async function main(argv: string[]): Promise<number> {
  const opt = (name: string, d: number) => (argv.includes(`--${name}`) ? Number(argv[argv.indexOf(`--${name}`) + 1]) : d);
  const length = opt('length', 512);
  const units = opt('units', 128);
  const file = argv.includes('--vocab-text') ? argv[argv.indexOf('--vocab-text') + 1]! : null;
  // A text with a realistic character set (the weights stay random: speed does not depend on them).
  const text = file ? fs.readFileSync(file, 'utf8') : Array.from({ length: 4000 }, (_, i) => String.fromCharCode(32 + ((i * 7919) % 90))).join('');
  const lm = await createLanguageModel(text, { units, embedDim: 32, seqLen: 40 });
  console.log(`LSTM ${units}, vocabulary ${lm.vocab.size}, ${lm.model.engine.gpu.backend} (${lm.model.engine.tuning}-tuned kernels)`);
  await lm.generate('a', { length: 16, fuse: true }); // warm-up: pipelines, buffers
  await lm.generate('a', { length: 16, fuse: false });
  const engine = lm.model.engine;
  // Alternating, so that both ways see the same machine.
  for (const chunk of [16, 64, 256]) {
    for (const fuse of [true, false]) {
      const steps0 = engine.stepsSubmitted;
      const t0 = performance.now();
      await lm.generate('a', { length, chunk, temperature: 1, seed: 1, fuse });
      const s = (performance.now() - t0) / 1000;
      const how = fuse ? 'fused (one dispatch per chunk)' : 'separate (2 dispatches per token)';
      console.log(`chunk ${String(chunk).padStart(3)}, ${how.padEnd(33)}: ${length} tokens in ${s.toFixed(2)} s = ${(length / s).toFixed(0)} tokens/s; ${engine.stepsSubmitted - steps0} submits`);
    }
  }
  lm.dispose();
  return 0;
}
