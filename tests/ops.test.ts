/**
 * Every small op: GPU forward and GPU gradients against the float64 reference, and the reference's
 * gradients against central finite differences. Tolerances: these ops do at most a few f32 operations
 * per element (or short sums), so 1e-5 relative / 1e-6 absolute.
 */
import { describe, expect, it } from 'vitest';
import { add, addBias, backpropFrom, concatFeatures, dropout, reverseTime } from '../src/ops/elementwise';
import { dropoutMaskRef } from '../src/reference/dropout-rng';
import { embedding } from '../src/ops/embedding';
import { softmaxXent } from '../src/ops/softmax-xent';
import * as ref from '../src/reference/reference';
import { dot, expectClose, f32, getEngine, numericGrad, randomArray, rng, getTunedEngine } from './helpers/gpu';
import { Leaves } from './helpers/leaf';
import { toTimeMajor } from './helpers/lstm';

const RTOL = 1e-5;
const ATOL = 1e-6;


describe('elementwise ops', () => {
  it('add: forward, and an input used twice receives both gradients (a + a)', async () => {
    const engine = await getEngine();
    const r = rng('add');
    const A = randomArray(r, 37);
    const dY = randomArray(r, 37);
    const leaves = new Leaves(engine);
    const a = leaves.tensor([37], A, 'a');
    const step = engine.beginStep({ grad: true });
    const y = add(step, a, a);
    backpropFrom(step, y, f32(dY));
    const out = step.read(y.data);
    step.backward();
    const dA = step.read(a.grad!);
    step.submit();
    expectClose(await out, ref.addRef(A, A), RTOL, ATOL, 'a + a');
    expectClose(await dA, dY.map((v) => 2 * v), RTOL, ATOL, 'd(a + a)/da = 2·dY');
    leaves.free();
  });

  for (const [R, C, tuning] of [[9, 13, 'cpu'], [9, 13, 'gpu'], [70, 37, 'gpu']] as const) it(`addBias ${R}×${C}: forward and gradients (reference checked by finite differences), ${tuning}-tuned kernels`, async () => {
    const engine = await getTunedEngine(tuning, 'timestep'); // no LSTM here: skip compiling the whole-sequence kernels
    const r = rng(`bias-${R}-${C}`);
    const X = randomArray(r, R * C);
    const bias = randomArray(r, C);
    const dY = randomArray(r, R * C);
    const refG = ref.addBiasBackwardRef(dY, C);
    expectClose(refG.dBias, numericGrad(() => dot(ref.addBiasRef(X, bias), dY), bias), 1e-6, 1e-8, 'reference dBias vs FD');
    expectClose(refG.dX, numericGrad(() => dot(ref.addBiasRef(X, bias), dY), X), 1e-6, 1e-8, 'reference dX vs FD');
    const leaves = new Leaves(engine);
    const x = leaves.tensor([R, C], X, 'x');
    const b = leaves.tensor([C], bias, 'b');
    const step = engine.beginStep({ grad: true });
    const y = addBias(step, x, b);
    backpropFrom(step, y, f32(dY));
    const out = step.read(y.data);
    step.backward();
    const dX = step.read(x.grad!);
    const dB = step.read(b.grad!);
    step.submit();
    expectClose(await out, ref.addBiasRef(X, bias), RTOL, ATOL, 'y');
    expectClose(await dX, refG.dX, RTOL, ATOL, 'dX');
    expectClose(await dB, refG.dBias, RTOL, ATOL, 'dBias');
    leaves.free();
  });

  for (const given of [false, true]) it(`spatial dropout (${given ? 'a given mask' : 'drawn on the GPU'}): one mask per (sequence, channel) shared by all timesteps; gradient masked alike`, async () => {
    const engine = await getEngine();
    const r = rng('dropout');
    const B = 5, T = 7, F = 11;
    const X = randomArray(r, B * T * F);
    const dY = randomArray(r, B * T * F);
    const draw = { key: { seed: [17, 4242] as const, draw: 3 }, stream: 9, rate: 0.4 };
    // The kernel's draw, or the same mask given explicitly: the reference reads the JS generator's.
    const mask = dropoutMaskRef(draw, B * F);
    const maskArr = Float64Array.from(mask);
    expectClose(
      ref.spatialDropoutRef(dY, maskArr, B, T, F),
      numericGrad(() => dot(ref.spatialDropoutRef(X, maskArr, B, T, F), dY), X),
      1e-6, 1e-8, 'reference dX vs FD',
    );
    const leaves = new Leaves(engine);
    const x = leaves.tensor([T, B, F], toTimeMajor(X, B, T, F), 'x');
    const step = engine.beginStep({ grad: true });
    const y = dropout(step, x, given ? mask : draw, B);
    backpropFrom(step, y, f32(toTimeMajor(dY, B, T, F)));
    const out = step.read(y.data);
    step.backward();
    const dX = step.read(x.grad!);
    step.submit();
    expectClose(await out, toTimeMajor(ref.spatialDropoutRef(X, maskArr, B, T, F), B, T, F), RTOL, ATOL, 'y');
    expectClose(await dX, toTimeMajor(ref.spatialDropoutRef(dY, maskArr, B, T, F), B, T, F), RTOL, ATOL, 'dX');
    leaves.free();
  });

  it('reverseTime and concat: forward and gradients', async () => {
    const engine = await getEngine();
    const r = rng('rev');
    const B = 3, T = 6, F = 5, F2 = 7;
    const X = randomArray(r, B * T * F);
    const X2 = randomArray(r, B * T * F2);
    const dR = randomArray(r, B * T * F);
    const dC = randomArray(r, B * T * (F + F2));
    const leaves = new Leaves(engine);
    const x = leaves.tensor([T, B, F], toTimeMajor(X, B, T, F), 'x');
    const x2 = leaves.tensor([T, B, F2], toTimeMajor(X2, B, T, F2), 'x2');
    const step = engine.beginStep({ grad: true });
    const rev = reverseTime(step, x);
    // Concat rows are (t, b) pairs: concatenating time-major tensors row by row.
    const cat = concatFeatures(step, x, x2);
    backpropFrom(step, rev, f32(toTimeMajor(dR, B, T, F)));
    backpropFrom(step, cat, f32(dC));
    const revOut = step.read(rev.data);
    const catOut = step.read(cat.data);
    step.backward();
    const dX = step.read(x.grad!);
    const dX2 = step.read(x2.grad!);
    step.submit();
    expectClose(await revOut, toTimeMajor(ref.reverseTimeRef(X, B, T, F), B, T, F), RTOL, ATOL, 'reversed');
    const xT = toTimeMajor(X, B, T, F);
    const x2T = toTimeMajor(X2, B, T, F2);
    expectClose(await catOut, ref.concatRef(xT, x2T, B * T, F, F2), RTOL, ATOL, 'concat');
    const split = ref.concatBackwardRef(dC, B * T, F, F2);
    // x feeds both ops: its gradient is the reversal's plus the concat's.
    const dXExpected = toTimeMajor(ref.reverseTimeRef(dR, B, T, F), B, T, F).map((v, i) => v + split.dA[i]!);
    expectClose(await dX, dXExpected, RTOL, ATOL, 'dX (two consumers)');
    expectClose(await dX2, split.dB, RTOL, ATOL, 'dX2');
    leaves.free();
  });
});

