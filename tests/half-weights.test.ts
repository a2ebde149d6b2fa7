/**
 * 16-bit recurrent weights for prediction (`weightPrecision: 'float16' | 'bfloat16'`): pack_half.wgsl
 * against the float64 references (every float16 one of the two neighbours of its f32, clamped beyond
 * ±65504; every bfloat16 exactly the nearest, ties to even); each format's forwards against the float64
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
import { HALF_MAX, bfloat16Round, halfNeighbours, halfRound, halfToFloat, unpackBfloat16s, unpackHalves } from '../src/reference/half';
import type { HalfFormat } from '../src/ops/recurrence';
import { LSTM_KERNEL_SETS, expectClose, getEngine, getTunedEngine, rng } from './helpers/gpu';
import { lengthMask, randomProblem, runGpuLstmInference, type LstmProblem } from './helpers/lstm';

const FWD = [1e-5, 1e-6] as const;

function referenceWith(p: LstmProblem, wh: Float64Array) {
  return lstmOutputsRef(lstmForwardRef({ wx: p.wx, wh, b: p.b, In: p.In, H: p.H }, p.x, p.B, p.T, p.mask, p.rmask), p.H);
}

const FORMATS: readonly HalfFormat[] = ['float16', 'bfloat16'];
/** The packed values decoded, and the check that each is what the format's rounding of its f32 allows. */
const decode = (format: HalfFormat, packed: Uint32Array) => (format === 'float16' ? unpackHalves(packed) : unpackBfloat16s(packed));
function allowed(format: HalfFormat, v: number, got: number): boolean {
  if (format === 'bfloat16') return got === bfloat16Round(v);
  const [lo, hi] = halfNeighbours(v);
  return got === lo || got === hi;
}
const rounded = (format: HalfFormat) => (format === 'float16' ? halfRound : bfloat16Round);

/** Counts the engine's steps that pack 16-bit weights. */
function countPacks(engine: Engine): { count: () => number; restore: () => void } {
  const original = engine.beginStep.bind(engine);
  let n = 0;
  engine.beginStep = (o) => {
    if (o.label === 'float16 weights' || o.label === 'bfloat16 weights') n++;
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
    expect(bfloat16Round(1 + 2 ** -8)).toBe(1);
    expect(bfloat16Round(1 + 3 * 2 ** -8)).toBe(1 + 2 ** -6);
    expect(bfloat16Round(-3.3)).toBe(-3.296875);
    expect(bfloat16Round(1e-40)).toBe(2 ** -133); // f32's subnormals: bfloat16 keeps their range, in steps of 2^-133
    expect(Array.from(unpackBfloat16s(new Uint32Array([0xc0003f80])))).toEqual([1, -2]);
  });
});

describe('pack_half', () => {
  for (const format of FORMATS) {
    it(`packs each f32 pair into one u32 of ${format} values, low half first${format === 'float16' ? ', clamped beyond ±65504' : ', rounded to nearest even'}`, async () => {
      const engine = await getEngine();
      await prepareHalfWeights(engine);
      const r = rng(`pack ${format}`);
      const special = [0, -0, 1, -1, 0.1, 1e-7, -3e-5, 2 ** -24, 65504, -65504, 70000, -1e9, 65519, 1 + 2 ** -11, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 1e-39, -3.3e38];
      const values = Float32Array.from([...special, ...Array.from({ length: 2 * 700 - special.length }, () => (r() * 2 - 1) * 10 ** (r() * 8 - 5))]);
      const x = engine.allocate(values.length + 6, 'pack input');
      const out = engine.allocate(values.length / 2 + 3, 'pack output');
      engine.write({ ...x, offset: 6, length: values.length }, values);
      const step = engine.beginStep({ grad: false });
      packHalf(step, { ...x, offset: 6, length: values.length }, { ...out, offset: 3, length: values.length / 2 }, format);
      const read = step.read(out);
      step.submit();
      const packed = new Uint32Array((await read).buffer).subarray(3);
      engine.release(x);
      engine.release(out);
      const got = decode(format, packed);
      values.forEach((v, i) => expect(allowed(format, v, got[i]!), `value ${i} (${v}) packed as ${got[i]}`).toBe(true));
    });
  }
});

