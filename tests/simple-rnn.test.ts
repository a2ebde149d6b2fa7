/**
 * The fused SimpleRNN layer (Keras 3 SimpleRNN) against the float64 reference (src/reference/cells.ts,
 * whose gradients tests/cell-reference.test.ts checks by finite differences), on every kernel
 * configuration (cpu-tuned scalar and vec4, gpu-tuned per-timestep, whole-sequence with 1, 2 and 4 rows
 * per workgroup) and every activation, with masking (pre-, post- and mid-sequence padding), recurrent
 * dropout, one-hot input, evaluation steps and the skipped-padding equivalences. Each run also checks
 * which kernels ran and with which activation code, so that a configuration quietly taking another path
 * fails.
 *
 * Tolerances as the LSTM's: forward 1e-5 relative (+1e-6 absolute); gradients 1e-4 relative (+1e-5 absolute).
 */
import { describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine/engine';
import { ParameterStore } from '../src/engine/parameters';
import { SHADERS } from '../src/kernels/shaders.generated';
import { ACTIVATION_CODES } from '../src/ops/activation';
import { planSequence } from '../src/ops/lstm-schedule';
import { SIMPLE_RNN_ACTIVATION_CODES, SIMPLE_RNN_KERNELS, SIMPLE_RNN_SEQUENCE, simpleRnn, type SimpleRnnActivation } from '../src/ops/simple-rnn';
import { LSTM_KERNEL_SETS, expectClose, getCellEngine, rng } from './helpers/gpu';
import { lengthMask } from './helpers/lstm';
import { randomRnnProblem, rnnReference, runGpuRnn, runGpuRnnInference, type Dispatched, type RnnProblem } from './helpers/simple-rnn';

const FWD = [1e-5, 1e-6] as const;
const GRAD = [1e-4, 1e-5] as const;
const ACTIVATIONS: readonly SimpleRnnActivation[] = ['tanh', 'relu', 'sigmoid', 'linear'];
/**
 * The time limit of a GPU test: whichever test first asks for an engine waits while it compiles every
 * op's kernels, which on SwiftShader takes minutes for a gpu-tuned engine (the whole-sequence kernels of
 * every cell) — past Vitest's default here when other work shares the CPU.
 */
const FIRST_ON_ENGINE = 900_000;

type KernelSet = (typeof LSTM_KERNEL_SETS)[number];
const engineFor = (k: KernelSet): Promise<Engine> => getCellEngine(['simpleRnn'], k.tuning, k.schedule);

/** The recurrence kernels a configuration must dispatch for H units (forward, backward). */
function expectedKernels(k: KernelSet, H: number): [string, string] {
  if (k.tuning === 'cpu') return H % 4 === 0 ? ['rnn_forward_step_vec4', 'rnn_backward_step_vec4'] : ['rnn_forward_step', 'rnn_backward_step'];
  if (k.schedule === 'timestep') return ['rnn_forward_step_wide', 'rnn_backward_step_wide'];
  return ['rnn_sequence_forward', 'rnn_sequence_backward'];
}

/** Only this configuration's recurrence kernels ran (with its rows per workgroup), the forward and, when asked, the backward. */
function expectPath(kernels: Dispatched[], k: KernelSet, H: number, backward = true): void {
  const [fwd, bwd] = expectedKernels(k, H);
  const rnn = kernels.filter((d) => d.shader.startsWith('rnn_'));
  const names = rnn.map((d) => d.shader);
  expect(names, 'recurrence kernels dispatched').toContain(fwd);
  if (backward) expect(names).toContain(bwd);
  else expect(names).not.toContain(bwd);
  for (const d of rnn) {
    expect([fwd, bwd], `${d.shader} is not this configuration's kernel`).toContain(d.shader);
    if (typeof k.schedule === 'object') expect(d.overrides.ROWS, `${d.shader} rows per workgroup`).toBe(k.schedule.sequenceRows);
  }
}

/** A batch-major mask from per-row patterns of 0/1 (mid-sequence padding included). */
function patternMask(rows: string[]): Uint8Array {
  return Uint8Array.from(rows.join('').split(''), Number);
}

/** The problem with its input made one-hot: a random index per row, every `zeroEvery`-th row all zeros. */
function oneHotProblem(p: RnnProblem, r: () => number, zeroEvery: number): RnnProblem {
  const x = new Float64Array(p.x.length);
  for (let row = 0; row < p.B * p.T; row++) if (row % zeroEvery !== 1) x[row * p.In + Math.floor(r() * p.In)] = 1;
  return { ...p, x };
}

function expectMatches(gpu: Awaited<ReturnType<typeof runGpuRnn>>, ref: ReturnType<typeof rnnReference>, seq: boolean, dX = true): void {
  if (seq) expectClose(gpu.seq!, ref.seq, ...FWD, 'h sequence');
  expectClose(gpu.last, ref.last, ...FWD, 'final h');
  expectClose(gpu.dWx, ref.dWx, ...GRAD, 'dWx');
  expectClose(gpu.dWh, ref.dWh, ...GRAD, 'dWh');
  expectClose(gpu.db, ref.db, ...GRAD, 'db');
  if (dX) expectClose(gpu.dX, ref.dX, ...GRAD, 'dX');
}

/** The whole-sequence kernels need H divisible by 4: a case with other H runs on the other sets only. */
const setsFor = (H: number) => LSTM_KERNEL_SETS.filter((k) => typeof k.schedule !== 'object' || H % 4 === 0);

describe('fused SimpleRNN layer on the GPU', () => {
  const cases: Array<{ name: string; d: { B: number; T: number; In: number; H: number }; act: SimpleRnnActivation; mask?: Uint8Array; rmaskRate?: number; seq: boolean }> = [
    { name: 'small, pre-padded, sequence + final grads', d: { B: 3, T: 5, In: 4, H: 7 }, act: 'tanh', mask: lengthMask([5, 3, 1], 5, 'pre'), seq: true },
    { name: 'post-padded, recurrent dropout, final state only', d: { B: 5, T: 6, In: 10, H: 9 }, act: 'relu', mask: lengthMask([6, 2, 4, 1, 3], 6, 'post'), rmaskRate: 0.25, seq: false },
    // H = 66: two 64-unit workgroups of the scalar kernels, a partial 16-unit block of the wide ones.
    { name: 'H = 66, B = 6, mixed lengths, recurrent dropout, sequences', d: { B: 6, T: 5, In: 5, H: 66 }, act: 'sigmoid', mask: lengthMask([2, 5, 3, 3, 1, 4], 5, 'pre'), rmaskRate: 0.2, seq: true },
    // Padding in the middle of rows (and a row whose last step is padding) with recurrent dropout.
    { name: 'mid-sequence padding, recurrent dropout, sequences, H = 5', d: { B: 3, T: 6, In: 3, H: 5 }, act: 'linear', mask: patternMask(['110011', '011101', '101010']), rmaskRate: 0.3, seq: true },
    // H divisible by 4 takes the vec4 kernels when cpu-tuned; B = 7 leaves a partial row group.
    { name: 'H = 12, B = 7, mixed padding, recurrent dropout, sequences', d: { B: 7, T: 6, In: 5, H: 12 }, act: 'tanh', mask: lengthMask([6, 1, 3, 6, 2, 5, 4], 6, 'pre'), rmaskRate: 0.3, seq: true },
    { name: 'H = 8, post-padded, final state only', d: { B: 5, T: 5, In: 3, H: 8 }, act: 'relu', mask: lengthMask([5, 2, 4, 1, 3], 5, 'post'), seq: false },
    { name: 'H = 8, mid-sequence padding, recurrent dropout, sequences', d: { B: 3, T: 6, In: 3, H: 8 }, act: 'sigmoid', mask: patternMask(['110011', '011101', '101010']), rmaskRate: 0.3, seq: true },
    // Whole-sequence kernels: several k and j slices (H/4 = 16 quads), a partial last block of rows for
    // 2 and 4 rows per workgroup, rows that are padding in the middle of the run and at its end.
    { name: 'H = 64, B = 9, mixed padding, recurrent dropout, sequences', d: { B: 9, T: 5, In: 7, H: 64 }, act: 'tanh', mask: lengthMask([5, 1, 4, 5, 2, 5, 3, 5, 1], 5, 'pre'), rmaskRate: 0.2, seq: true },
    // Wider: H/4 = 49 quads (an odd number of them, split over 5 slices), no mask.
    { name: 'H = 196, B = 5, T = 3, no mask', d: { B: 5, T: 3, In: 6, H: 196 }, act: 'tanh', seq: true },
  ];
  for (const c of cases) for (const k of setsFor(c.d.H)) {
    it(`forward and gradients (Wx, Wh, b, input) match float64: ${c.name}, ${c.act} (${k.label})`, async () => {
      const engine = await engineFor(k);
      const p = randomRnnProblem(rng(`rnn ${c.name}`), c.d, c.act, { mask: c.mask ?? null, rmaskRate: c.rmaskRate ?? 0, withSeqGrad: c.seq });
      const kernels: Dispatched[] = [];
      const gpu = await runGpuRnn(engine, p, { kernels });
      expectPath(kernels, k, c.d.H);
      expectMatches(gpu, rnnReference(p), c.seq);
    }, FIRST_ON_ENGINE);
  }

  // Every activation on every configuration: H = 7 (scalar kernels when cpu-tuned) and H = 8 (vec4 when
  // cpu-tuned; the whole-sequence kernels), mid-sequence padding and recurrent dropout.
  for (const act of ACTIVATIONS) {
    for (const H of [7, 8]) {
      for (const k of setsFor(H)) {
        it(`activation ${act}: forward and gradients match float64, H = ${H}, mid-sequence padding, recurrent dropout (${k.label})`, async () => {
          const engine = await engineFor(k);
          const p = randomRnnProblem(rng(`rnn act ${act} ${H}`), { B: 5, T: 6, In: 4, H }, act, {
            mask: patternMask(['111111', '011011', '110100', '001111', '111110']),
            rmaskRate: 0.25,
            withSeqGrad: true,
          });
          const kernels: Dispatched[] = [];
          const gpu = await runGpuRnn(engine, p, { kernels });
          expectPath(kernels, k, H);
          expectMatches(gpu, rnnReference(p), true);
        }, FIRST_ON_ENGINE);
      }
    }
  }

  // One-hot input read as indices: the input projection is a row gather of Wx and dWx a segment sum.
  for (const k of LSTM_KERNEL_SETS) {
    it(`one-hot input as indices (no input GEMMs) matches float64 on the dense one-hot input: H = 64, B = 9, padding, recurrent dropout, zero rows (${k.label})`, async () => {
      const engine = await engineFor(k);
      const r = rng('rnn one-hot');
      const p = oneHotProblem(randomRnnProblem(r, { B: 9, T: 5, In: 11, H: 64 }, 'tanh', { mask: lengthMask([5, 1, 4, 5, 2, 5, 3, 5, 1], 5, 'pre'), rmaskRate: 0.2, withSeqGrad: true }), r, 5);
      const kernels: Dispatched[] = [];
      const gpu = await runGpuRnn(engine, p, { oneHot: true, kernels });
      const names = kernels.map((d) => d.shader);
      expect(names).toContain('embedding_gather');
      expect(names).toContain('embedding_backward');
      expect(names.filter((n) => n.startsWith('matmul'))).toHaveLength(1); // dWh alone
      expectPath(kernels, k, 64);
      expectMatches(gpu, rnnReference(p), true, false);
    }, FIRST_ON_ENGINE);
  }

  // Inference: nothing recorded, no backward kernel; only h is stored (the op keeps nothing else in any step).
  for (const k of LSTM_KERNEL_SETS) {
    it(`inference (an evaluation step) matches float64: H = 64, B = 9, mixed padding, relu (${k.label})`, async () => {
      const engine = await engineFor(k);
      const p = randomRnnProblem(rng('rnn inference'), { B: 9, T: 5, In: 7, H: 64 }, 'relu', { mask: lengthMask([5, 1, 4, 5, 2, 5, 3, 5, 1], 5, 'pre'), withSeqGrad: true });
      const kernels: Dispatched[] = [];
      const gpu = await runGpuRnnInference(engine, p, { kernels });
      expectPath(kernels, k, 64, false);
      expect(kernels.filter((d) => d.shader.includes('backward') || d.shader.startsWith('transpose'))).toEqual([]);
      expect(gpu.state).toBeUndefined();
      const ref = rnnReference(p);
      expectClose(gpu.seq, ref.seq, ...FWD, 'h sequence');
      expectClose(gpu.last, ref.last, ...FWD, 'final h');
    }, FIRST_ON_ENGINE);
  }

  it('keepState describes h by timestep (what inspect() reads), in an evaluation step', async () => {
    const engine = await getCellEngine(['simpleRnn']);
    const T = 5, B = 3, H = 6;
    const p = randomRnnProblem(rng('rnn keep'), { B, T, In: 4, H }, 'sigmoid', { mask: lengthMask([5, 2, 4], T, 'pre'), withSeqGrad: true });
    const gpu = await runGpuRnnInference(engine, p, { keepState: true });
    const state = gpu.state!;
    expect(state.values.map((v) => v.name)).toEqual(['h']);
    expect(state.values[0]!.rowStride).toBe(H);
    expect([state.T, state.B, state.H, state.tStart, state.tEnd]).toEqual([T, B, H, 0, T]);
    expect(state.mask).not.toBeNull();
    expectClose(gpu.kept!, rnnReference(p).seq, ...FWD, 'kept h');
  }, FIRST_ON_ENGINE);

  for (const k of LSTM_KERNEL_SETS) {
    for (const padding of ['pre', 'post'] as const) {
      it(`skipping all-padding timesteps (${padding}-padding) gives identical results to running them (${k.label})`, async () => {
        const engine = await engineFor(k);
        const T = 7;
        const p = randomRnnProblem(rng(`rnn skip-${padding}`), { B: 3, T, In: 4, H: 8 }, 'tanh', { mask: lengthMask([3, 4, 2], T, padding), rmaskRate: 0.2 });
        const skipped = await runGpuRnn(engine, p, { skipPadding: true });
        const full = await runGpuRnn(engine, p, { skipPadding: false });
        expect(skipped.tEnd - skipped.tStart).toBe(4);
        expect(full.tEnd - full.tStart).toBe(T);
        expectClose(skipped.last, full.last, 1e-6, 1e-7, 'final state');
        expectClose(skipped.dWx, full.dWx, 1e-6, 1e-7, 'dWx');
        expectClose(skipped.dWh, full.dWh, 1e-6, 1e-7, 'dWh');
        expectClose(skipped.db, full.db, 1e-6, 1e-7, 'db');
        expectClose(skipped.dX, full.dX, 1e-6, 1e-7, 'dX');
      }, FIRST_ON_ENGINE);
    }
  }

  it('a sequence pre-padded with k steps of garbage gives the same final state and parameter gradients as unpadded', async () => {
    const engine = await getCellEngine(['simpleRnn']);
    const L = 4, k = 3, B = 2, In = 5, H = 6;
    const base = randomRnnProblem(rng('rnn pad-eq'), { B, T: L, In, H }, 'tanh');
    const r = rng('rnn garbage');
    const x = new Float64Array(B * (L + k) * In);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < L + k; t++) {
        for (let e = 0; e < In; e++) x[(b * (L + k) + t) * In + e] = t < k ? r() * 10 : base.x[(b * L + t - k) * In + e]!;
      }
    }
    const padded: RnnProblem = { ...base, T: L + k, x, mask: lengthMask([L, L], L + k, 'pre') };
    const a = await runGpuRnn(engine, base);
    const b = await runGpuRnn(engine, padded);
    expect(b.tStart).toBe(k);
    expectClose(b.last, a.last, 1e-6, 1e-7, 'final state');
    expectClose(b.dWx, a.dWx, 1e-6, 1e-7, 'dWx');
    expectClose(b.dWh, a.dWh, 1e-6, 1e-7, 'dWh');
    expectClose(b.db, a.db, 1e-6, 1e-7, 'db');
    for (let bb = 0; bb < B; bb++) for (let t = 0; t < k; t++) for (let e = 0; e < In; e++) expect(b.dX[(bb * (L + k) + t) * In + e]).toBe(0);
  }, FIRST_ON_ENGINE);

  it('an unknown activation and a forced whole-sequence schedule that cannot run the layer are errors, not quiet switches', async () => {
    const engine = await getCellEngine(['simpleRnn'], 'gpu', { sequenceRows: 1 });
    const H = 7;
    const store = new ParameterStore(engine, [
      { name: 'wx', shape: [2, H], init: new Float32Array(2 * H) },
      { name: 'wh', shape: [H, H], init: new Float32Array(H * H) },
      { name: 'b', shape: [H], init: new Float32Array(H) },
    ]);
    const w = { wx: store.get('wx'), wh: store.get('wh'), b: store.get('b') };
    const x = { shape: [2, 1, 2] as const, ids: Uint32Array.from([0, 1]) };
    const step = engine.beginStep({ grad: false });
    try {
      for (const bad of ['softsign', 'toString']) expect(() => simpleRnn(step, x, w, { activation: bad as SimpleRnnActivation })).toThrow(`unknown activation "${bad}"`);
      expect(() => simpleRnn(step, x, w, { activation: 'tanh' })).toThrow(/whole-sequence SimpleRNN kernels cannot run 7 units/);
    } finally {
      step.submit();
      store.destroy();
    }
  }, FIRST_ON_ENGINE);
});

