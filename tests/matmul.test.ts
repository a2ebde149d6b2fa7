import { describe, it } from 'vitest';
import { backpropFrom } from '../src/ops/elementwise';
import { matmul } from '../src/ops/matmul';
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
});
