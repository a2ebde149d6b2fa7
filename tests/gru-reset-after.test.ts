/**
 * The fused reset-after GRU layer (Keras's default GRU) against the float64 reference
 * (src/reference/cells.ts, whose gradients tests/cell-reference.test.ts checks by finite differences),
 * on every kernel configuration (cpu-tuned scalar and vec4, gpu-tuned per-timestep, whole-sequence with
 * 1, 2 and 4 rows per workgroup), with masking, recurrent dropout, one-hot input, evaluation steps and
 * the skipped-padding equivalences. Each run also checks which kernels ran, so that a configuration
 * quietly taking another path fails.
 *
 * Tolerances as the LSTM's: forward 1e-5 relative (+1e-6 absolute); gradients 1e-4 relative (+1e-5 absolute).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine/engine';
import { SHADERS } from '../src/kernels/shaders.generated';
import { ParameterStore } from '../src/engine/parameters';
import { gruResetAfter } from '../src/ops/gru-reset-after';
import { LSTM_KERNEL_SETS, expectClose, getCellEngine, rng } from './helpers/gpu';
import { gruReference, randomGruProblem, runGpuGru, runGpuGruInference, type GruProblem } from './helpers/gru-reset-after';
import { lengthMask } from './helpers/lstm';

const FWD = [1e-5, 1e-6] as const;
const GRAD = [1e-4, 1e-5] as const;

type KernelSet = (typeof LSTM_KERNEL_SETS)[number];

/** The recurrence kernels a configuration must dispatch for H units (forward, backward). */
function expectedKernels(k: KernelSet, H: number): [string, string] {
  if (k.tuning === 'cpu') return H % 4 === 0 ? ['gru_ra_forward_step_vec4', 'gru_ra_backward_step_vec4'] : ['gru_ra_forward_step', 'gru_ra_backward_step'];
  if (k.schedule === 'timestep') return ['gru_ra_forward_step_wide', 'gru_ra_backward_step_wide'];
  return ['gru_ra_sequence_forward', 'gru_ra_sequence_backward'];
}

function expectPath(kernels: string[], k: KernelSet, H: number, backward = true): void {
  const [fwd, bwd] = expectedKernels(k, H);
  const gru = kernels.filter((n) => n.startsWith('gru_ra_'));
  expect(gru, 'recurrence kernels dispatched').toContain(fwd);
  if (backward) expect(gru).toContain(bwd);
  for (const n of gru) expect([fwd, bwd], `${n} is not this configuration's kernel`).toContain(n);
}

/** A batch-major mask from per-row patterns of 0/1 (mid-sequence padding included). */
function patternMask(rows: string[]): Uint8Array {
  return Uint8Array.from(rows.join('').split(''), Number);
}

/** The problem with its input made one-hot: a random index per row, every `zeroEvery`-th row all zeros. */
function oneHotProblem(p: GruProblem, r: () => number, zeroEvery: number): GruProblem {
  const x = new Float64Array(p.x.length);
  for (let row = 0; row < p.B * p.T; row++) if (row % zeroEvery !== 1) x[row * p.In + Math.floor(r() * p.In)] = 1;
  return { ...p, x };
}

function expectMatches(gpu: Awaited<ReturnType<typeof runGpuGru>>, ref: ReturnType<typeof gruReference>, seq: boolean, dX = true): void {
  if (seq) expectClose(gpu.seq!, ref.seq, ...FWD, 'h sequence');
  expectClose(gpu.last, ref.last, ...FWD, 'final h');
  expectClose(gpu.dWx, ref.dWx, ...GRAD, 'dWx');
  expectClose(gpu.dWh, ref.dWh, ...GRAD, 'dWh');
  expectClose(gpu.db, ref.db, ...GRAD, 'db (b_x, b_h)');
  if (dX) expectClose(gpu.dX, ref.dX, ...GRAD, 'dX');
}

const engineFor = (k: KernelSet): Promise<Engine> => getCellEngine(['gru'], k.tuning, k.schedule);