describe('SimpleRNN kernels and plans', () => {
  it('the activation codes are the dense layers\' (shaders/lib/activations.wgsl) and lib/rnn_cell.wgsl\'s', () => {
    for (const [act, code] of Object.entries(ACTIVATION_CODES)) expect(SIMPLE_RNN_ACTIVATION_CODES[act as SimpleRnnActivation]).toBe(code);
    const names = { sigmoid: 'SIGMOID', tanh: 'TANH', relu: 'RELU', linear: 'LINEAR' } as const;
    for (const shader of ['rnn_forward_step', 'rnn_backward_step', 'rnn_forward_step_vec4', 'rnn_backward_step_vec4', 'rnn_forward_step_wide', 'rnn_backward_step_wide', 'rnn_sequence_forward', 'rnn_sequence_backward'] as const) {
      const src = SHADERS[shader].code;
      for (const act of ACTIVATIONS) {
        const m = new RegExp(`const ACT_${names[act]}: u32 = (\\d+)u;`).exec(src);
        expect(m, `${shader} declares ACT_${names[act]}`).not.toBeNull();
        expect(Number(m![1])).toBe(SIMPLE_RNN_ACTIVATION_CODES[act]);
      }
    }
  });

  it('lists one pipeline per recurrent-dropout setting of each step kernel and one per rows choice of each whole-sequence kernel', () => {
    const rnn = [...SIMPLE_RNN_KERNELS.forward, ...SIMPLE_RNN_KERNELS.backward].filter((v) => v.shader.startsWith('rnn_'));
    const count = (shader: string) => rnn.filter((v) => v.shader === shader).length;
    for (const s of ['rnn_forward_step', 'rnn_forward_step_vec4', 'rnn_forward_step_wide', 'rnn_backward_step', 'rnn_backward_step_vec4', 'rnn_backward_step_wide']) expect(count(s), s).toBe(2);
    for (const s of ['rnn_sequence_forward', 'rnn_sequence_backward']) expect(count(s), s).toBe(3);
    expect(rnn.filter((v) => v.shader.startsWith('rnn_sequence')).map((v) => v.overrides?.ROWS).sort()).toEqual([1, 1, 2, 2, 4, 4]);
  });

  it('plans the whole-sequence kernels within their workgroup arrays, and refuses what they cannot run', () => {
    const storage = 32 * 1024;
    for (const H of [4, 8, 64, 196, 256, 512, 1024]) {
      for (const rows of [1, 2, 4] as const) {
        const fits = SIMPLE_RNN_SEQUENCE.fits(H, rows, 0, storage);
        expect(fits, `H ${H}, ${rows} rows`).toBe(rows * H <= 1024);
        if (!fits) continue;
        const plan = SIMPLE_RNN_SEQUENCE.plan(H, rows);
        const Q = H / 4;
        for (const slices of [plan.forwardSlices, plan.backwardSlices]) {
          expect(slices).toBeGreaterThanOrEqual(1);
          expect(slices * Q).toBeLessThanOrEqual(256); // slices of quads fit 256 invocations
          expect(slices * rows * Q).toBeLessThanOrEqual(1792); // partial sums fit `part`
        }
      }
    }
    expect(SIMPLE_RNN_SEQUENCE.fits(66, 1, 0, storage)).toBe(false);
    expect(SIMPLE_RNN_SEQUENCE.fits(64, 1, 2, storage)).toBe(false); // a weight offset not divisible by 4
    expect(SIMPLE_RNN_SEQUENCE.fits(64, 1, 0, 16 * 1024)).toBe(false);
    const layer = { B: 32, H: 64, whOffset: 0, bOffset: 0, training: true };
    expect(planSequence('auto', 'cpu', layer, storage, 'rnn', SIMPLE_RNN_SEQUENCE)).toBeNull();
    expect(planSequence('timestep', 'gpu', layer, storage, 'rnn', SIMPLE_RNN_SEQUENCE)).toBeNull();
    expect(planSequence('auto', 'gpu', layer, storage, 'rnn', SIMPLE_RNN_SEQUENCE)?.rows).toBe(1);
    expect(() => planSequence({ sequenceRows: 4 }, 'gpu', { ...layer, H: 512 }, storage, 'rnn', SIMPLE_RNN_SEQUENCE)).toThrow(/at most 256 units/);
  });
});
