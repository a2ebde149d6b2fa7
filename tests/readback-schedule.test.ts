/**
 * When a step's readbacks start mapping on a runtime that polls while it waits (Dawn in Node): the plan
 * from the queue and the last measured time of the same kind of step, and how measurements correct it.
 */
import { describe, expect, it } from 'vitest';
import { ReadbackSchedule } from '../src/engine/readback-schedule';
import { getEngine } from './helpers/gpu';

/** A schedule on a fake clock: `sleep` advances it and records the wait. */
function fake(lead = 0.15) {
  const t = { now: 0, waits: [] as number[] };
  const s = new ReadbackSchedule(lead, () => t.now, async (ms) => {
    t.waits.push(ms);
    t.now += ms;
  });
  return { s, t };
}

describe('readback schedule', () => {
  it('maps a kind never measured at once, then waits for 85% of the time it took', async () => {
    const { s, t } = fake();
    const a = s.submitted('train|81');
    await a.mapWhen;
    expect(t.waits).toEqual([]);
    t.now = 400;
    a.finished(); // took 400
    t.now = 1000;
    const b = s.submitted('train|81');
    await b.mapWhen;
    expect(t.waits).toEqual([340]);
    expect(t.now).toBe(1340);
    // Another kind is measured on its own.
    b.finished();
    const c = s.submitted('eval|40');
    await c.mapWhen;
    expect(t.waits).toEqual([340]);
  });

  it('a step queued behind another waits for it to be seen finished, then for its own time', async () => {
    const { s, t } = fake();
    const m = s.submitted('k');
    await m.mapWhen;
    t.now = 100;
    m.finished(); // k takes 100
    t.now = 1000;
    const a = s.submitted('k');
    t.now = 1001;
    const b = s.submitted('k');
    let bMapped = false;
    void b.mapWhen.then(() => (bMapped = true));
    await a.mapWhen; // 1001 → 1085
    expect(t.now).toBe(1085);
    await Promise.resolve();
    expect(bMapped).toBe(false); // a is not finished yet
    t.now = 1130; // a ran 130 ms
    a.finished();
    await b.mapWhen; // b started at 1130: maps at 1130 + 0.85 · 130
    expect(t.now).toBeCloseTo(1130 + 0.85 * 130, 9);
    b.finished();
  });

  it('an estimate that is too long shrinks: a mapping started after the end measures only the wait', async () => {
    const { s, t } = fake();
    const p0 = s.submitted('k');
    await p0.mapWhen;
    t.now = 1000;
    p0.finished(); // measured 1000 ms while polling
    let wait = 0;
    for (let i = 0; i < 6; i++) {
      t.now += 2000;
      const start = t.now;
      const p = s.submitted('k');
      await p.mapWhen;
      wait = t.now - start;
      // The step really takes 500 ms: the mapping resolves at the later of its start and the step's end.
      t.now = Math.max(t.now, start + 500);
      p.finished();
    }
    expect(wait).toBeLessThan(500); // mapping starts before the end again
    expect(wait).toBeGreaterThan(350);
  });

  it('an engine on Dawn in Node with a software adapter maps readbacks on the schedule, and reads what the GPU wrote', async () => {
    const engine = await getEngine();
    expect(engine.gpu.pollsWhileWaiting).toBe(true);
    expect(engine.readbackSchedule !== null).toBe(engine.gpu.software);
    const slice = engine.allocate(4, 'schedule test');
    for (let i = 0; i < 3; i++) {
      engine.write(slice, Float32Array.of(i, i + 1, i + 2, i + 3));
      expect(Array.from(await engine.read(slice))).toEqual([i, i + 1, i + 2, i + 3]);
    }
    engine.release(slice);
  });
});
