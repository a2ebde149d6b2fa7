/**
 * When a step's readbacks start mapping on a runtime that polls while it waits (Dawn in Node): the plan
 * from the queue and the last measured time of the same kind of step, and how measurements correct it.
 */
import { describe, expect, it } from 'vitest';
import { ReadbackSchedule } from '../src/engine/readback-schedule';
import { getEngine } from './helpers/gpu';

describe('readback schedule', () => {
  it('maps a kind never measured at once, then waits for 85% of its measured time', () => {
    const s = new ReadbackSchedule(0.15);
    const first = s.submitted('train|81', 1000);
    expect(first.waitMs).toBe(0);
    s.finished('train|81', first, 1400); // took 400 ms
    const second = s.submitted('train|81', 2000); // queue idle since 1400
    expect(second.startsAt).toBe(2000);
    expect(second.waitMs).toBeCloseTo(340, 9);
    // Another kind has its own measurement.
    expect(s.submitted('eval|40', 2001).waitMs).toBeGreaterThan(0); // queued behind the train step: waits for it
  });

  it('a step queued behind another starts when that one ends; an early end moves the queue up', () => {
    const s = new ReadbackSchedule(0.15);
    const a0 = s.submitted('k', 0);
    s.finished('k', a0, 100);
    const a = s.submitted('k', 1000); // 1000 … 1100
    const b = s.submitted('k', 1001); // queued: 1100 … 1200
    expect(b.startsAt).toBe(1100);
    expect(b.waitMs).toBeCloseTo(1100 + 85 - 1001, 9);
    s.finished('k', a, 1060); // a ended 40 ms early
    const c = s.submitted('k', 1070); // behind b, which should now end at 1160
    expect(c.startsAt).toBe(1160);
  });

  it('an estimate that is too long shrinks: a mapping that started after the end measures only the wait', () => {
    const s = new ReadbackSchedule(0.15);
    const p0 = s.submitted('k', 0);
    s.finished('k', p0, 1000); // measured 1000 ms while polling
    let now = 5000;
    let wait = 0;
    for (let i = 0; i < 5; i++) {
      const p = s.submitted('k', now);
      wait = p.waitMs;
      // The step really takes 500 ms; the mapping starts after `wait` and resolves at max(wait, 500).
      s.finished('k', p, now + Math.max(wait, 500));
      now += 2000;
    }
    expect(wait).toBeLessThan(500); // mapping starts before the end again
    expect(wait).toBeGreaterThan(400);
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
