/**
 * The host side of a training step (prints numbers; not a test): "encode ms per step" — the CPU time
 * from beginStep to the submit returning, phase by phase — at the reference shape with batch 32 and
 * 128, the notebook recipe (dropout masks and padding masks drawn and uploaded on the host), in Node
 * (Dawn) and, unless --node-only, in the page (Chromium) too. On a GPU this is the floor under every
 * step; on SwiftShader the GPU's work dominates, but the encoding still runs on the page's thread.
 *
 *   node bench/launch.mjs bench/encode.ts [--steps 20] [--node-only]
 */
import { createEngine } from '../src/ops/create-engine';
import { installDawn } from '../src/gpu/device-node';
import { withBenchPage } from './page';
import { encodeTiming, REFERENCE, type EncodeTiming } from './workloads';

installDawn();

const line = (where: string, e: EncodeTiming) =>
  `${where.padEnd(8)} batch ${String(e.batch).padStart(3)}: encode ${e.encodeMs.toFixed(2).padStart(6)} ms per step  (${Object.entries(e.phases).map(([n, v]) => `${n} ${v.toFixed(2)}`).join(', ')})`;

export async function main(argv: string[]): Promise<number> {
  const steps = argv.includes('--steps') ? Number(argv[argv.indexOf('--steps') + 1]) : 20;
  const engine = await createEngine();
  const node: EncodeTiming[] = [];
  for (const B of [32, 128]) node.push(await encodeTiming(engine, REFERENCE, B, steps));
  engine.destroy();
  let page: EncodeTiming[] = [];
  if (!argv.includes('--node-only')) {
    page = await withBenchPage((p) => p.evaluate((n) => (window as unknown as { encodeBench(steps: number): Promise<EncodeTiming[]> }).encodeBench(n), steps) as Promise<EncodeTiming[]>);
  }
  console.log(`encode ms per step, reference model (vocab ${REFERENCE.vocab}, embed ${REFERENCE.embed}, LSTM ${REFERENCE.units}, T ${REFERENCE.maxlen}), notebook recipe, median of ${steps}:`);
  for (const e of node) console.log(line('Node', e));
  for (const e of page) console.log(line('page', e));
  return 0;
}
