/**
 * Bidirectional's element-wise merge modes (ops/merge.ts): the GPU forward and both gradients against the
 * float64 reference (src/reference/merge.ts), and the reference's gradients against central finite
 * differences. A few f32 operations per element: 1e-5 relative / 1e-6 absolute.
 */
import { describe, it } from 'vitest';
import { backpropFrom } from '../src/ops/elementwise';
import { mergeDirections, type ElementwiseMerge } from '../src/ops/merge';
import { mergeBackwardRef, mergeRef } from '../src/reference/merge';
import { dot, expectClose, f32, getEngine, numericGrad, randomArray, rng } from './helpers/gpu';
import { Leaves } from './helpers/leaf';

describe('Bidirectional merge (sum, mul, ave)', () => {
  for (const mode of ['sum', 'mul', 'ave'] as ElementwiseMerge[]) {
    it(`${mode}: forward and both gradients (reference checked by finite differences)`, async () => {
      const engine = await getEngine();
      const r = rng(`merge-${mode}`);
      const R = 13, F = 7;
      const A = randomArray(r, R * F);
      const B = randomArray(r, R * F);
      const dY = randomArray(r, R * F);
      const refG = mergeBackwardRef(dY, A, B, R, F, mode);
      expectClose(refG.dA, numericGrad(() => dot(mergeRef(A, B, R, F, mode), dY), A), 1e-6, 1e-8, 'reference dA vs FD');
      expectClose(refG.dB, numericGrad(() => dot(mergeRef(A, B, R, F, mode), dY), B), 1e-6, 1e-8, 'reference dB vs FD');
      const leaves = new Leaves(engine);
      const a = leaves.tensor([R, F], A, 'a');
      const b = leaves.tensor([R, F], B, 'b');
      const step = engine.beginStep({ grad: true });
      const y = mergeDirections(step, a, b, mode);
      backpropFrom(step, y, f32(dY));
      const out = step.read(y.data);
      step.backward();
      const dA = step.read(a.grad!);
      const dB = step.read(b.grad!);
      step.submit();
      expectClose(await out, mergeRef(A, B, R, F, mode), 1e-5, 1e-6, 'y');
      expectClose(await dA, refG.dA, 1e-5, 1e-6, 'dA');
      expectClose(await dB, refG.dB, 1e-5, 1e-6, 'dB');
      leaves.free();
    });
  }
});
