/**
 * The fused LSTM layer against the float64 reference (whose gradients are checked by finite
 * differences), with masking, recurrent dropout, edge sizes and padding equivalences.
 *
 * Tolerances: forward 1e-5 relative (+1e-6 absolute); gradients sum over B·T terms and up to 4H-long
 * dot products per step in f32, so 1e-4 relative (+1e-5 absolute).
 */
import { describe, expect, it } from 'vitest';
import { SHADERS } from '../src/kernels/shaders.generated';
import { activeRange } from '../src/ops/lstm';
import { GATE, GATE_ORDER } from '../src/ops/lstm-layout';
import { lstmBackwardRef, lstmForwardRef, lstmOutputsRef, type LstmRefParams } from '../src/reference/reference';
import { LSTM_KERNEL_SETS, dot, expectClose, getEngine, getTunedEngine, numericGrad, rng } from './helpers/gpu';
import { lengthMask, randomProblem, runGpuLstm, runGpuLstmInference, type LstmProblem } from './helpers/lstm';

/** The problem with its input made one-hot: a random index per row, every `zeroEvery`-th row all zeros. */
function oneHotProblem(p: LstmProblem, r: () => number, zeroEvery: number): LstmProblem {
  const x = new Float64Array(p.x.length);
  for (let row = 0; row < p.B * p.T; row++) if (row % zeroEvery !== 1) x[row * p.In + Math.floor(r() * p.In)] = 1;
  return { ...p, x };
}

const FWD = [1e-5, 1e-6] as const;
const GRAD = [1e-4, 1e-5] as const;

function reference(p: LstmProblem) {
  const params: LstmRefParams = { wx: p.wx, wh: p.wh, b: p.b, In: p.In, H: p.H };
  const cache = lstmForwardRef(params, p.x, p.B, p.T, p.mask, p.rmask);
  const out = lstmOutputsRef(cache, p.H);
  return { ...out, ...lstmBackwardRef(params, cache, p.dSeq, p.dLast) };
}

describe('LSTM float64 reference', () => {
  for (const variant of ['plain', 'masked + recurrent dropout'] as const) {
    it(`gradients for every parameter and the input match central finite differences (${variant})`, () => {
      const r = rng(`lstm-fd-${variant}`);
      const masked = variant !== 'plain';
      const p = randomProblem(r, { B: 2, T: 4, In: 3, H: 3 }, {
        mask: masked ? lengthMask([4, 2], 4, 'pre') : null,
        rmaskRate: masked ? 0.3 : 0,
        withSeqGrad: true,
      });
      const loss = () => {
        const params = { wx: p.wx, wh: p.wh, b: p.b, In: p.In, H: p.H };
        const o = lstmOutputsRef(lstmForwardRef(params, p.x, p.B, p.T, p.mask, p.rmask), p.H);
        return dot(o.seq, p.dSeq!) + dot(o.last, p.dLast);
      };
      const g = reference(p);
      expectClose(g.dWx, numericGrad(loss, p.wx), 1e-6, 1e-8, 'dWx');
      expectClose(g.dWh, numericGrad(loss, p.wh), 1e-6, 1e-8, 'dWh');
      expectClose(g.db, numericGrad(loss, p.b), 1e-6, 1e-8, 'db');
      expectClose(g.dX, numericGrad(loss, p.x), 1e-6, 1e-8, 'dX');
    });
  }
});

