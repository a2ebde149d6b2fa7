/**
 * LSTM layer benchmark (prints numbers; not a test).
 *
 * For the reference shape (B 32, T 28, in 128, H 196 by default) it measures the fused layer's forward
 * and forward+backward wall time per submit, counts dispatches, and converts the model's FLOPs into
 * GFLOP/s next to the best GEMM GFLOP/s measured in the same run on the same adapter.
 *
 *   node bench/launch.mjs bench/lstm-layer.ts [--B 32] [--T 28] [--in 128] [--H 196] [--reps 5]
 */
import seedrandom from 'seedrandom';
import { type Engine } from '../src/engine/engine';
import { createEngine } from '../src/ops/create-engine';
import { ParameterStore } from '../src/engine/parameters';
import { Tensor } from '../src/engine/tensor';
import { backpropFrom } from '../src/ops/elementwise';
import { lstm } from '../src/ops/lstm';
import { gemm } from '../src/ops/matmul';
import { lstmStackParams } from '../tests/helpers/lstm-stack';
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

export async function main(argv: string[]): Promise<number> {
  const B = arg(argv, 'B', 32);
  const T = arg(argv, 'T', 28);
  const In = arg(argv, 'in', 128);
  const H = arg(argv, 'H', 196);
  const reps = arg(argv, 'reps', 5);
  const engine = await createEngine();
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

  const store = new ParameterStore(engine, lstmStackParams({ inputDim: In, units: H, layers: 1, bidirectional: false }, seedrandom('bench')));
  const w = { wx: store.get('lstm/kernel'), wh: store.get('lstm/recurrent_kernel'), b: store.get('lstm/bias') };
  const xData = engine.allocate(T * B * In, 'x');
  const xGrad = engine.allocate(T * B * In, 'dx');
  engine.write(xData, Float32Array.from({ length: T * B * In }, (_, i) => Math.sin(i) * 0.5));
  const x = new Tensor([T, B, In], xData, xGrad, 'x');
  const dLast = Float32Array.from({ length: B * H }, (_, i) => Math.cos(i) * 0.01);
  let fwdDispatches = 0;
  let stepDispatches = 0;
  const fwd = await time(engine, reps, () => {
    const step = engine.beginStep({ grad: false, label: 'lstm forward' });
    lstm(step, x, w);
    fwdDispatches = step.dispatches;
    step.submit();
  });
  const fb = await time(engine, reps, () => {
    const step = engine.beginStep({ grad: true, label: 'lstm forward+backward' });
    store.zeroGrads(step);
    const out = lstm(step, x, w);
    backpropFrom(step, out.last, dLast);
    step.backward();
    stepDispatches = step.dispatches;
    step.submit();
  });
  const flopsFwd = 2 * rowsBT * In * G + 2 * rowsBT * H * G;
  const flopsBwd = 2 * rowsBT * H * G /* dh recurrence */ + 2 * H * G * rowsBT /* dWh */ + 2 * In * G * rowsBT /* dWx */ + 2 * rowsBT * G * In; /* dX */
  const fwdMs = median(fwd);
  const fbMs = median(fb);
  const fbGflops = (flopsFwd + flopsBwd) / fbMs / 1e6;
  console.log(`\nGEMM ceiling (same run, same adapter):`);
  for (const r of ceiling) console.log(`  ${r.shape.padEnd(24)} ${r.ms.toFixed(2).padStart(9)} ms  ${r.gflops.toFixed(2).padStart(7)} GFLOP/s`);
  console.log(`\nLSTM layer B ${B}, T ${T}, in ${In}, H ${H} (median of ${reps}):`);
  console.log(`  forward            ${fwdMs.toFixed(2).padStart(9)} ms  ${(flopsFwd / fwdMs / 1e6).toFixed(2).padStart(7)} GFLOP/s  ${fwdDispatches} dispatches`);
  console.log(`  forward+backward   ${fbMs.toFixed(2).padStart(9)} ms  ${fbGflops.toFixed(2).padStart(7)} GFLOP/s  ${stepDispatches} dispatches`);
  console.log(`  model FLOPs: forward ${(flopsFwd / 1e6).toFixed(1)} M, forward+backward ${((flopsFwd + flopsBwd) / 1e6).toFixed(1)} M`);
  console.log(`  forward+backward at ${((100 * fbGflops) / best).toFixed(0)}% of the best GEMM (${best.toFixed(2)} GFLOP/s); target ≥ 60%`);
  store.destroy();
  engine.release(xData);
  engine.release(xGrad);
  engine.destroy();
  return 0;
}
