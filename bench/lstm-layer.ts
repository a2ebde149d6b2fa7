/**
 * Recurrent layer benchmark (prints numbers; not a test): the LSTM, the GRU in both of Keras's forms and
 * the SimpleRNN, one column per figure.
 *
 * For the reference shape (B 32, T 28, in 128, H 196 by default) it measures each cell's fused layer's
 * forward and forward+backward wall time per submit, counts dispatches, converts the model's FLOPs into
 * GFLOP/s next to the best GEMM GFLOP/s measured in the same run on the same adapter, and gives each
 * cell's step as a multiple of the LSTM's.
 *
 *   node bench/launch.mjs bench/lstm-layer.ts [--B 32] [--T 28] [--in 128] [--H 196] [--reps 5]
 */
import seedrandom from 'seedrandom';
import { type Engine } from '../src/engine/engine';
import { createEngine, prepareCells } from '../src/ops/create-engine';
import { ParameterStore } from '../src/engine/parameters';
import { Tensor } from '../src/engine/tensor';
import { backpropFrom } from '../src/ops/elementwise';
import { gemm } from '../src/ops/matmul';
import { buildGraph, initialWeights } from '../src/layers/graph';
import { cellOf } from '../src/layers/kinds/cells';
import { layers, type Layer, type RecurrentLayer } from '../src/layers/specs';
import { recurrentLayer } from '../src/nn/recurrent-layer';
import type { Step } from '../src/engine/step';
import { installDawn } from '../src/gpu/device-node';

installDawn(); // Node: engines get their device from Dawn

function arg(argv: string[], name: string, dflt: number): number {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(engine: Engine, reps: number, encode: () => void): Promise<number[]> {
  encode(); // warm-up (first use of pipelines and pooled buffers)
  await engine.sync();
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    encode();
    await engine.sync();
    out.push(performance.now() - t0);
  }
  return out;
}

export async function gemmCeiling(engine: Engine, shapes: Array<[number, number, number, boolean, boolean]>, reps: number) {
  const rows: Array<{ shape: string; ms: number; gflops: number }> = [];
  for (const [M, N, K, ta, tb] of shapes) {
    const a = engine.allocate(M * K, 'A');
    const b = engine.allocate(K * N, 'B');
    const c = engine.allocate(M * N, 'C');
    engine.write(a, Float32Array.from({ length: M * K }, (_, i) => (i % 7) * 0.1));
    engine.write(b, Float32Array.from({ length: K * N }, (_, i) => (i % 5) * 0.1));
    const ms = median(
      await time(engine, reps, () => {
        const step = engine.beginStep({ grad: false, label: 'gemm bench' });
        gemm(step, { a, b, c, M, N, K, transA: ta, transB: tb });
        step.submit();
      }),
    );
    rows.push({ shape: `${M}×${K}·${K}×${N}${ta ? ' Aᵀ' : ''}${tb ? ' Bᵀ' : ''}`, ms, gflops: (2 * M * N * K) / ms / 1e6 });
    for (const s of [a, b, c]) engine.release(s);
  }
  return rows;
}

type CellRow = { cell: string; layer: Layer; fwdMs: number; fbMs: number; fwdDispatches: number; fbDispatches: number; flopsFwd: number; flopsFb: number };

const CELLS: Array<[string, (H: number, T: number, In: number) => Layer, number]> = [
  ['LSTM', (H, T, In) => layers.lstm({ units: H, inputShape: [T, In] }), 4],
  ['GRU (reset after)', (H, T, In) => layers.gru({ units: H, inputShape: [T, In] }), 3],
  ['GRU (reset before)', (H, T, In) => layers.gru({ units: H, resetAfter: false, inputShape: [T, In] }), 3],
  ['SimpleRNN', (H, T, In) => layers.simpleRNN({ units: H, inputShape: [T, In] }), 1],
];

