/**
 * The fused reset-before GRU layer (Keras reset_after = False) against the float64 reference
 * (src/reference/cells.ts, whose gradients tests/cell-reference.test.ts checks by finite differences),
 * for every kernel set (cpu-tuned, gpu-tuned per-timestep, gpu-tuned whole-sequence with 1, 2, 4 rows
 * per workgroup), with masking, recurrent dropout, one-hot input, edge sizes and padding equivalences.
 *
 * Tolerances as the LSTM tests': forward 1e-5 relative (+1e-6 absolute); gradients sum over B·T terms
 * and up to 3H-long dot products per step in f32, so 1e-4 relative (+1e-5 absolute).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine/engine';
import { SHADERS } from '../src/kernels/shaders.generated';
import { GRU_RESET_BEFORE_KERNELS, gruResetBefore } from '../src/ops/gru-reset-before';
import { LSTM_KERNEL_SETS, expectClose, getCellEngine, rng } from './helpers/gpu';
import { gruReference, randomGruProblem, runGpuGru, runGpuGruInference, type GruProblem } from './helpers/gru-reset-before';
import { lengthMask } from './helpers/lstm';

const FWD = [1e-5, 1e-6] as const;
const GRAD = [1e-4, 1e-5] as const;

/** The problem with its input made one-hot: a random index per row, every `zeroEvery`-th row all zeros. */
function oneHotProblem(p: GruProblem, r: () => number, zeroEvery: number): GruProblem {
  const x = new Float64Array(p.x.length);
  for (let row = 0; row < p.B * p.T; row++) if (row % zeroEvery !== 1) x[row * p.In + Math.floor(r() * p.In)] = 1;
  return { ...p, x };
}

type KernelSet = (typeof LSTM_KERNEL_SETS)[number];

const cases: Array<{ name: string; d: { B: number; T: number; In: number; H: number }; mask?: Uint8Array; rmaskRate?: number; seq: boolean }> = [
  { name: 'small, pre-padded, sequence + final grads', d: { B: 3, T: 5, In: 4, H: 7 }, mask: lengthMask([5, 3, 1], 5, 'pre'), seq: true },
  { name: 'H = 66, B = 6, T = 1 (sizes off the tile grid)', d: { B: 6, T: 1, In: 8, H: 66 }, seq: false },
  { name: 'post-padded, recurrent dropout, final state only', d: { B: 5, T: 6, In: 10, H: 9 }, mask: lengthMask([6, 2, 4, 1, 3], 6, 'post'), rmaskRate: 0.25, seq: false },
  { name: 'H = 33, B = 6, mixed lengths, recurrent dropout, sequences', d: { B: 6, T: 7, In: 5, H: 33 }, mask: lengthMask([2, 7, 3, 3, 1, 5], 7, 'pre'), rmaskRate: 0.2, seq: true },
  // H divisible by 4 takes the vec4 kernels when cpu-tuned; B = 7 leaves a partial row group.
  { name: 'H = 12, B = 7, mixed padding, recurrent dropout, sequences', d: { B: 7, T: 6, In: 5, H: 12 }, mask: lengthMask([6, 1, 3, 6, 2, 5, 4], 6, 'pre'), rmaskRate: 0.3, seq: true },
  { name: 'H = 8, post-padded, final state only', d: { B: 5, T: 5, In: 3, H: 8 }, mask: lengthMask([5, 2, 4, 1, 3], 5, 'post'), seq: false },
  // Whole-sequence kernels: several k slices (H/4 = 16 quads), a partial last block of rows for 2 and 4
  // rows per workgroup, rows that are padding in the middle of the run and at its end.
  { name: 'H = 64, B = 9, mixed padding, recurrent dropout, sequences', d: { B: 9, T: 6, In: 7, H: 64 }, mask: lengthMask([6, 1, 4, 6, 2, 5, 3, 6, 1], 6, 'pre'), rmaskRate: 0.2, seq: true },
  // Long enough rows of Wh for the wide kernels' four-at-a-time loops (n and j past 4 × 32).
  { name: 'H = 132, B = 3, pre-padded, recurrent dropout, sequences', d: { B: 3, T: 3, In: 5, H: 132 }, mask: lengthMask([3, 2, 1], 3, 'pre'), rmaskRate: 0.1, seq: true },
];

/** Whether a kernel set runs this hidden size: the whole-sequence kernels need H divisible by 4. */
const runs = (k: KernelSet, H: number) => k.schedule === 'auto' || k.schedule === 'timestep' || H % 4 === 0;

/** The recurrence kernels a kernel set must dispatch (forward, backward) for this H. */
function expectedKernels(k: KernelSet, H: number): string[] {
  if (k.tuning === 'cpu') {
    const v = H % 4 === 0 ? '_vec4' : '';
    return [`gru_rb_forward_gates${v}`, `gru_rb_forward_candidate${v}`, `gru_rb_backward_state${v}`, `gru_rb_backward_reset${v}`];
  }
  if (k.schedule === 'timestep') return ['gru_rb_forward_gates_wide', 'gru_rb_forward_candidate_wide', 'gru_rb_backward_state_wide', 'gru_rb_backward_reset_wide'];
  return ['gru_rb_sequence_forward', 'gru_rb_sequence_backward'];
}

