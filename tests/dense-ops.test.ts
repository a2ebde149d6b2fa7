/**
 * The ops the layers API adds: activations (sigmoid, tanh, relu), the fused pointwise losses (MSE, MAE,
 * binary cross-entropy on logits), masked per-timestep softmax cross-entropy, and SGD. Each: the float64
 * reference's gradient against central finite differences, then the GPU against the reference.
 */
import { describe, expect, it } from 'vitest';
import { ParameterStore } from '../src/engine/parameters';
import { activation, type ElementwiseActivation } from '../src/ops/activation';
import { backpropFrom } from '../src/ops/elementwise';
import { pointwiseLoss, type PointwiseLoss } from '../src/ops/pointwise-loss';
import { IGNORE_LABEL, softmaxXent } from '../src/ops/softmax-xent';
import * as ref from '../src/reference/reference';
import { dot, expectClose, f32, getEngine, numericGrad, randomArray, rng } from './helpers/gpu';
import { Leaves } from './helpers/leaf';

const RTOL = 1e-5;
const ATOL = 1e-6;

describe('activations', () => {
  for (const act of ['sigmoid', 'tanh', 'relu'] as const satisfies readonly ElementwiseActivation[]) {
    it(`${act}: forward and gradient (reference checked by finite differences)`, async () => {
      const engine = await getEngine();
      const r = rng(`act-${act}`);
      // Keep relu's inputs away from its kink, where finite differences are meaningless.
      const X = randomArray(r, 301, -3, 3).map((x) => (Math.abs(x) < 1e-3 ? 0.5 : x));
      const dY = randomArray(r, 301);
      const refDX = ref.activationBackwardRef(X, dY, act);
      expectClose(refDX, numericGrad(() => dot(ref.activationRef(X, act), dY), X), 1e-6, 1e-8, 'reference dX vs FD');
      const leaves = new Leaves(engine);
      const x = leaves.tensor([7, 43], X, 'x');
      const step = engine.beginStep({ grad: true });
      const y = activation(step, x, act);
      backpropFrom(step, y, f32(dY));
      const out = step.read(y.data);
      step.backward();
      const dX = step.read(x.grad!);
      step.submit();
      expectClose(await out, ref.activationRef(X, act), RTOL, ATOL, 'y');
      expectClose(await dX, refDX, 1e-4, 1e-6, 'dX');
      leaves.free();
    });
  }

  it('sigmoid stays finite and saturates at ±100', async () => {
    const engine = await getEngine();
    const leaves = new Leaves(engine);
    const x = leaves.tensor([4], [-100, -20, 20, 100], 'x', false);
    const step = engine.beginStep({ grad: false });
    const out = step.read(activation(step, x, 'sigmoid').data);
    step.submit();
    const y = await out;
    expect(Array.from(y).every(Number.isFinite)).toBe(true);
    expect(y[0]).toBeLessThan(1e-8);
    expect(y[3]).toBe(1);
    leaves.free();
  });
});

