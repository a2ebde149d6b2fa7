import { describe, expect, it } from 'vitest';
import { ParameterStore } from '../src/engine/parameters';
import { adamRef, type AdamRefState } from '../src/reference/reference';
import { expectClose, f32, getEngine, randomArray, rng } from './helpers/gpu';

describe('Adam with global-norm clipping (one arena, three dispatches)', () => {
  for (const clipNorm of [0, 0.5]) {
    it(`matches the float64 Keras Adam over 3 steps (clipNorm ${clipNorm})`, async () => {
      const engine = await getEngine();
      const r = rng(`adam-${clipNorm}`);
      // Two parameters with sizes that leave alignment gaps in the arena; the gaps must stay out of the norm.
      const p1 = randomArray(r, 70);
      const p2 = randomArray(r, 5000);
      const store = new ParameterStore(engine, [
        { name: 'p1', shape: [7, 10], init: f32(p1) },
        { name: 'p2', shape: [5000], init: f32(p2) },
      ]);
      let state: AdamRefState = { theta: Float64Array.from([...p1, ...p2]), m: new Float64Array(5070), v: new Float64Array(5070), t: 0 };
      for (let s = 0; s < 3; s++) {
        const g1 = randomArray(r, 70, -0.2, 0.2);
        const g2 = randomArray(r, 5000, -0.2, 0.2);
        engine.write(store.get('p1').grad!, f32(g1));
        engine.write(store.get('p2').grad!, f32(g2));
        const step = engine.beginStep({ grad: true });
        store.adam(step, { learningRate: 0.01, clipNorm });
        step.submit();
        state = adamRef(state, Float64Array.from([...g1, ...g2]), 0.01, 0.9, 0.999, 1e-7, clipNorm);
      }
      const values = await store.read();
      expectClose(values.get('p1')!, state.theta.slice(0, 70), 1e-5, 1e-6, 'p1');
      expectClose(values.get('p2')!, state.theta.slice(70), 1e-5, 1e-6, 'p2');
      const clip = await engine.read(store.clip);
      if (clipNorm > 0) expect(clip[0]).toBeLessThan(1);
      else expect(clip[0]).toBe(1);
      store.destroy();
    });
  }

  it('skips the update when a gradient is NaN, keeping the last good weights, and reports it', async () => {
    const engine = await getEngine();
    const init = f32(randomArray(rng('nan'), 100));
    const store = new ParameterStore(engine, [{ name: 'w', shape: [100], init }]);
    const g = new Float32Array(100).fill(0.1);
    g[37] = NaN;
    engine.write(store.get('w').grad!, g);
    const step = engine.beginStep({ grad: true });
    store.adam(step, { learningRate: 0.1 });
    step.submit();
    expect((await store.read()).get('w')).toEqual(init);
    const clip = await engine.read(store.clip);
    expect(clip[2]).toBe(0);
    store.destroy();
  });

  it('rejects an invalid configuration instead of clamping it', async () => {
    const engine = await getEngine();
    const store = new ParameterStore(engine, [{ name: 'w', shape: [2], init: f32([1, 2]) }]);
    const step = engine.beginStep({ grad: true });
    expect(() => store.adam(step, { learningRate: 0 })).toThrow(/learning rate/);
    expect(() => store.adam(step, { learningRate: 1, clipNorm: -1 })).toThrow(/clipNorm/);
    step.abort();
    store.destroy();
  });
});
