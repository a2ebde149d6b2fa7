/**
 * Float16 recurrent weights for prediction (`weightPrecision: 'float16'`): pack_f16.wgsl against the
 * float64 decoding (every packed value one of the two float16 neighbours of its f32, clamped beyond
 * ±65504); the float16 forward (lstm_forward_step_vec4_f16.wgsl, batches and one row) against the float64
 * reference run with the packed weights decoded, for every tuning and schedule (the cpu tuning's vec4 kernel,
 * the gpu tuning's per-timestep and whole-sequence ones, subgroup sums); and the model: bit for bit the
 * float32 prediction when Wh already holds float16 values, within float16's rounding otherwise, packed
 * again after training, and refused with the reason where it does not apply.
 */
import { describe, expect, it } from 'vitest';
import { layers, sequential } from '../src/index';
import type { Engine } from '../src/engine/engine';
import { ParameterStore } from '../src/engine/parameters';
import { lstm } from '../src/ops/lstm';
import { packHalf } from '../src/ops/half-weights';
import { prepareHalfWeights } from '../src/ops/create-engine';
import { lstmForwardRef, lstmOutputsRef } from '../src/reference/reference';
import { HALF_MAX, halfNeighbours, halfRound, halfToFloat, unpackHalves } from '../src/reference/half';
import { LSTM_KERNEL_SETS, expectClose, getEngine, getTunedEngine, rng } from './helpers/gpu';
import { lengthMask, randomProblem, runGpuLstmInference, type LstmProblem } from './helpers/lstm';

const FWD = [1e-5, 1e-6] as const;

function referenceWith(p: LstmProblem, wh: Float64Array) {
  return lstmOutputsRef(lstmForwardRef({ wx: p.wx, wh, b: p.b, In: p.In, H: p.H }, p.x, p.B, p.T, p.mask, p.rmask), p.H);
}

/** Counts the engine's steps that pack float16 weights. */
function countPacks(engine: Engine): { count: () => number; restore: () => void } {
  const original = engine.beginStep.bind(engine);
  let n = 0;
  engine.beginStep = (o) => {
    if (o.label === 'float16 weights') n++;
    return original(o);
  };
  return { count: () => n, restore: () => void (engine.beginStep = original) };
}

describe('float16 reference', () => {
  it('decodes bit patterns and brackets values as IEEE binary16', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x7bff)).toBe(HALF_MAX);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x3555)).toBeCloseTo(0.333251953125, 12);
    expect(halfNeighbours(1)).toEqual([1, 1]);
    expect(halfNeighbours(1 + 2 ** -11)).toEqual([1, 1 + 2 ** -10]);
    expect(halfNeighbours(1e6)).toEqual([HALF_MAX, HALF_MAX]);
    expect(halfRound(1 + 2 ** -11)).toBe(1); // a tie goes to the even neighbour
    expect(halfRound(1 + 3 * 2 ** -11)).toBe(1 + 2 ** -9);
  });
});

describe('pack_f16', () => {
  it('packs each f32 pair into one u32 of float16 neighbours, low half first, clamped beyond ±65504', async () => {
    const engine = await getEngine();
    await prepareHalfWeights(engine);
    const r = rng('pack f16');
    const special = [0, -0, 1, -1, 0.1, 1e-7, -3e-5, 2 ** -24, 65504, -65504, 70000, -1e9, 65519, 1 + 2 ** -11];
    const values = Float32Array.from([...special, ...Array.from({ length: 2 * 700 - special.length }, () => (r() * 2 - 1) * 10 ** (r() * 8 - 5))]);
    const x = engine.allocate(values.length + 6, 'pack input');
    const out = engine.allocate(values.length / 2 + 3, 'pack output');
    engine.write({ ...x, offset: 6, length: values.length }, values);
    const step = engine.beginStep({ grad: false });
    packHalf(step, { ...x, offset: 6, length: values.length }, { ...out, offset: 3, length: values.length / 2 });
    const read = step.read(out);
    step.submit();
    const packed = new Uint32Array((await read).buffer).subarray(3);
    engine.release(x);
    engine.release(out);
    const halves = unpackHalves(packed);
    values.forEach((v, i) => {
      const [lo, hi] = halfNeighbours(v);
      expect(halves[i] === lo || halves[i] === hi, `value ${i} (${v}) packed as ${halves[i]}, not ${lo} or ${hi}`).toBe(true);
    });
  });
});

