/**
 * inspect() latency (prints numbers; not a test): the time from a keystroke to the gate data — one
 * forward step that keeps every gate and state, and its one readback — for a 30-token sentence at the
 * recipe's size (vocabulary 2000, embedding 128, LSTM 196; and the GRU), median of many, with predict's
 * time for the same sentence beside it. Node (Dawn); the real-GPU script runs the same function.
 *
 *   node bench/launch.mjs bench/inspect.ts [--reps 20]
 */
import { createEngine } from '../src/ops/create-engine';
import { installDawn } from '../src/gpu/device-node';
import { inspectLatency } from './workloads';

installDawn();

export async function main(argv: string[]): Promise<number> {
  const reps = argv.includes('--reps') ? Number(argv[argv.indexOf('--reps') + 1]) : 20;
  const engine = await createEngine();
  console.log(`inspect() of a 30-token sentence, recipe size, median of ${reps} (${engine.gpu.backend}, ${engine.tuning}-tuned):`);
  for (const cell of ['lstm', 'gru'] as const) {
    const r = await inspectLatency(engine, cell, reps);
    console.log(`  ${cell.toUpperCase().padEnd(5)} inspect ${r.inspectMs.toFixed(1).padStart(7)} ms   predict ${r.predictMs.toFixed(1).padStart(7)} ms   (${r.values} values read back)`);
  }
  engine.destroy();
  return 0;
}