describe('pointwise losses', () => {
  for (const loss of ['meanSquaredError', 'meanAbsoluteError', 'binaryCrossentropy'] as const satisfies readonly PointwiseLoss[]) {
    for (const masked of [false, true]) {
      it(`${loss}${masked ? ', two rows masked' : ''}: loss, metrics, predictions and gradient`, async () => {
        const engine = await getEngine();
        const r = rng(`loss-${loss}-${masked}`);
        const rows = 9, cols = 3;
        const Z = randomArray(r, rows * cols, -2, 2);
        const Y = loss === 'binaryCrossentropy' ? randomArray(r, rows * cols).map((v) => (v > 0 ? 1 : 0)) : randomArray(r, rows * cols, -2, 2);
        // MAE's kink: keep z − y away from 0.
        if (loss === 'meanAbsoluteError') for (let i = 0; i < Z.length; i++) if (Math.abs(Z[i]! - Y[i]!) < 1e-3) Z[i]! += 0.1;
        const weights = masked ? f32(Array.from({ length: rows }, (_, i) => (i === 2 || i === 7 ? 0 : 1))) : undefined;
        const want = ref.pointwiseLossRef(Z, Y, cols, loss, weights);
        expectClose(want.dZ, numericGrad(() => ref.pointwiseLossRef(Z, Y, cols, loss, weights).loss, Z), 1e-6, 1e-8, 'reference dZ vs FD');
        const leaves = new Leaves(engine);
        const z = leaves.tensor([rows, cols], Z, 'z');
        const step = engine.beginStep({ grad: true });
        const res = pointwiseLoss(step, z, f32(Y), loss, weights);
        const stats = step.read(res.stats);
        const pred = step.read(res.pred);
        step.backward();
        const dZ = step.read(z.grad!);
        step.submit();
        const [l, acc, mae, mse] = await stats;
        expectClose([l!, mae!, mse!], [want.loss, want.mae, want.mse], 1e-5, 1e-6, 'loss, mae, mse');
        if (loss === 'binaryCrossentropy') expect(acc).toBeCloseTo(want.accuracy, 6);
        else expect(acc).toBe(0);
        expectClose(await pred, want.pred, RTOL, ATOL, 'predictions');
        expectClose(await dZ, want.dZ, 1e-4, 1e-7, 'dZ');
        leaves.free();
      });
    }
  }

  it('binary cross-entropy on logits stays finite where the probability saturates', async () => {
    const engine = await getEngine();
    const leaves = new Leaves(engine);
    const z = leaves.tensor([2, 1], [80, -80], 'z');
    const step = engine.beginStep({ grad: true });
    const res = pointwiseLoss(step, z, f32([0, 1]), 'binaryCrossentropy');
    const stats = step.read(res.stats);
    step.backward();
    const dZ = step.read(z.grad!);
    step.submit();
    expect((await stats)[0]).toBeCloseTo(80, 3);
    expectClose(await dZ, [0.5, -0.5], 1e-6, 1e-6, 'dZ = (σ(z) − y)/2');
    leaves.free();
  });
});

describe('softmax cross-entropy with masked rows (per-timestep labels)', () => {
  it('rows labelled IGNORE_LABEL take no part in the loss, the correct count or the gradient', async () => {
    const engine = await getEngine();
    const r = rng('xent-masked');
    const B = 11, C = 4;
    const Z = randomArray(r, B * C, -2, 2);
    const labels = Uint32Array.from({ length: B }, (_, i) => (i % 4 === 1 ? IGNORE_LABEL : i % C));
    const want = ref.softmaxXentRef(Z, labels, B, C);
    expectClose(want.dZ, numericGrad(() => ref.softmaxXentRef(Z, labels, B, C).loss, Z), 1e-6, 1e-8, 'reference dZ vs FD');
    const leaves = new Leaves(engine);
    const z = leaves.tensor([B, C], Z, 'z');
    const step = engine.beginStep({ grad: true });
    const res = softmaxXent(step, z, labels);
    const stats = step.read(res.stats);
    step.backward();
    const dZ = step.read(z.grad!);
    step.submit();
    const [loss, correct] = await stats;
    expect(loss).toBeCloseTo(want.loss, 5);
    expect(correct).toBe(want.correct);
    expectClose(await dZ, want.dZ, 1e-4, 1e-7, 'dZ');
    leaves.free();
  });
});

describe('SGD', () => {
  for (const clipNorm of [0, 0.3]) {
    it(`matches θ − lr·clip(g) over the arena (clipNorm ${clipNorm})`, async () => {
      const engine = await getEngine();
      const r = rng(`sgd-${clipNorm}`);
      const p1 = randomArray(r, 70);
      const p2 = randomArray(r, 300);
      const store = new ParameterStore(engine, [
        { name: 'p1', shape: [70], init: f32(p1) },
        { name: 'p2', shape: [300], init: f32(p2) },
      ]);
      let theta: ref.F64 = Float64Array.from([...p1, ...p2]);
      for (let s = 0; s < 2; s++) {
        const g = randomArray(r, 370, -0.2, 0.2);
        engine.write(store.get('p1').grad!, f32(g.subarray(0, 70)));
        engine.write(store.get('p2').grad!, f32(g.subarray(70)));
        const step = engine.beginStep({ grad: true });
        store.sgd(step, { learningRate: 0.05, clipNorm });
        step.submit();
        theta = ref.sgdRef(theta, g, 0.05, clipNorm);
      }
      const values = await store.read();
      expectClose(values.get('p1')!, theta.subarray(0, 70), 1e-5, 1e-6, 'p1');
      expectClose(values.get('p2')!, theta.subarray(70), 1e-5, 1e-6, 'p2');
      store.destroy();
    });
  }
});