// One describe per kernel set. Its engine is made in a hook: an engine compiles every op's kernels up
// front, and on a software adapter the whole-sequence pipelines alone take minutes.
for (const k of LSTM_KERNEL_SETS) {
  describe(`fused reset-before GRU layer on the GPU (${k.label})`, () => {
    let engine: Engine;
    beforeAll(async () => {
      engine = await getCellEngine(['gru'], k.tuning, k.schedule);
    }, 900_000);

    for (const c of cases.filter((c) => runs(k, c.d.H))) {
      it(`forward and gradients (Wx, Wh, b, input) match float64: ${c.name}`, async () => {
        const p = randomGruProblem(rng(`gru-rb ${c.name}`), c.d, { mask: c.mask ?? null, rmaskRate: c.rmaskRate ?? 0, withSeqGrad: c.seq });
        const kernels: string[] = [];
        const gpu = await runGpuGru(engine, p, { kernels });
        for (const name of expectedKernels(k, c.d.H)) expect(kernels, `dispatches ${name}`).toContain(name);
        const ref = gruReference(p);
        if (c.seq) expectClose(gpu.seq!, ref.seq, ...FWD, 'h sequence');
        expectClose(gpu.last, ref.last, ...FWD, 'final h');
        expectClose(gpu.dWx, ref.dWx, ...GRAD, 'dWx');
        expectClose(gpu.dWh, ref.dWh, ...GRAD, 'dWh');
        expectClose(gpu.db, ref.db, ...GRAD, 'db');
        expectClose(gpu.dX, ref.dX, ...GRAD, 'dX');
      });
    }

    // Rows that are padding in the middle of their sequence (not only before or after it) carry h
    // through a step between two real ones, in the forward and in the backward's carries.
    for (const H of [15, 16].filter((H) => runs(k, H))) {
      it(`mid-sequence padding and recurrent dropout match float64: H = ${H}, B = 5`, async () => {
        const mask = Uint8Array.from([
          1, 1, 0, 1, 1, 1,
          0, 1, 1, 0, 0, 1,
          1, 0, 1, 0, 1, 0,
          1, 1, 1, 1, 1, 1,
          0, 0, 1, 1, 0, 1,
        ]);
        const p = randomGruProblem(rng(`gru-rb mid-padding ${H}`), { B: 5, T: 6, In: 6, H }, { mask, rmaskRate: 0.25, withSeqGrad: true });
        const gpu = await runGpuGru(engine, p);
        const ref = gruReference(p);
        expectClose(gpu.seq!, ref.seq, ...FWD, 'h sequence');
        expectClose(gpu.last, ref.last, ...FWD, 'final h');
        expectClose(gpu.dWx, ref.dWx, ...GRAD, 'dWx');
        expectClose(gpu.dWh, ref.dWh, ...GRAD, 'dWh');
        expectClose(gpu.db, ref.db, ...GRAD, 'db');
        expectClose(gpu.dX, ref.dX, ...GRAD, 'dX');
      });
    }

    // One-hot input read as indices: the input projection is a row gather of Wx and dWx a segment sum.
    it('one-hot input as indices (no input GEMMs) matches float64 on the dense one-hot input: H = 64, B = 9, padding, recurrent dropout, zero rows', async () => {
      const r = rng('gru-rb one-hot');
      const p = oneHotProblem(randomGruProblem(r, { B: 9, T: 6, In: 11, H: 64 }, { mask: lengthMask([6, 1, 4, 6, 2, 5, 3, 6, 1], 6, 'pre'), rmaskRate: 0.2, withSeqGrad: true }), r, 5);
      const kernels: string[] = [];
      const gpu = await runGpuGru(engine, p, { oneHot: true, kernels });
      expect(kernels).toContain('embedding_gather');
      expect(kernels).toContain('embedding_backward');
      // No input GEMMs: only dWh's two (the z, r columns over H̄_prev and the candidate's over rh).
      expect(kernels.filter((n) => n.startsWith('matmul'))).toHaveLength(2);
      const ref = gruReference(p);
      expectClose(gpu.seq!, ref.seq, ...FWD, 'h sequence');
      expectClose(gpu.last, ref.last, ...FWD, 'final h');
      expectClose(gpu.dWx, ref.dWx, ...GRAD, 'dWx');
      expectClose(gpu.dWh, ref.dWh, ...GRAD, 'dWh');
      expectClose(gpu.db, ref.db, ...GRAD, 'db');
    });

    // Inference: the whole-sequence forward then stores only h (no activations or rh for a backward pass).
    it('inference (an evaluation step) matches float64: H = 64, B = 9, mixed padding, recurrent dropout', async () => {
      const p = randomGruProblem(rng('gru-rb inference'), { B: 9, T: 6, In: 7, H: 64 }, { mask: lengthMask([6, 1, 4, 6, 2, 5, 3, 6, 1], 6, 'pre'), rmaskRate: 0.2, withSeqGrad: true });
      const kernels: string[] = [];
      const gpu = await runGpuGruInference(engine, p, kernels);
      expect(kernels).toContain(expectedKernels(k, 64)[0]);
      const ref = gruReference(p);
      expectClose(gpu.seq, ref.seq, ...FWD, 'h sequence');
      expectClose(gpu.last, ref.last, ...FWD, 'final h');
    });

    for (const padding of ['pre', 'post'] as const) {
      it(`skipping all-padding timesteps (${padding}-padding) gives the same results as running them`, async () => {
        const T = 8;
        const p = randomGruProblem(rng(`gru-rb skip-${padding}`), { B: 3, T, In: 4, H: 8 }, { mask: lengthMask([3, 5, 2], T, padding), rmaskRate: 0.2 });
        const skipped = await runGpuGru(engine, p, { skipPadding: true });
        const full = await runGpuGru(engine, p, { skipPadding: false });
        expect(skipped.tEnd - skipped.tStart).toBe(5);
        expect(full.tEnd - full.tStart).toBe(T);
        expectClose(skipped.last, full.last, 1e-6, 1e-7, 'final state');
        expectClose(skipped.dWx, full.dWx, 1e-6, 1e-7, 'dWx');
        expectClose(skipped.dWh, full.dWh, 1e-6, 1e-7, 'dWh');
        expectClose(skipped.db, full.db, 1e-6, 1e-7, 'db');
        expectClose(skipped.dX, full.dX, 1e-6, 1e-7, 'dX');
      });
    }
  });
}