export async function main(argv: string[]): Promise<number> {
  const B = arg(argv, 'B', 32);
  const T = arg(argv, 'T', 28);
  const In = arg(argv, 'in', 128);
  const H = arg(argv, 'H', 196);
  const reps = arg(argv, 'reps', 5);
  const engine = await createEngine();
  await prepareCells(engine, ['gru', 'simpleRnn']);
  const info = engine.gpu.adapterInfo;
  console.log(`adapter: ${engine.gpu.backend} ${info.vendor} ${info.architecture} ${info.device} ${info.description}`.trim());
  const G = 4 * H;
  const rowsBT = B * T;
  const ceiling = await gemmCeiling(
    engine,
    [
      [rowsBT, G, In, false, false], // input projection
      [H, G, rowsBT, true, false], // dWh
      [rowsBT, In, G, false, true], // dX
      [512, 512, 512, false, false],
    ],
    reps,
  );
  const best = Math.max(...ceiling.map((r) => r.gflops));

  const xData = engine.allocate(T * B * In, 'x');
  const xGrad = engine.allocate(T * B * In, 'dx');
  engine.write(xData, Float32Array.from({ length: T * B * In }, (_, i) => Math.sin(i) * 0.5));
  const x = new Tensor([T, B, In], xData, xGrad, 'x');
  const dLast = Float32Array.from({ length: B * H }, (_, i) => Math.cos(i) * 0.01);
  const rows: CellRow[] = [];
  for (const [cell, make, gates] of CELLS) {
    const layer = make(H, T, In);
    const graph = buildGraph([layer]);
    const name = graph.layers[0]!.name;
    const store = new ParameterStore(engine, initialWeights(graph, seedrandom('bench')));
    const w = { wx: store.get(`${name}/kernel`), wh: store.get(`${name}/recurrent_kernel`), b: store.get(`${name}/bias`) };
    const run = (step: Step) => recurrentLayer(step, cellOf(layer as RecurrentLayer).cell(layer as RecurrentLayer), x, [{ prefix: name, weights: w, backward: false, inputMask: null, recurrentMask: null }], { mask: null, returnSequences: false, name });
    let fwdDispatches = 0;
    let fbDispatches = 0;
    const fwd = await time(engine, reps, () => {
      const step = engine.beginStep({ grad: false, label: `${cell} forward` });
      run(step);
      fwdDispatches = step.dispatches;
      step.submit();
    });
    const fb = await time(engine, reps, () => {
      const step = engine.beginStep({ grad: true, label: `${cell} forward+backward` });
      store.zeroGrads(step);
      backpropFrom(step, run(step), dLast);
      step.backward();
      fbDispatches = step.dispatches;
      step.submit();
    });
    const Gc = gates * H;
    const flopsFwd = 2 * rowsBT * In * Gc + 2 * rowsBT * H * Gc;
    const flopsBwd = 2 * rowsBT * H * Gc /* dh recurrence */ + 2 * H * Gc * rowsBT /* dWh */ + 2 * In * Gc * rowsBT /* dWx */ + 2 * rowsBT * Gc * In; /* dX */
    rows.push({ cell, layer, fwdMs: median(fwd), fbMs: median(fb), fwdDispatches, fbDispatches, flopsFwd, flopsFb: flopsFwd + flopsBwd });
    store.destroy();
  }
  console.log(`\nGEMM ceiling (same run, same adapter):`);
  for (const r of ceiling) console.log(`  ${r.shape.padEnd(24)} ${r.ms.toFixed(2).padStart(9)} ms  ${r.gflops.toFixed(2).padStart(7)} GFLOP/s`);
  console.log(`\nRecurrent layers, B ${B}, T ${T}, in ${In}, H ${H} (median of ${reps}; engine tuning ${engine.tuning}):`);
  console.log(`  ${'cell'.padEnd(20)} ${'forward'.padStart(12)} ${'GFLOP/s'.padStart(8)} ${'fwd+bwd'.padStart(12)} ${'GFLOP/s'.padStart(8)} ${'% GEMM'.padStart(7)} ${'dispatches'.padStart(11)} ${'× LSTM step'.padStart(12)}`);
  const lstmRow = rows[0]!;
  for (const r of rows) {
    const fbG = r.flopsFb / r.fbMs / 1e6;
    console.log(
      `  ${r.cell.padEnd(20)} ${`${r.fwdMs.toFixed(2)} ms`.padStart(12)} ${(r.flopsFwd / r.fwdMs / 1e6).toFixed(2).padStart(8)} ${`${r.fbMs.toFixed(2)} ms`.padStart(12)} ${fbG.toFixed(2).padStart(8)} ${`${((100 * fbG) / best).toFixed(0)}%`.padStart(7)} ${`${r.fwdDispatches}/${r.fbDispatches}`.padStart(11)} ${(r.fbMs / lstmRow.fbMs).toFixed(2).padStart(12)}`,
    );
  }
  const gru = rows[1]!;
  console.log(`\n  GRU (reset after) forward+backward step = ${(gru.fbMs / lstmRow.fbMs).toFixed(2)} × the LSTM's (three gate blocks instead of four: about 0.75 expected); forward ${(gru.fwdMs / lstmRow.fwdMs).toFixed(2)} ×`);
  console.log(`  LSTM forward+backward at ${((100 * lstmRow.flopsFb) / lstmRow.fbMs / 1e6 / best).toFixed(0)}% of the best GEMM (${best.toFixed(2)} GFLOP/s); target ≥ 60%`);
  engine.release(xData);
  engine.release(xGrad);
  engine.destroy();
  return 0;
}
