/**
 * The scale-out path, made real: train here → exportKeras → Keras 3 trains on with its distribution API
 * (keras.distribution.DataParallel over four devices: on a CPU machine XLA's
 * --xla_force_host_platform_device_count=4 gives JAX four) → saves → loadModel brings it back and
 * predicts what Keras predicts. Runs when Python can import Keras 3 with JAX; reported as skipped, with
 * the reason, when it cannot (tests/python/scale_out.py holds the Python half).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { layers, loadModel, sequential } from '../src/index';
import { expectClose, getEngine, rng } from './helpers/gpu';

const env = { ...process.env, KERAS_BACKEND: 'jax', XLA_FLAGS: '--xla_force_host_platform_device_count=4' };

/** Python with Keras 3 on JAX and four devices, or why not. */
function pythonKerasJax(): string | null {
  const p = spawnSync('python3', ['-c', 'import keras, jax; assert keras.__version__.startswith("3"), keras.__version__; print(len(jax.devices()))'], { encoding: 'utf8', timeout: 120_000, env });
  if (p.error) return `python3 is not available (${p.error.message})`;
  if (p.status !== 0) return `Python cannot import Keras 3 and JAX here (${(p.stderr.trim().split('\n').pop() ?? '').slice(0, 120)})`;
  return Number(p.stdout.trim()) === 4 ? null : `JAX sees ${p.stdout.trim()} devices, not 4`;
}
const why = pythonKerasJax();

describe('scale-out round trip through Keras 3 DataParallel', () => {
  it.skipIf(why !== null)(`train here, train on in Keras over 4 devices, load back: Keras's predictions within 1e-5${why ? ` — skipped: ${why}` : ''}`, async () => {
    const r = rng('scale-out');
    const T = 8;
    const sample = (n: number) => Array.from({ length: n }, (_, i) => {
      const len = 2 + (i % (T - 1));
      return [...Array(T - len).fill(0), ...Array.from({ length: len }, () => 1 + Math.floor(r() * 19))];
    });
    const x = sample(64);
    const y = x.map((row) => (row.filter((v) => v > 10).length > row.filter((v) => v > 0 && v <= 10).length ? 1 : 0));
    const model = await sequential([layers.embedding({ inputDim: 20, outputDim: 6, maskZero: true, inputShape: [T] }), layers.gru({ units: 8 }), layers.dense({ units: 2, activation: 'softmax' })], { seed: 'scale-out', engine: await getEngine() });
    model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: { type: 'adam', learningRate: 0.01 } });
    await model.fit(x, y, { epochs: 2, batchSize: 16 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scale-out-'));
    fs.writeFileSync(path.join(dir, 'here.keras'), await model.exportKeras());
    const probe = sample(8); // divisible by the 4 devices, as every batch Keras shards
    fs.writeFileSync(path.join(dir, 'data.json'), JSON.stringify({ x, y, probe, epochs: 2, ids: true }));
    model.dispose();
    const p = spawnSync('python3', [path.resolve('tests/python/scale_out.py'), path.join(dir, 'here.keras'), path.join(dir, 'data.json'), path.join(dir, 'there.keras'), path.join(dir, 'there.json')], { encoding: 'utf8', timeout: 600_000, env });
    console.log(p.stdout);
    expect(p.stderr.split('\n').filter((l) => /Error|Traceback/.test(l))).toEqual([]);
    expect(p.status).toBe(0);
    const there = JSON.parse(fs.readFileSync(path.join(dir, 'there.json'), 'utf8')) as { devices: number; losses: number[]; probe: number[][] };
    expect(there.devices).toBe(4);
    expect(there.losses.every(Number.isFinite)).toBe(true);
    const back = await loadModel(fs.readFileSync(path.join(dir, 'there.keras')), { engine: await getEngine(), kind: 'layers' });
    expectClose(((await back.predict(probe)) as number[][]).flat(), there.probe.flat(), 0, 1e-5, "predictions vs Keras's after DataParallel training");
    back.dispose();
  }, 900_000);
});
