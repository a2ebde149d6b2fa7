import { describe, expect, it } from 'vitest';
import { backpropFrom } from '../src/ops/elementwise';
import { gemm, matmul } from '../src/ops/matmul';
import { matmulBackwardRef, matmulRef } from '../src/reference/reference';
import { dot, expectClose, f32, getTunedEngine, numericGrad, randomArray, rng } from './helpers/gpu';
import { Leaves } from './helpers/leaf';

// f32 GEMM against float64: relative 1e-5 plus a small absolute term for near-zero sums (for inner
// dimensions up to 200; scaled up beyond that).
const RTOL = 1e-5;
const ATOL = 1e-5;
const TRANSPOSES = [[false, false], [true, false], [false, true], [true, true]] as const;

describe('matmul', () => {
  it('float64 reference gradients match central finite differences', () => {
    const r = rng('mm-fd');
    for (const [ta, tb] of TRANSPOSES) {
      const M = 3, N = 4, K = 5;
      const A = randomArray(r, M * K);
      const B = randomArray(r, K * N);
      const dC = randomArray(r, M * N);
      const loss = () => dot(matmulRef(A, B, M, N, K, ta, tb), dC);
      const { dA, dB } = matmulBackwardRef(A, B, dC, M, N, K, ta, tb);
      expectClose(dA, numericGrad(loss, A), 1e-6, 1e-8, `dA trans ${ta}${tb}`);
      expectClose(dB, numericGrad(loss, B), 1e-6, 1e-8, `dB trans ${ta}${tb}`);
    }
  });

  // Sizes that divide neither the 4×4 register tile nor the 16×16 or 32×32 workgroup tiles, including 1.
  // 577×1003 has 160 tiles of 64×64: the gpu-tuned engine takes matmul_tiled's 4×4-per-invocation form for
  // C (edges in both directions, K not a multiple of 16), and its 1-per-invocation form for the gradients.
  const shapes: Array<[number, number, number]> = [[1, 1, 1], [7, 13, 5], [33, 65, 17], [20, 196, 128], [70, 9, 200], [37, 64, 19], [5, 8, 784], [577, 1003, 37]];
  for (const [M, N, K] of shapes) {
    for (const [ta, tb] of TRANSPOSES) for (const tuning of ['cpu', 'gpu'] as const) {
      it(`forward and gradients match float64 for ${M}×${K}·${K}×${N}, transA=${ta}, transB=${tb} (${tuning}-tuned kernels)`, async () => {
        const engine = await getTunedEngine(tuning, 'timestep'); // no LSTM here: skip compiling the whole-sequence kernels
        const r = rng(`mm-${M}-${N}-${K}-${ta}-${tb}`);
        const A = randomArray(r, M * K);
        const B = randomArray(r, K * N);
        const dC = randomArray(r, M * N);
        const leaves = new Leaves(engine);
        const a = leaves.tensor(ta ? [K, M] : [M, K], A, 'A');
        const b = leaves.tensor(tb ? [N, K] : [K, N], B, 'B');
        const step = engine.beginStep({ grad: true });
        const c = matmul(step, a, b, { transA: ta, transB: tb });
        backpropFrom(step, c, f32(dC));
        const out = step.read(c.data);
        step.backward();
        const dA = step.read(a.grad!);
        const dB = step.read(b.grad!);
        step.submit();
        const ref = matmulBackwardRef(A, B, dC, M, N, K, ta, tb);
        // The gradients are GEMMs with inner dimension N (dA) and M (dB): f32 rounding grows with it.
        const atol = (inner: number) => ATOL * Math.max(1, inner / 200);
        expectClose(await out, matmulRef(A, B, M, N, K, ta, tb), RTOL, atol(K), 'C');
        expectClose(await dA, ref.dA, RTOL, atol(N), 'dA');
        expectClose(await dB, ref.dB, RTOL, atol(M), 'dB');
        await engine.sync();
        leaves.free();
      });
    }
  }

  // A recurrent layer's GEMMs skip its padding rows with a row list (ops/recurrence.ts) and promise the
  // numbers of the full GEMM, bit for bit: rows are independent on 'm', and on 'k' the skipped rows of B
  // are zero while the listed ones keep their order.
  describe('row lists (cpu tuning)', () => {
    const R = 45, K = 36, N = 20;
    const listOf = (r: () => number) => Uint32Array.from([...Array(R).keys()].filter(() => r() < 0.6));
    const bits = (x: Float32Array) => [...new Uint32Array(x.buffer, x.byteOffset, x.length)];

    for (const transB of [false, true]) {
      it(`on rows of A and C${transB ? ', B transposed' : ''}: the listed rows as the full GEMM gives them, the others untouched`, async () => {
        const engine = await getTunedEngine('cpu', 'timestep');
        const r = rng(`mm-list-m-${transB}`);
        const list = listOf(r);
        const A = f32(randomArray(r, R * K));
        const B = f32(randomArray(r, K * N));
        const C0 = f32(randomArray(r, R * N));
        const step = engine.beginStep({ grad: false });
        const a = step.upload(A), b = step.upload(transB ? f32(Array.from({ length: N * K }, (_, i) => B[(i % K) * N + Math.floor(i / K)]!)) : B);
        const full = step.upload(C0), listed = step.upload(C0);
        gemm(step, { a, b, c: full, M: R, N, K, transB, accumulate: true });
        gemm(step, { a, b, c: listed, M: list.length, N, K, transB, accumulate: true, rows: { list: step.upload(list), on: 'm', within: R } });
        const pFull = step.read(full), pListed = step.read(listed);
        step.submit();
        const [cf, cl] = [await pFull, await pListed];
        const on = new Set(list);
        for (let row = 0; row < R; row++) {
          const want = on.has(row) ? cf.subarray(row * N, (row + 1) * N) : C0.subarray(row * N, (row + 1) * N);
          expect(bits(cl.subarray(row * N, (row + 1) * N)), `row ${row} (${on.has(row) ? 'listed' : 'not listed'})`).toEqual(bits(want));
        }
        expect(list.length).toBeGreaterThan(10);
        expect(list.length).toBeLessThan(R);
      });
    }

    it('on the sum (Aᵀ·B): the listed rows give the full sum when the others of B are zero', async () => {
      const engine = await getTunedEngine('cpu', 'timestep');
      const r = rng('mm-list-k');
      const list = listOf(r);
      const on = new Set(list);
      const M = 24;
      const A = f32(randomArray(r, R * M));
      const B = f32(randomArray(r, R * N).map((v, i) => (on.has(Math.floor(i / N)) ? v : 0)));
      const C0 = f32(randomArray(r, M * N));
      const step = engine.beginStep({ grad: false });
      const a = step.upload(A), b = step.upload(B);
      const full = step.upload(C0), listed = step.upload(C0);
      gemm(step, { a, b, c: full, M, N, K: R, transA: true, accumulate: true });
      gemm(step, { a, b, c: listed, M, N, K: list.length, transA: true, accumulate: true, rows: { list: step.upload(list), on: 'k', within: R } });
      const pFull = step.read(full), pListed = step.read(listed);
      step.submit();
      const [cf, cl] = [await pFull, await pListed];
      expect(bits(cl)).toEqual(bits(cf));
      // And it is C0 + Aᵀ·B in float64 (the listed rows are the ones summed, not the list's first K).
      const ref = matmulRef(Float64Array.from(A), Float64Array.from(B), M, N, R, true, false).map((v, i) => v + C0[i]!);
      expectClose(cl, ref, RTOL, ATOL, 'listed Aᵀ·B + C0');
    });

    it('is refused where no kernel takes a list: the gpu tuning, misaligned shapes, too short a list', async () => {
      const gpu = await getTunedEngine('gpu', 'timestep');
      let step = gpu.beginStep({ grad: false });
      const s = (n: number) => step.scratch(n);
      expect(() => gemm(step, { a: s(R * K), b: s(K * N), c: s(R * N), M: 3, N, K, rows: { list: s(3), on: 'm', within: R } })).toThrow(/only the cpu tuning/);
      step.submit();
      const cpu = await getTunedEngine('cpu', 'timestep');
      step = cpu.beginStep({ grad: false });
      expect(() => gemm(step, { a: s(R * K), b: s(K * 18), c: s(R * 18), M: 3, N: 18, K, rows: { list: s(3), on: 'm', within: R } })).toThrow(/divide by 4/);
      expect(() => gemm(step, { a: s(R * K), b: s(K * N), c: s(R * N), M: 5, N, K, rows: { list: s(3), on: 'm', within: R } })).toThrow(/holds 3 rows, 5 wanted/);
      expect(() => gemm(step, { a: s(R * K), b: s(K * N), c: s(R * N), M: 3, N, K, rows: { list: s(3), on: 'm', within: R + 1 } })).toThrow(/too small/);
      expect(() => gemm(step, { a: s(R * K), b: s(K * N), c: s(R * N), M: 3, N, K, transA: true, rows: { list: s(3), on: 'm', within: R } })).toThrow(/must not be transposed/);
      step.submit();
    });
  });
});
