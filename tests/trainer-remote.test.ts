/**
 * The page ↔ Worker protocol of <lstm-trainer> (trainer-remote.ts), in Node on Dawn: the two ends talk
 * through a real MessageChannel (structured clone and transfers, as with a Worker), the controller
 * runs on its end exactly as it does in the element's Worker.
 */
import { describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import { createEngine } from '../src/ops/create-engine';
import { TrainerController, type TrainerHost } from '../src/component/trainer-controller';
import { RemoteTrainer } from '../src/component/trainer-remote';
import { serveTrainer } from '../src/component/trainer-serve';
import type { TrainerEvents } from '../src/component/trainer-types';
import { readKeras } from '../src/layers/keras-archive';
import { generatedCorpus } from './helpers/corpus';
import { memoryShelf } from './helpers/memory-shelf';

function csvBytes(n: number): Uint8Array {
  const c = generatedCorpus(n, 'remote');
  return new TextEncoder().encode(Papa.unparse(c.texts.map((t, i) => ({ text: t, label: c.labelNames[c.labels[i]!] }))));
}

const SETTINGS = { epochs: 2, batchSize: 32, bucketing: true, patience: 0, config: { vocabSize: 40, embedDim: 8, units: 8, learningRate: 0.02, seed: 7 } };

/** A page end and a worker end joined by a MessageChannel; `log` records the page's events in order. */
function pair(engineFactory: () => ReturnType<typeof createEngine> = () => createEngine()) {
  const { port1, port2 } = new MessageChannel();
  const log: string[] = [];
  let updates = 0;
  const pageHost: TrainerHost = { requestUpdate: () => updates++ };
  const events: TrainerEvents = {
    datasetLoaded: (d) => log.push(`dataset ${d.rows}`),
    epochEnd: (p) => log.push(`epoch ${p.epoch}`),
    trainEnd: (e) => log.push(`end ${e.accuracy.toFixed(3)}`),
    error: (m) => log.push(`error ${m}`),
  };
  let controller: TrainerController | null = null;
  serveTrainer(port2 as unknown as Parameters<typeof serveTrainer>[0], (host, ev) => (controller = new TrainerController(host, ev, engineFactory, memoryShelf())));
  const remote = new RemoteTrainer(port1 as unknown as ConstructorParameters<typeof RemoteTrainer>[0], pageHost, events);
  return {
    remote,
    log,
    updates: () => updates,
    controller: () => controller!,
    close: async () => {
      await remote.close();
      port1.close();
      port2.close();
    },
  };
}

describe('the trainer in another thread', () => {
  it('trains through messages exactly as in one thread: the same weights bitwise, state and events in order', async () => {
    const host = { requestUpdate() {} };
    const local = new TrainerController(host, { datasetLoaded() {}, epochEnd() {}, trainEnd() {}, error() {} }, () => createEngine());
    local.hostConnected();
    await local.ready;
    await local.loadBytes(csvBytes(300), 'data.csv');
    await local.train(SETTINGS);
    const want = (await local.weights())!;
    local.hostDisconnected();

    const p = pair();
    await p.remote.start();
    expect(p.remote.status).toBe('idle');
    expect(p.remote.gpuDescription).toMatch(/tuned kernels/);
    const bytes = csvBytes(300);
    expect(await p.remote.loadBytes(bytes, 'data.csv')).toBe(true);
    expect(bytes.byteLength, 'the file was handed over, not copied').toBe(0);
    // The state arrives before the call's result.
    expect(p.remote.datasetInfo!.rows).toBe(300);
    expect(p.remote.datasetSource).toBe('data.csv');
    await p.remote.train(SETTINGS);
    expect(p.remote.status).toBe('trained');
    expect(p.remote.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(p.remote.batchLosses.length).toBeGreaterThan(2);
    expect(p.remote.evaluation!.report.classes.length).toBe(2);
    expect(p.remote.evaluation, 'only what the page shows crosses over').not.toHaveProperty('probabilities');
    expect(p.remote.modelLabels).toEqual(p.controller().modelLabels);
    expect(p.remote.saved).toHaveLength(1);
    expect(p.log).toEqual(['dataset 300', 'epoch 1', 'epoch 2', `end ${p.remote.evaluation!.accuracy.toFixed(3)}`]);
    expect(p.updates()).toBeGreaterThan(3);
    const got = (await p.remote.weights())!;
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [name, v] of want) expect(got.get(name), name).toEqual(v);

    // Predictions, downloads and exports come back through messages; the page writes the Keras archive.
    await p.remote.predict('the food was good');
    expect(p.remote.prediction!.probabilities).toHaveLength(2);
    expect((await p.remote.saveModel())!.length).toBeGreaterThan(1000);
    const keras = await readKeras((await p.remote.exportKeras())!);
    expect(keras.datasets.size).toBe(want.size);
    const tfjs = (await p.remote.exportTfjs())!;
    expect(JSON.parse(tfjs.modelJson).modelTopology).toBeTruthy();
    await p.close();
  });

  it('errors come back as the sentences they are; Stop reaches a running fit', async () => {
    const p = pair();
    await p.remote.start();
    expect(await p.remote.loadBytes(new TextEncoder().encode('text,label\na,x\nb,x\n'), 'one.csv')).toBe(false);
    expect(p.remote.error).toMatch(/only one class/);
    expect(p.log.at(-1)).toMatch(/^error .*only one class/);
    p.remote.dismissError();
    expect(p.remote.error).toBeNull();
    expect(await p.remote.loadBytes(csvBytes(600), 'data.csv')).toBe(true);
    const run = p.remote.train({ ...SETTINGS, epochs: 50 });
    // Stop once the fit is seen running (three batches in), however long the Worker takes to get there.
    for (let i = 0; i < 6000 && p.remote.batchLosses.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    expect(p.remote.batchLosses.length).toBeGreaterThanOrEqual(3);
    p.remote.stop();
    await run;
    expect(p.remote.status).toBe('stopped');
    expect(p.remote.epochs.length).toBeLessThan(50);
    await expect(p.remote.savedBytes('no-such-id')).resolves.toBeNull();
    expect(p.remote.error).toMatch(/no-such-id|not found|no model/i);
    await p.close();
  });

  it('once the other end is gone, actions answer at once: the reason shown as the error, a neutral result, no rejection', async () => {
    const p = pair();
    await p.remote.start();
    await p.close();
    await expect(p.remote.loadUrl('https://example.invalid/data.csv')).resolves.toBe(false);
    expect(p.remote.error).toMatch(/the trainer was closed/);
    await expect(p.remote.saveModel()).resolves.toBeNull();
    await expect(p.remote.train(SETTINGS)).resolves.toBeUndefined();
    expect(p.log.filter((l) => l.startsWith('error'))).toHaveLength(3);
  });

  it('without a GPU in the other thread, start() says so and its events are held back (the element then trains on the main thread)', async () => {
    const p = pair(() => Promise.reject(new Error('WebGPU is not available in this context')));
    await p.remote.start();
    expect(p.remote.status).toBe('no-webgpu');
    expect(p.remote.error).toMatch(/not available in this context/);
    expect(p.log, 'no error event for a Worker that is replaced').toEqual([]);
    expect(p.updates()).toBe(0);
    await p.close();
  });
});