describe('LSTM forward with float16 recurrent weights', () => {
  const cases = [
    { name: 'H = 64, B = 9, mixed padding', d: { B: 9, T: 6, In: 7, H: 64 }, mask: lengthMask([6, 1, 4, 6, 2, 5, 3, 6, 1], 6, 'pre') },
    { name: 'one row: H = 196, B = 1, pre-padded', d: { B: 1, T: 7, In: 9, H: 196 }, mask: lengthMask([5], 7, 'pre') },
    // Units not divisible by 4: the gpu tuning's per-timestep kernel reads Wh one float at a time.
    { name: 'H = 10, B = 5, post-padded', d: { B: 5, T: 4, In: 3, H: 10 }, mask: lengthMask([4, 1, 3, 2, 4], 4, 'post') },
  ];
  const sets = [
    ...LSTM_KERNEL_SETS,
    { label: 'gpu-tuned whole-sequence kernels, subgroup sums', tuning: 'gpu' as const, schedule: { sequenceRows: 2 as const, reduction: 'subgroups' as const } },
  ];
  const runs = (c: (typeof cases)[number], k: (typeof sets)[number]) => c.d.H % 4 === 0 || (k.tuning === 'gpu' && k.schedule === 'timestep');
  for (const c of cases) for (const k of sets) {
    if (!runs(c, k)) continue;
    it(`matches float64 with the packed Wh decoded: ${c.name} (${k.label})`, async () => {
      const engine = await getTunedEngine(k.tuning, k.schedule);
      if (k.schedule !== 'auto' && typeof k.schedule === 'object' && 'reduction' in k.schedule && !engine.device.features.has('subgroups')) {
        throw new Error('this adapter has no `subgroups` feature: the subgroup case cannot run here');
      }
      const p = randomProblem(rng(`half ${c.name}`), c.d, { mask: c.mask, rmaskRate: 0, withSeqGrad: true });
      const gpu = await runGpuLstmInference(engine, p, { half: true });
      const wh16 = unpackHalves(gpu.whHalf!);
      // Each weight is a float16 neighbour of its f32 (so the test below compares with the weights the kernel read).
      p.wh.forEach((w, i) => {
        const [lo, hi] = halfNeighbours(Math.fround(w));
        expect(wh16[i] === lo || wh16[i] === hi).toBe(true);
      });
      const ref = referenceWith(p, wh16);
      expectClose(gpu.seq, ref.seq, ...FWD, 'h sequence');
      expectClose(gpu.last, ref.last, ...FWD, 'final h');
      // And it is not the float32 result: the rounding shows.
      const full = referenceWith(p, p.wh);
      expect(Math.max(...full.last.map((v, i) => Math.abs(v - ref.last[i]!)))).toBeGreaterThan(1e-6);
    });
  }

  it('is refused where it does not apply: a training forward, inspect(), recurrent dropout, units the cpu tuning cannot read as float16', async () => {
    const cpu = await getTunedEngine('cpu');
    const H = 8;
    const p = randomProblem(rng('half refused'), { B: 2, T: 3, In: 4, H }, { withSeqGrad: true });
    const store = new ParameterStore(cpu, [
      { name: 'wx', shape: [4, 4 * H], init: Float32Array.from(p.wx) },
      { name: 'wh', shape: [H, 4 * H], init: Float32Array.from(p.wh) },
      { name: 'b', shape: [4 * H], init: Float32Array.from(p.b) },
    ]);
    const odd = new ParameterStore(cpu, [
      { name: 'wx', shape: [4, 24], init: new Float32Array(96) },
      { name: 'wh', shape: [6, 24], init: new Float32Array(144) },
      { name: 'b', shape: [24], init: new Float32Array(24) },
    ]);
    const packed = cpu.allocate(2 * H * H, 'packed');
    const w = { wx: store.get('wx'), wh: store.get('wh'), b: store.get('b') };
    const train = cpu.beginStep({ grad: true });
    expect(() => lstm(train, train.output([3, 2, 4], 'x', false), w, { whHalf: packed })).toThrow(/keeps its state for a backward/);
    train.abort();
    const step = cpu.beginStep({ grad: false });
    const x = step.output([3, 2, 4], 'x', false);
    expect(() => lstm(step, x, w, { whHalf: packed, keepState: true })).toThrow(/inspect\(\)/);
    expect(() => lstm(step, x, w, { whHalf: packed, recurrentMask: new Float32Array(2 * H).fill(1) })).toThrow(/recurrent dropout/);
    expect(() => lstm(step, x, { wx: odd.get('wx'), wh: odd.get('wh'), b: odd.get('b') }, { whHalf: cpu.allocate(72, 'packed 6') })).toThrow(/units \(6\) to divide by 4/);
    expect(() => lstm(step, x, w, { whHalf: { ...packed, length: 2 * H * H - 2 } })).toThrow(/not 128 at an even offset/);
    step.abort();
    cpu.release(packed);
    store.destroy();
    odd.destroy();
  });
});