describe('LSTM forward with 16-bit recurrent weights', () => {
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
  for (const format of FORMATS) for (const c of cases) for (const k of sets) {
    if (!runs(c, k)) continue;
    it(`${format}: matches float64 with the packed Wh decoded: ${c.name} (${k.label})`, async (ctx) => {
      const wantsSubgroups = typeof k.schedule === 'object' && 'reduction' in k.schedule;
      if (wantsSubgroups && !(await getEngine()).device.features.has('subgroups')) return ctx.skip('this adapter has no `subgroups` feature');
      const engine = await getTunedEngine(k.tuning, k.schedule);
      const p = randomProblem(rng(`half ${c.name}`), c.d, { mask: c.mask, rmaskRate: 0, withSeqGrad: true });
      const gpu = await runGpuLstmInference(engine, p, { half: format });
      const wh16 = decode(format, gpu.whHalf!);
      // Each weight is what the format's rounding of its f32 allows (so the test below compares with the weights the kernel read).
      p.wh.forEach((w, i) => expect(allowed(format, Math.fround(w), wh16[i]!)).toBe(true));
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
    const slice = cpu.allocate(2 * H * H, 'packed');
    const packed = { packed: slice, format: 'float16' as const };
    const w = { wx: store.get('wx'), wh: store.get('wh'), b: store.get('b') };
    const train = cpu.beginStep({ grad: true });
    expect(() => lstm(train, train.output([3, 2, 4], 'x', false), w, { whHalf: packed })).toThrow(/keeps its state for a backward/);
    train.abort();
    const step = cpu.beginStep({ grad: false });
    const x = step.output([3, 2, 4], 'x', false);
    expect(() => lstm(step, x, w, { whHalf: packed, keepState: true })).toThrow(/inspect\(\)/);
    expect(() => lstm(step, x, w, { whHalf: packed, recurrentMask: new Float32Array(2 * H).fill(1) })).toThrow(/recurrent dropout/);
    expect(() => lstm(step, x, { wx: odd.get('wx'), wh: odd.get('wh'), b: odd.get('b') }, { whHalf: { packed: cpu.allocate(72, 'packed 6'), format: 'bfloat16' } })).toThrow(/units \(6\) to divide by 4/);
    expect(() => lstm(step, x, w, { whHalf: { packed: { ...slice, length: 2 * H * H - 2 }, format: 'float16' } })).toThrow(/not 128 at an even offset/);
    step.abort();
    cpu.release(slice);
    store.destroy();
    odd.destroy();
  });
});

describe("predict(x, { weightPrecision: 'float16' | 'bfloat16' })", () => {
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
  for (const format of FORMATS) for (const t of tunings) for (const kind of ['lstm', 'bidirectional'] as const) {
    it(`${format}: equals float32 bit for bit when Wh holds ${format} values, one row and batches (${kind}, ${t.label})`, async () => {
      const engine = await getTunedEngine(t.tuning, t.schedule);
      const model = await build(engine, kind);
      const w = await model.getWeights();
      for (const [name, v] of w) if (name.endsWith('/recurrent_kernel')) w.set(name, Float32Array.from(v, rounded(format)));
      model.setWeights(w);
      const x = ids(37, 1);
      expect(flat(await model.predict(x, { weightPrecision: format }))).toEqual(flat(await model.predict(x)));
      expect(flat(await model.predict([x[3]!], { weightPrecision: format }))).toEqual(flat(await model.predict([x[3]!])));
      model.dispose();
    });
  }

  it('stays within each format\'s rounding of float32, packs once per format and weight change, and again after training', async () => {
    const engine = await getTunedEngine('cpu');
    const model = await build(engine);
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const packs = countPacks(engine);
    try {
      const x = ids(50, 2);
      const close = async () => {
        const a = flat(await model.predict(x));
        for (const [format, tolerance] of [['float16', 2e-3], ['bfloat16', 1e-2]] as const) {
          const b = flat(await model.predict(x, { weightPrecision: format }));
          const diff = Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
          expect(diff).toBeLessThan(tolerance);
          expect(diff).toBeGreaterThan(0); // the 16-bit path ran: its rounding shows
        }
      };
      await close();
      await model.predict(x.slice(0, 5), { weightPrecision: 'float16' });
      await model.predict(x.slice(0, 5), { weightPrecision: 'bfloat16' });
      expect(packs.count()).toBe(2); // once per format
      await model.fit(x, x.map((_, i) => i % 3), { epochs: 1, batchSize: 16 });
      await close();
      expect(packs.count()).toBe(4);
    } finally {
      packs.restore();
      model.dispose();
    }
  });

  it('is refused with the reason for a GRU, for units the cpu tuning cannot read as float16, and for an unknown precision', async () => {
    const cpu = await getTunedEngine('cpu');
    const gru = await sequential([layers.embedding({ inputDim: V, outputDim: 8 }), layers.gru({ units: 8 }), layers.dense({ units: 2, activation: 'softmax' })], { engine: cpu, seed: 1 });
    await expect(gru.predict(ids(3, 3), { weightPrecision: 'bfloat16' })).rejects.toThrow(/LSTM layers only; layer "gru.*" is a GRU/);
    gru.dispose();
    const odd = await sequential([layers.embedding({ inputDim: V, outputDim: 8 }), layers.lstm({ units: 6 }), layers.dense({ units: 2, activation: 'softmax' })], { engine: cpu, seed: 1 });
    await expect(odd.predict(ids(3, 3), { weightPrecision: 'float16' })).rejects.toThrow(/divide by 4; layer "lstm.*" has 6/);
    odd.dispose();
    const model = await build(cpu);
    await expect(model.predict(ids(3, 3), { weightPrecision: 'float64' as never })).rejects.toThrow(/'float32', 'float16' or 'bfloat16'/);
    model.dispose();
  });
});