describe('embedding', () => {
  for (const maskZero of [false, true]) {
    it(`gather and deterministic segment-sum gradient match float64 (maskZero=${maskZero})`, async () => {
      const engine = await getEngine();
      const r = rng(`emb-${maskZero}`);
      const V = 23, E = 70, B = 6, T = 9;
      const W = randomArray(r, V * E);
      const ids = Uint32Array.from({ length: B * T }, () => (r() < 0.3 ? 0 : Math.floor(r() * V)));
      const dY = randomArray(r, B * T * E);
      expectClose(
        ref.embeddingBackwardRef(dY, V, E, ids, false),
        numericGrad(() => dot(ref.embeddingRef(W, E, ids), dY), W),
        1e-6, 1e-8, 'reference dW vs FD',
      );
      const leaves = new Leaves(engine);
      const w = leaves.tensor([V, E], W, 'W');
      const step = engine.beginStep({ grad: true });
      const y = embedding(step, w, ids, B, T, { maskZero });
      backpropFrom(step, y, f32(toTimeMajor(dY, B, T, E)));
      const out = step.read(y.data);
      step.backward();
      const dW = step.read(w.grad!);
      step.submit();
      expectClose(await out, toTimeMajor(ref.embeddingRef(W, E, ids), B, T, E), 0, 0, 'gathered rows (exact)');
      const expected = ref.embeddingBackwardRef(dY, V, E, ids, maskZero);
      expectClose(await dW, expected, RTOL, ATOL, 'dW');
      if (maskZero) expect([...(await dW).slice(0, E)].every((v) => v === 0)).toBe(true);
      leaves.free();
    });
  }

  it('rejects token ids outside the vocabulary', async () => {
    const engine = await getEngine();
    const leaves = new Leaves(engine);
    const w = leaves.tensor([4, 2], new Float64Array(8), 'W');
    const step = engine.beginStep({ grad: false });
    expect(() => embedding(step, w, Uint32Array.from([1, 4]), 1, 2)).toThrow(/outside the vocabulary of 4/);
    step.abort();
    leaves.free();
  });
});

describe('softmax cross-entropy', () => {
  it('reference gradient matches finite differences (with class weights)', () => {
    const r = rng('xent-fd');
    const B = 5, C = 3;
    const Z = randomArray(r, B * C, -3, 3);
    const labels = [0, 2, 1, 1, 0];
    const w = [1, 2.5, 0.5];
    const { dZ } = ref.softmaxXentRef(Z, labels, B, C, w);
    expectClose(dZ, numericGrad(() => ref.softmaxXentRef(Z, labels, B, C, w).loss, Z), 1e-6, 1e-9, 'dZ vs FD');
  });

  for (const weighted of [false, true]) {
    it(`loss, correct count, probabilities and dlogits match float64 (class weights: ${weighted})`, async () => {
      const engine = await getEngine();
      const r = rng(`xent-${weighted}`);
      const B = 300, C = 3; // more rows than the 256-invocation workgroup
      const Z = randomArray(r, B * C, -4, 4);
      const labels = Uint32Array.from({ length: B }, () => Math.floor(r() * C));
      const w = weighted ? f32([0.7, 1.9, 1.2]) : undefined;
      const expected = ref.softmaxXentRef(Z, labels, B, C, w);
      const leaves = new Leaves(engine);
      const z = leaves.tensor([B, C], Z, 'logits');
      const step = engine.beginStep({ grad: true });
      const res = softmaxXent(step, z, labels, w);
      const stats = step.read(res.stats);
      const probs = step.read(res.probs);
      step.backward();
      const dZ = step.read(z.grad!);
      step.submit();
      const [loss, correct] = await stats;
      expect(Math.abs(loss! - expected.loss)).toBeLessThan(1e-5 * expected.loss);
      expect(correct).toBe(expected.correct);
      expectClose(await probs, expected.probs, RTOL, ATOL, 'probs');
      expectClose(await dZ, expected.dZ, RTOL, 1e-8, 'dZ');
      leaves.free();
    });
  }
});