describe('fused reset-after GRU layer on the GPU', () => {
  // Every configuration's engine compiles all ops' kernels up front (seconds per whole-sequence pipeline
  // on a software adapter): done here, outside the tests' time limits.
  beforeAll(() => Promise.all(LSTM_KERNEL_SETS.map(engineFor)), 900_000);

  const cases: Array<{ name: string; d: { B: number; T: number; In: number; H: number }; mask?: Uint8Array; rmaskRate?: number; seq: boolean }> = [
    { name: 'small, pre-padded, sequence + final grads', d: { B: 3, T: 5, In: 4, H: 7 }, mask: lengthMask([5, 3, 1], 5, 'pre'), seq: true },
    { name: 'post-padded, recurrent dropout, final state only', d: { B: 5, T: 6, In: 10, H: 9 }, mask: lengthMask([6, 2, 4, 1, 3], 6, 'post'), rmaskRate: 0.25, seq: false },
    // H = 66: two 64-unit workgroups of the scalar kernels, a partial 8-unit block of the wide ones.
    { name: 'H = 66, B = 6, mixed lengths, recurrent dropout, sequences', d: { B: 6, T: 5, In: 5, H: 66 }, mask: lengthMask([2, 5, 3, 3, 1, 4], 5, 'pre'), rmaskRate: 0.2, seq: true },
    // Padding in the middle of rows (and a row whose last step is padding) with recurrent dropout.
    { name: 'mid-sequence padding, recurrent dropout, sequences, H = 5', d: { B: 3, T: 6, In: 3, H: 5 }, mask: patternMask(['110011', '011101', '101010']), rmaskRate: 0.3, seq: true },
    // H divisible by 4 takes the vec4 kernels when cpu-tuned; B = 7 leaves a partial row group.
    { name: 'H = 12, B = 7, mixed padding, recurrent dropout, sequences', d: { B: 7, T: 6, In: 5, H: 12 }, mask: lengthMask([6, 1, 3, 6, 2, 5, 4], 6, 'pre'), rmaskRate: 0.3, seq: true },
    { name: 'H = 8, post-padded, final state only', d: { B: 5, T: 5, In: 3, H: 8 }, mask: lengthMask([5, 2, 4, 1, 3], 5, 'post'), seq: false },
    { name: 'H = 8, mid-sequence padding, recurrent dropout, sequences', d: { B: 3, T: 6, In: 3, H: 8 }, mask: patternMask(['110011', '011101', '101010']), rmaskRate: 0.3, seq: true },
    // Whole-sequence kernels: several k and n slices (H/4 = 16 quads), a partial last block of rows for 2
    // and 4 rows per workgroup, rows that are padding in the middle of the run and at its end.
    { name: 'H = 64, B = 9, mixed padding, recurrent dropout, sequences', d: { B: 9, T: 5, In: 7, H: 64 }, mask: lengthMask([5, 1, 4, 5, 2, 5, 3, 5, 1], 5, 'pre'), rmaskRate: 0.2, seq: true },
    // Wider: H/4 = 49 quads (an odd number of slices of them), no mask.
    { name: 'H = 196, B = 5, T = 3, no mask', d: { B: 5, T: 3, In: 6, H: 196 }, seq: true },
  ];
  // The whole-sequence kernels need H divisible by 4: they run only those cases.
  const sets = (H: number) => LSTM_KERNEL_SETS.filter((k) => k.schedule === 'auto' || k.schedule === 'timestep' || H % 4 === 0);
  for (const c of cases) for (const k of sets(c.d.H)) {
    it(`forward and gradients (Wx, Wh, b_x, b_h, input) match float64: ${c.name} (${k.label})`, async () => {
      const engine = await engineFor(k);
      const p = randomGruProblem(rng(`gru-ra ${c.name}`), c.d, { mask: c.mask ?? null, rmaskRate: c.rmaskRate ?? 0, withSeqGrad: c.seq });
      const kernels: string[] = [];
      const gpu = await runGpuGru(engine, p, { kernels });
      expectPath(kernels, k, c.d.H);
      expectMatches(gpu, gruReference(p), c.seq);
    });
  }

  // One-hot input read as indices: the input projection is a row gather of Wx and dWx a segment sum.
  for (const k of LSTM_KERNEL_SETS) {
    it(`one-hot input as indices (no input GEMMs) matches float64 on the dense one-hot input: H = 64, B = 9, padding, recurrent dropout, zero rows (${k.label})`, async () => {
      const engine = await engineFor(k);
      const r = rng('gru-ra one-hot');
      const p = oneHotProblem(randomGruProblem(r, { B: 9, T: 5, In: 11, H: 64 }, { mask: lengthMask([5, 1, 4, 5, 2, 5, 3, 5, 1], 5, 'pre'), rmaskRate: 0.2, withSeqGrad: true }), r, 5);
      const kernels: string[] = [];
      const gpu = await runGpuGru(engine, p, { oneHot: true, kernels });
      expect(kernels).toContain('embedding_gather');
      expect(kernels).toContain('embedding_backward');
      expect(kernels.filter((n) => n.startsWith('matmul'))).toHaveLength(1); // dWh alone
      expectPath(kernels, k, 64);
      expectMatches(gpu, gruReference(p), true, false);
    });
  }

  // Inference: nothing recorded; the whole-sequence forward then stores only h.
  for (const k of LSTM_KERNEL_SETS) {
    it(`inference (an evaluation step) matches float64: H = 64, B = 9, mixed padding, recurrent dropout (${k.label})`, async () => {
      const engine = await engineFor(k);
      const p = randomGruProblem(rng('gru-ra inference'), { B: 9, T: 5, In: 7, H: 64 }, { mask: lengthMask([5, 1, 4, 5, 2, 5, 3, 5, 1], 5, 'pre'), rmaskRate: 0.2, withSeqGrad: true });
      const kernels: string[] = [];
      const gpu = await runGpuGruInference(engine, p, kernels);
      expectPath(kernels, k, 64, false);
      expect(kernels.filter((n) => n.includes('backward'))).toEqual([]);
      const ref = gruReference(p);
      expectClose(gpu.seq, ref.seq, ...FWD, 'h sequence');
      expectClose(gpu.last, ref.last, ...FWD, 'final h');
    });
  }

  for (const k of LSTM_KERNEL_SETS) {
    for (const padding of ['pre', 'post'] as const) {
      it(`skipping all-padding timesteps (${padding}-padding) gives identical results to running them (${k.label})`, async () => {
        const engine = await engineFor(k);
        const T = 7;
        const p = randomGruProblem(rng(`gru-ra skip-${padding}`), { B: 3, T, In: 4, H: 8 }, { mask: lengthMask([3, 4, 2], T, padding), rmaskRate: 0.2 });
        const skipped = await runGpuGru(engine, p, { skipPadding: true });
        const full = await runGpuGru(engine, p, { skipPadding: false });
        expect(skipped.tEnd - skipped.tStart).toBe(4);
        expect(full.tEnd - full.tStart).toBe(T);
        expectClose(skipped.last, full.last, 1e-6, 1e-7, 'final state');
        expectClose(skipped.dWx, full.dWx, 1e-6, 1e-7, 'dWx');
        expectClose(skipped.dWh, full.dWh, 1e-6, 1e-7, 'dWh');
        expectClose(skipped.db, full.db, 1e-6, 1e-7, 'db');
        expectClose(skipped.dX, full.dX, 1e-6, 1e-7, 'dX');
      });
    }
  }

  it('a sequence pre-padded with k steps of garbage gives the same final state and parameter gradients as unpadded', async () => {
    const engine = await getCellEngine(['gru']);
    const L = 4, k = 3, B = 2, In = 5, H = 6;
    const base = randomGruProblem(rng('gru-ra pad-eq'), { B, T: L, In, H });
    const r = rng('gru-ra garbage');
    const x = new Float64Array(B * (L + k) * In);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < L + k; t++) {
        for (let e = 0; e < In; e++) x[(b * (L + k) + t) * In + e] = t < k ? r() * 10 : base.x[(b * L + t - k) * In + e]!;
      }
    }
    const padded: GruProblem = { ...base, T: L + k, x, mask: lengthMask([L, L], L + k, 'pre') };
    const a = await runGpuGru(engine, base);
    const b = await runGpuGru(engine, padded);
    expect(b.tStart).toBe(k);
    expectClose(b.last, a.last, 1e-6, 1e-7, 'final state');
    expectClose(b.dWx, a.dWx, 1e-6, 1e-7, 'dWx');
    expectClose(b.dWh, a.dWh, 1e-6, 1e-7, 'dWh');
    expectClose(b.db, a.db, 1e-6, 1e-7, 'db');
    for (let bb = 0; bb < B; bb++) for (let t = 0; t < k; t++) for (let e = 0; e < In; e++) expect(b.dX[(bb * (L + k) + t) * In + e]).toBe(0);
  });

  it('a forced whole-sequence schedule that cannot run the layer (H not divisible by 4) is an error, not a quiet switch', async () => {
    const engine = await getCellEngine(['gru'], 'gpu', { sequenceRows: 1 });
    const H = 7;
    const store = new ParameterStore(engine, [
      { name: 'wx', shape: [2, 3 * H], init: new Float32Array(6 * H) },
      { name: 'wh', shape: [H, 3 * H], init: new Float32Array(3 * H * H) },
      { name: 'b', shape: [6 * H], init: new Float32Array(6 * H) },
    ]);
    const step = engine.beginStep({ grad: false });
    try {
      expect(() => gruResetAfter(step, { shape: [2, 1, 2], ids: Uint32Array.from([0, 1]) }, { wx: store.get('wx'), wh: store.get('wh'), b: store.get('b') }, { resetAfter: true }))
        .toThrow(/whole-sequence GRU kernels cannot run 7 units/);
    } finally {
      step.submit();
      store.destroy();
    }
  });

  it('one gate order (z, r, h̃: Keras\'s) is declared by every reset-after GRU kernel', () => {
    const order = { Z: 0, R: 1, H: 2 };
    for (const shader of ['gru_ra_forward_step', 'gru_ra_backward_step', 'gru_ra_forward_step_vec4', 'gru_ra_backward_step_vec4', 'gru_ra_forward_step_wide', 'gru_ra_backward_step_wide', 'gru_ra_sequence_forward', 'gru_ra_sequence_backward'] as const) {
      const src = SHADERS[shader].code;
      for (const [g, v] of Object.entries(order)) {
        const m = new RegExp(`const GATE_${g}: u32 = (\\d+)u;`).exec(src);
        expect(m, `${shader} declares GATE_${g}`).not.toBeNull();
        expect(Number(m![1])).toBe(v);
      }
    }
  });
});
