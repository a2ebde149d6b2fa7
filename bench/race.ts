/**
 * The long-term-dependency sweep (prints numbers; not a test): SimpleRNN, GRU and LSTM of the same size
 * trained on tasks.longDependency at gaps 5, 10, 20, 50 and 100 for a fixed step budget each, their
 * test accuracy against the gap — the essay's claim, measured (docs/verification.md holds a run).
 *
 *   node bench/launch.mjs bench/race.ts [--steps 300] [--units 32] [--gaps 5,10,20,50,100] [--seed 141]
 */
import { createEngine } from '../src/ops/create-engine';
import { installDawn } from '../src/gpu/device-node';
import { longDependency, raceCells } from '../src/tasks/long-dependency';
import type { CellName } from '../src/layers/specs';

installDawn();

export async function main(argv: string[]): Promise<number> {
  const opt = (name: string, d: string) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1]! : d);
  const steps = Number(opt('steps', '300'));
  const units = Number(opt('units', '32'));
  const seed = opt('seed', '141');
  const gaps = opt('gaps', '5,10,20,50,100').split(',').map(Number);
  const cells: CellName[] = ['rnn', 'gru', 'lstm'];
  const engine = await createEngine();
  const t0 = performance.now();
  const rows: Array<{ gap: number; acc: Record<string, number> }> = [];
  for (const gap of gaps) {
    const task = longDependency({ gap, seed });
    const r = await raceCells(task, { cells, units, steps, seed, engine, evalEvery: Math.max(1, Math.floor(steps / 4)) });
    rows.push({ gap, acc: Object.fromEntries(r.cells.map((c) => [c.cell, c.accuracy])) });
    console.log(`gap ${gap}: ${r.cells.map((c) => `${c.cell} ${c.accuracy.toFixed(3)}`).join(', ')} (chance ${r.chance}; ${((performance.now() - t0) / 1000).toFixed(0)} s so far)`);
  }
  console.log(`\nLong-term dependency: test accuracy after ${steps} steps (batch 32, Adam 0.01, clip 1, units ${units}, 4 classes: chance 0.25, seed ${seed}; ${engine.gpu.backend})\n`);
  console.log('| gap | SimpleRNN | GRU | LSTM |');
  console.log('| ---: | ---: | ---: | ---: |');
  for (const r of rows) console.log(`| ${r.gap} | ${cells.map((c) => r.acc[c]!.toFixed(3)).join(' | ')} |`);
  engine.destroy();
  return 0;
}