describe('fused LSTM layer on the GPU', () => {
  const cases: Array<{ name: string; d: { B: number; T: number; In: number; H: number }; mask?: Uint8Array; rmaskRate?: number; seq: boolean }> = [
    { name: 'small, pre-padded, sequence + final grads', d: { B: 3, T: 5, In: 4, H: 7 }, mask: lengthMask([5, 3, 1], 5, 'pre'), seq: true },
    { name: 'H = 196, B = 20, T = 1 (sizes off the tile grid)', d: { B: 20, T: 1, In: 8, H: 196 }, seq: false },
    { name: 'post-padded, recurrent dropout, final state only', d: { B: 5, T: 6, In: 10, H: 9 }, mask: lengthMask([6, 2, 4, 1, 3], 6, 'post'), rmaskRate: 0.25, seq: false },
    { name: 'H = 66, B = 6, mixed lengths, recurrent dropout, sequences', d: { B: 6, T: 7, In: 5, H: 66 }, mask: lengthMask([2, 7, 3, 3, 1, 5], 7, 'pre'), rmaskRate: 0.2, seq: true },
    // H divisible by 4 takes the vec4 kernels; B = 7 leaves a partial row group.
    { name: 'H divisible by 4 (vec4 kernels when cpu-tuned): H = 12, B = 7, mixed padding, recurrent dropout, sequences', d: { B: 7, T: 6, In: 5, H: 12 }, mask: lengthMask([6, 1, 3, 6, 2, 5, 4], 6, 'pre'), rmaskRate: 0.3, seq: true },
    { name: 'H divisible by 4: H = 8, post-padded, final state only', d: { B: 5, T: 5, In: 3, H: 8 }, mask: lengthMask([5, 2, 4, 1, 3], 5, 'post'), seq: false },
    // Whole-sequence kernels: several k slices (H/4 = 16 quads), a partial last block of rows for 2 and 4
    // rows per workgroup, a row that is padding in the middle of the run and at its end.
    { name: 'H = 64, B = 9, mixed padding, recurrent dropout, sequences', d: { B: 9, T: 6, In: 7, H: 64 }, mask: lengthMask([6, 1, 4, 6, 2, 5, 3, 6, 1], 6, 'pre'), rmaskRate: 0.2, seq: true },
    // One row: the one-row vec4 forward when cpu-tuned (49 unit groups over several workgroups, the last one partial).
    { name: 'one row: H = 196, B = 1, pre-padded, recurrent dropout, sequences', d: { B: 1, T: 5, In: 6, H: 196 }, mask: lengthMask([3], 5, 'pre'), rmaskRate: 0.2, seq: true },
  ];
  // The whole-sequence kernels need H divisible by 4: they run only those cases.
  const sets = (c: (typeof cases)[number]) => LSTM_KERNEL_SETS.filter((k) => k.schedule === 'auto' || k.schedule === 'timestep' || c.d.H % 4 === 0);
  for (const c of cases) for (const k of sets(c)) {
    it(`forward and gradients (Wx, Wh, b, input) match float64: ${c.name} (${k.label})`, async () => {
      const engine = await getTunedEngine(k.tuning, k.schedule);
      const p = randomProblem(rng(c.name), c.d, { mask: c.mask ?? null, rmaskRate: c.rmaskRate ?? 0, withSeqGrad: c.seq });
      const gpu = await runGpuLstm(engine, p);
      const ref = reference(p);
      if (c.seq) expectClose(gpu.seq!, ref.seq, ...FWD, 'h sequence');
      expectClose(gpu.last, ref.last, ...FWD, 'final h');
      expectClose(gpu.dWx, ref.dWx, ...GRAD, 'dWx');
      expectClose(gpu.dWh, ref.dWh, ...GRAD, 'dWh');
      expectClose(gpu.db, ref.db, ...GRAD, 'db');
      expectClose(gpu.dX, ref.dX, ...GRAD, 'dX');
    });
  }

  // One-hot input read as indices: the input projection is a row gather of Wx and dWx a segment sum.
  for (const k of LSTM_KERNEL_SETS) {
    it(`one-hot input as indices (no input GEMMs) matches float64 on the dense one-hot input: H = 64, B = 9, padding, recurrent dropout, zero rows (${k.label})`, async () => {
      const engine = await getTunedEngine(k.tuning, k.schedule);
      const r = rng('one-hot');
      const p = oneHotProblem(randomProblem(r, { B: 9, T: 6, In: 11, H: 64 }, { mask: lengthMask([6, 1, 4, 6, 2, 5, 3, 6, 1], 6, 'pre'), rmaskRate: 0.2, withSeqGrad: true }), r, 5);
      const kernels: string[] = [];
      const gpu = await runGpuLstm(engine, p, { oneHot: true, kernels });
      expect(kernels).toContain('embedding_gather');
      expect(kernels).toContain('embedding_backward');
      expect(kernels.filter((n) => n.startsWith('matmul'))).toHaveLength(1); // dWh alone
      const ref = reference(p);
      expectClose(gpu.seq!, ref.seq, ...FWD, 'h sequence');
      expectClose(gpu.last, ref.last, ...FWD, 'final h');
      expectClose(gpu.dWx, ref.dWx, ...GRAD, 'dWx');
      expectClose(gpu.dWh, ref.dWh, ...GRAD, 'dWh');
      expectClose(gpu.db, ref.db, ...GRAD, 'db');
    });
  }

  // Inference: the whole-sequence forward then stores only h (no gates or c for a backward pass).
  for (const k of LSTM_KERNEL_SETS) {
    it(`inference (an evaluation step) matches float64: H = 64, B = 9, mixed padding (${k.label})`, async () => {
      const engine = await getTunedEngine(k.tuning, k.schedule);
      const p = randomProblem(rng('inference'), { B: 9, T: 6, In: 7, H: 64 }, { mask: lengthMask([6, 1, 4, 6, 2, 5, 3, 6, 1], 6, 'pre'), rmaskRate: 0, withSeqGrad: true });
      const gpu = await runGpuLstmInference(engine, p);
      const ref = reference(p);
      expectClose(gpu.seq, ref.seq, ...FWD, 'h sequence');
      expectClose(gpu.last, ref.last, ...FWD, 'final h');
    });
  }

  // One sentence predicted: a batch of one row (the one-row vec4 forward when cpu-tuned).
  for (const k of LSTM_KERNEL_SETS) {
    it(`inference of one row matches float64: H = 196, B = 1, pre-padded (${k.label})`, async () => {
      const engine = await getTunedEngine(k.tuning, k.schedule);
      const p = randomProblem(rng('inference one row'), { B: 1, T: 7, In: 9, H: 196 }, { mask: lengthMask([5], 7, 'pre'), rmaskRate: 0, withSeqGrad: true });
      const gpu = await runGpuLstmInference(engine, p);
      const ref = reference(p);
      expectClose(gpu.seq, ref.seq, ...FWD, 'h sequence');
      expectClose(gpu.last, ref.last, ...FWD, 'final h');
    });
  }

  it('a sequence pre-padded with k zeros gives the same final state and parameter gradients as unpadded', async () => {
    const engine = await getEngine();
    const L = 4, k = 3, B = 2, In = 5, H = 6;
    const base = randomProblem(rng('pad-eq'), { B, T: L, In, H });
    // Build the padded problem: k leading steps of garbage input, masked out.
    const r = rng('garbage');
    const x = new Float64Array(B * (L + k) * In);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < L + k; t++) {
        for (let e = 0; e < In; e++) x[(b * (L + k) + t) * In + e] = t < k ? r() * 10 : base.x[(b * L + t - k) * In + e]!;
      }
    }
    const padded: LstmProblem = { ...base, T: L + k, x, mask: lengthMask([L, L], L + k, 'pre') };
    const a = await runGpuLstm(engine, base);
    const b = await runGpuLstm(engine, padded);
    expect(b.tStart).toBe(k); // the all-padding steps were skipped
    expectClose(b.last, a.last, 1e-6, 1e-7, 'final state');
    expectClose(b.dWx, a.dWx, 1e-6, 1e-7, 'dWx');
    expectClose(b.dWh, a.dWh, 1e-6, 1e-7, 'dWh');
    expectClose(b.db, a.db, 1e-6, 1e-7, 'db');
    // and the padding positions receive no input gradient
    for (let bb = 0; bb < B; bb++) for (let t = 0; t < k; t++) for (let e = 0; e < In; e++) expect(b.dX[(bb * (L + k) + t) * In + e]).toBe(0);
  });

  for (const padding of ['pre', 'post'] as const) {
    it(`skipping all-padding timesteps (${padding}-padding) gives identical results to running them`, async () => {
      const engine = await getEngine();
      const T = 8;
      const p = randomProblem(rng(`skip-${padding}`), { B: 3, T, In: 4, H: 5 }, { mask: lengthMask([3, 5, 2], T, padding), rmaskRate: 0.2 });
      const skipped = await runGpuLstm(engine, p, { skipPadding: true });
      const full = await runGpuLstm(engine, p, { skipPadding: false });
      expect(skipped.tEnd - skipped.tStart).toBe(5);
      expect(full.tEnd - full.tStart).toBe(T);
      expectClose(skipped.last, full.last, 1e-6, 1e-7, 'final state');
      expectClose(skipped.dWx, full.dWx, 1e-6, 1e-7, 'dWx');
      expectClose(skipped.dWh, full.dWh, 1e-6, 1e-7, 'dWh');
      expectClose(skipped.db, full.db, 1e-6, 1e-7, 'db');
      expectClose(skipped.dX, full.dX, 1e-6, 1e-7, 'dX');
    });
  }

  it('activeRange skips leading all-padding steps, and trailing ones only for a final-state output', () => {
    // T = 4, B = 2, time-major mask.
    const m = Uint32Array.from([0, 0, 1, 0, 1, 1, 0, 0]);
    expect(activeRange(m, 4, 2, false)).toEqual([1, 3]);
    expect(activeRange(m, 4, 2, true)).toEqual([1, 4]);
    expect(activeRange(new Uint32Array(8), 4, 2, false)).toEqual([0, 0]);
    expect(activeRange(null, 4, 2, false)).toEqual([0, 4]);
  });

  it('one gate order is shared by the WGSL kernels, TypeScript and the reference', () => {
    expect(GATE_ORDER).toEqual(['i', 'f', 'c', 'o']);
    for (const shader of ['lstm_forward_step', 'lstm_backward_step', 'lstm_forward_step_vec4', 'lstm_forward_step_rows8', 'lstm_interleave_gates', 'lstm_backward_step_vec4', 'lstm_forward_step_wide', 'lstm_backward_step_wide', 'lstm_sequence_forward', 'lstm_sequence_backward'] as const) {
      const src = SHADERS[shader].code;
      for (const g of GATE_ORDER) {
        const m = new RegExp(`const GATE_${g.toUpperCase()}: u32 = (\\d+)u;`).exec(src);
        expect(m, `${shader} declares GATE_${g.toUpperCase()}`).not.toBeNull();
        expect(Number(m![1])).toBe(GATE[g]);
      }
    }
  });
});
