import { describe, expect, it } from 'vitest';
import { Tape } from '../src/engine/tape';
import { ParameterStore } from '../src/engine/parameters';
import { add, backpropFrom } from '../src/ops/elementwise';
import { matmul } from '../src/ops/matmul';
import { softmaxXent } from '../src/ops/softmax-xent';
import { expectClose, f32, getEngine, randomArray, rng } from './helpers/gpu';
import { Leaves } from './helpers/leaf';

describe('tape', () => {
  it('replays closures in reverse order, once', () => {
    const tape = new Tape(true);
    const order: string[] = [];
    tape.record('a', () => order.push('a'));
    tape.record('b', () => order.push('b'));
    tape.record('c', () => order.push('c'));
    expect(tape.opNames).toEqual(['a', 'b', 'c']);
    tape.replay();
    expect(order).toEqual(['c', 'b', 'a']);
    expect(() => tape.replay()).toThrow(/already replayed/);
    expect(() => tape.record('d', () => {})).toThrow(/after the tape was replayed/);
  });

  it('records nothing and allocates no gradients in no-grad mode', async () => {
    const engine = await getEngine();
    const leaves = new Leaves(engine);
    const a = leaves.tensor([4, 3], randomArray(rng(1), 12), 'a');
    const b = leaves.tensor([3, 2], randomArray(rng(2), 6), 'b');
    const step = engine.beginStep({ grad: false });
    const c = matmul(step, a, b);
    const d = add(step, c, c);
    expect(step.tape.length).toBe(0);
    expect(c.grad).toBeNull();
    expect(d.grad).toBeNull();
    expect(() => step.backward()).toThrow(/without gradients/);
    const out = step.read(d.data);
    step.submit();
    expect((await out).length).toBe(8);
    leaves.free();
  });

  it('fan-out through a chain: x used by two branches gets the sum of both gradients', async () => {
    const engine = await getEngine();
    const r = rng('fanout');
    const X = randomArray(r, 6);
    const W = randomArray(r, 6);
    const leaves = new Leaves(engine);
    const x = leaves.tensor([2, 3], X, 'x');
    const w = leaves.tensor([3, 2], W, 'w', false);
    const step = engine.beginStep({ grad: true });
    const y1 = matmul(step, x, w); // [2,2]
    const y2 = add(step, x, x); // [2,3]
    backpropFrom(step, y1, f32([1, 1, 1, 1]));
    backpropFrom(step, y2, f32([1, 1, 1, 1, 1, 1]));
    step.backward();
    const dX = step.read(x.grad!);
    step.submit();
    // d/dx Σ(x·w) = row sums of w (per column of x), d/dx Σ(2x) = 2.
    const rowSumW = [W[0]! + W[1]!, W[2]! + W[3]!, W[4]! + W[5]!];
    expectClose(await dX, [0, 1].flatMap(() => rowSumW.map((s) => s + 2)), 1e-5, 1e-6, 'dX');
    leaves.free();
  });

  it('live GPU bytes stay flat after the first training step (10 steps, one submit each)', async () => {
    const engine = await getEngine();
    const r = rng('flat');
    const params = new ParameterStore(engine, [
      { name: 'w1', shape: [16, 24], init: f32(randomArray(r, 16 * 24, -0.3, 0.3)) },
      { name: 'w2', shape: [24, 3], init: f32(randomArray(r, 24 * 3, -0.3, 0.3)) },
    ]);
    const leaves = new Leaves(engine);
    const x = leaves.tensor([32, 16], randomArray(r, 32 * 16), 'x', false);
    const labels = Uint32Array.from({ length: 32 }, (_, i) => i % 3);
    const allocated: number[] = [];
    const creations: number[] = [];
    const losses: Array<Promise<Float32Array>> = [];
    for (let i = 0; i < 10; i++) {
      // As the training loop does: keep at most two steps in flight, so finished readbacks return their
      // staging buffers to the pool (the step itself never waits).
      if (i >= 2) await losses[i - 2];
      const step = engine.beginStep({ grad: true });
      params.zeroGrads(step);
      const h = matmul(step, x, params.get('w1'));
      const z = matmul(step, h, params.get('w2'));
      const { stats } = softmaxXent(step, z, labels);
      losses.push(step.read(stats));
      step.backward();
      params.adam(step, { learningRate: 0.01 });
      step.submit();
      expect(engine.lastStepDispatches).toBeGreaterThan(5);
      allocated.push(engine.pool.allocatedBytes);
      creations.push(engine.pool.creations);
    }
    const values = await Promise.all(losses);
    // Allocation happens during the first step; afterwards every buffer comes back from the pool.
    expect(new Set(allocated.slice(1)).size).toBe(1);
    expect(new Set(creations.slice(1)).size).toBe(1);
    // and the model learns: the loss falls.
    expect(values[9]![0]!).toBeLessThan(values[0]![0]!);
    params.destroy();
    leaves.free();
  });
});
