import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { DEFAULT_NETWORK, sentimentNetwork, type NetworkConfig } from '../src/sentiment/recipe';
import type { TrainBatch } from '../src/layers/sequential';
import type { LstmSchedule } from '../src/kernels/variants';
import type { Tuning } from '../src/engine/engine';
import { expectClose, getEngine, getTunedEngine } from './helpers/gpu';

/** A generated task: sequences of random ids, pre-padded; label 1 iff token 3 occurs. */
function makeBatch(seed: string, B: number, T: number, V: number): TrainBatch {
  const r = seedrandom(seed);
  const ids = new Uint32Array(B * T);
  const labels = new Uint32Array(B);
  for (let b = 0; b < B; b++) {
    const len = 2 + Math.floor(r() * (T - 1));
    let has = false;
    for (let t = T - len; t < T; t++) {
      const id = 1 + Math.floor(r() * (V - 1));
      ids[b * T + t] = id;
      if (id === 3) has = true;
    }
    labels[b] = has ? 1 : 0;
  }
  return { input: { ids, B, T }, targets: Float64Array.from(labels) };
}

const SMALL: NetworkConfig = { ...DEFAULT_NETWORK, vocabSize: 12, embedDim: 8, units: 10, learningRate: 0.02, seed: 7 };

async function train(cfg: NetworkConfig, steps: number, tuning?: Tuning, schedule: LstmSchedule = 'auto'): Promise<{ params: Map<string, Float32Array>; losses: number[] }> {
  const engine = await (tuning ? getTunedEngine(tuning, schedule) : getEngine());
  const net = sentimentNetwork(engine, cfg);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) losses.push((await net.trainBatch(makeBatch(`b${s % 4}`, 16, 9, cfg.vocabSize))).loss);
  const params = await net.getWeights();
  net.dispose();
  return { params, losses };
}

describe('the sentiment preset\'s network (a layers model)', () => {
  it('the same seed gives bitwise-identical weights after several training steps; another seed does not', async () => {
    const a = await train(SMALL, 5);
    const b = await train(SMALL, 5);
    const c = await train({ ...SMALL, seed: 8 }, 5);
    for (const [name, v] of a.params) expect(b.params.get(name), name).toEqual(v);
    expect(c.params.get('lstm/kernel')).not.toEqual(a.params.get('lstm/kernel'));
    expect(a.losses).toEqual(b.losses);
  });

  // One test per schedule (each compiles an engine of its own: seconds per whole-sequence pipeline on
  // SwiftShader), all against one cpu-tuned run.
  const parityCfg: NetworkConfig = { ...SMALL, units: 20, layers: 2, bidirectional: true, spatialDropout: 0.1, dropout: 0.1, recurrentDropout: 0.1 };
  let cpuRun: ReturnType<typeof train> | null = null;
  for (const schedule of ['timestep', { sequenceRows: 1 }, { sequenceRows: 4 }] as const) {
    it(`cpu- and gpu-tuned kernels (${JSON.stringify(schedule)}) train the same network alike (bidirectional stack, every dropout, masking)`, async () => {
      const a = await (cpuRun ??= train(parityCfg, 4, 'cpu'));
      const b = await train(parityCfg, 4, 'gpu', schedule);
      // Same math, different summation orders in f32: equal to rounding, never bitwise.
      expectClose(b.losses, a.losses, 1e-4, 1e-6, `losses (${JSON.stringify(schedule)})`);
      for (const [name, v] of a.params) expectClose(b.params.get(name)!, v, 1e-3, 1e-5, `${name} (${JSON.stringify(schedule)})`);
    });
  }

  it('the whole-sequence kernels are deterministic: the same seed gives bitwise-identical weights', async () => {
    const cfg: NetworkConfig = { ...SMALL, units: 20, bidirectional: true, dropout: 0.1, recurrentDropout: 0.1 };
    const a = await train(cfg, 3, 'gpu', { sequenceRows: 1 });
    const b = await train(cfg, 3, 'gpu', { sequenceRows: 1 });
    expect(b.losses).toEqual(a.losses);
    for (const [name, v] of a.params) expect(b.params.get(name), name).toEqual(v);
  });

  it('learns a generated task (dropout on, masking on, bidirectional 2-layer stack)', async () => {
    const cfg: NetworkConfig = { ...SMALL, layers: 2, bidirectional: true, spatialDropout: 0.1, dropout: 0.1, recurrentDropout: 0.1 };
    const { losses } = await train(cfg, 60);
    const first = losses.slice(0, 4).reduce((x, y) => x + y) / 4;
    const last = losses.slice(-4).reduce((x, y) => x + y) / 4;
    expect(last).toBeLessThan(first * 0.6);
  });

  it('rejects invalid configurations', async () => {
    const engine = await getEngine();
    expect(() => sentimentNetwork(engine, { ...SMALL, dropout: 1 })).toThrow(/dropout must be in \[0, 1\)/);
    expect(() => sentimentNetwork(engine, { ...SMALL, units: 0 })).toThrow(/units/);
    expect(() => sentimentNetwork(engine, { ...SMALL, numClasses: 1 })).toThrow(/numClasses/);
  });
});