describe('reset-before GRU layer: padding, arguments, gate order', () => {
  it('a sequence pre-padded with k zeros gives the same final state and parameter gradients as unpadded', async () => {
    const engine = await getCellEngine(['gru']);
    const L = 4, k = 3, B = 2, In = 5, H = 6;
    const base = randomGruProblem(rng('gru-rb pad-eq'), { B, T: L, In, H });
    // The padded problem: k leading steps of garbage input, masked out.
    const r = rng('gru-rb garbage');
    const x = new Float64Array(B * (L + k) * In);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < L + k; t++) {
        for (let e = 0; e < In; e++) x[(b * (L + k) + t) * In + e] = t < k ? r() * 10 : base.x[(b * L + t - k) * In + e]!;
      }
    }
    const padded: GruProblem = { ...base, T: L + k, x, mask: lengthMask([L, L], L + k, 'pre') };
    const a = await runGpuGru(engine, base);
    const b = await runGpuGru(engine, padded);
    expect(b.tStart).toBe(k); // the all-padding steps were skipped
    expectClose(b.last, a.last, 1e-6, 1e-7, 'final state');
    expectClose(b.dWx, a.dWx, 1e-6, 1e-7, 'dWx');
    expectClose(b.dWh, a.dWh, 1e-6, 1e-7, 'dWh');
    expectClose(b.db, a.db, 1e-6, 1e-7, 'db');
    // and the padding positions receive no input gradient
    for (let bb = 0; bb < B; bb++) for (let t = 0; t < k; t++) for (let e = 0; e < In; e++) expect(b.dX[(bb * (L + k) + t) * In + e]).toBe(0);
  });

  it('rejects the reset-after form and a reset-after bias', async () => {
    const engine = await getCellEngine(['gru']);
    const step = engine.beginStep({ grad: false });
    const x = { shape: [3, 2, 2] as [number, number, number], ids: new Uint32Array(6) };
    const t = (shape: number[]) => ({ shape, size: shape.reduce((a, b) => a * b, 1) }) as never;
    expect(() => gruResetBefore(step, x, { wx: t([2, 12]), wh: t([4, 12]), b: t([12]) }, { resetAfter: true })).toThrow(/resetAfter: false/);
    expect(() => gruResetBefore(step, x, { wx: t([2, 12]), wh: t([4, 12]), b: t([24]) }, { resetAfter: false })).toThrow(/b must have 12 values/);
    step.submit();
  });

  it('one gate order (z, r, h̃) is declared by every reset-before kernel', () => {
    const shaders = new Set([...GRU_RESET_BEFORE_KERNELS.forward, ...GRU_RESET_BEFORE_KERNELS.backward].map((v) => v.shader).filter((s) => s.startsWith('gru_rb_')));
    expect(shaders.size).toBe(14); // 4 phases × (scalar, vec4, wide) + 2 whole-sequence kernels
    for (const shader of shaders) {
      const src = SHADERS[shader].code;
      for (const [g, i] of [['Z', 0], ['R', 1], ['H', 2]] as const) {
        const m = new RegExp(`const GATE_${g}: u32 = (\\d+)u;`).exec(src);
        expect(m, `${shader} declares GATE_${g}`).not.toBeNull();
        expect(Number(m![1])).toBe(i);
      }
    }
  });
});