describe("predict(x, { weightPrecision: 'float16' })", () => {
  const V = 30, T = 7;
  const ids = (n: number, seed: number) => {
    const r = rng(`half ids ${seed}`);
    return Array.from({ length: n }, (_, i) => {
      const len = i === 0 ? 1 : 1 + Math.floor(r() * T);
      return Array.from({ length: T }, (_, t) => (t < T - len ? 0 : 1 + Math.floor(r() * (V - 1))));
    });
  };
  const build = (engine: Engine, extra: 'lstm' | 'bidirectional' = 'lstm') =>
    sequential([
      layers.embedding({ inputDim: V, outputDim: 8, maskZero: true }),
      extra === 'lstm' ? layers.lstm({ units: 16, recurrentDropout: 0.2 }) : layers.bidirectional({ layer: layers.lstm({ units: 12 }) }),
      layers.dense({ units: 3, activation: 'softmax' }),
    ], { engine, seed: 11 });
  const flat = (a: number[][]) => Float32Array.from(a.flat());

  const tunings = [
    { label: 'cpu-tuned', tuning: 'cpu' as const, schedule: 'auto' as const },
    { label: 'gpu-tuned, per timestep', tuning: 'gpu' as const, schedule: 'timestep' as const },
    { label: 'gpu-tuned, whole sequence', tuning: 'gpu' as const, schedule: { sequenceRows: 2 as const } },
  ];
  for (const t of tunings) for (const kind of ['lstm', 'bidirectional'] as const) {
    it(`equals float32 bit for bit when Wh holds float16 values, one row and batches (${kind}, ${t.label})`, async () => {
      const engine = await getTunedEngine(t.tuning, t.schedule);
      const model = await build(engine, kind);
      const w = await model.getWeights();
      for (const [name, v] of w) if (name.endsWith('/recurrent_kernel')) w.set(name, Float32Array.from(v, halfRound));
      model.setWeights(w);
      const x = ids(37, 1);
      expect(flat(await model.predict(x, { weightPrecision: 'float16' }))).toEqual(flat(await model.predict(x)));
      expect(flat(await model.predict([x[3]!], { weightPrecision: 'float16' }))).toEqual(flat(await model.predict([x[3]!])));
      model.dispose();
    });
  }

  it('stays within float16 rounding of float32, packs once per weight change, and packs again after training', async () => {
    const engine = await getTunedEngine('cpu');
    const model = await build(engine);
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const packs = countPacks(engine);
    try {
      const x = ids(50, 2);
      const close = async () => {
        const a = flat(await model.predict(x)), b = flat(await model.predict(x, { weightPrecision: 'float16' }));
        const diff = Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
        expect(diff).toBeLessThan(2e-3);
        expect(diff).toBeGreaterThan(0); // the float16 path ran: its rounding shows
      };
      await close();
      await model.predict(x.slice(0, 5), { weightPrecision: 'float16' });
      expect(packs.count()).toBe(1);
      await model.fit(x, x.map((_, i) => i % 3), { epochs: 1, batchSize: 16 });
      await close();
      expect(packs.count()).toBe(2);
    } finally {
      packs.restore();
      model.dispose();
    }
  });

  it('is refused with the reason for a GRU, for units the cpu tuning cannot read as float16, and for an unknown precision', async () => {
    const cpu = await getTunedEngine('cpu');
    const gru = await sequential([layers.embedding({ inputDim: V, outputDim: 8 }), layers.gru({ units: 8 }), layers.dense({ units: 2, activation: 'softmax' })], { engine: cpu, seed: 1 });
    await expect(gru.predict(ids(3, 3), { weightPrecision: 'float16' })).rejects.toThrow(/LSTM layers only; layer "gru.*" is a GRU/);
    gru.dispose();
    const odd = await sequential([layers.embedding({ inputDim: V, outputDim: 8 }), layers.lstm({ units: 6 }), layers.dense({ units: 2, activation: 'softmax' })], { engine: cpu, seed: 1 });
    await expect(odd.predict(ids(3, 3), { weightPrecision: 'float16' })).rejects.toThrow(/divide by 4; layer "lstm.*" has 6/);
    odd.dispose();
    const model = await build(cpu);
    await expect(model.predict(ids(3, 3), { weightPrecision: 'float64' as never })).rejects.toThrow(/'float32' or 'float16'/);
    model.dispose();
  });
});
