/**
 * The demo keeps its models in the browser (IndexedDB): train one epoch, reload the page, resume to two
 * epochs, and the weights equal two epochs trained in one go, bitwise. Also: the Keras 3 export runs in
 * the page (its HDF5 library loads as a chunk of its own).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer';
import { openTestPage } from './browser';

let page: Page;
let siteUrl = '';
let errors: string[] = [];
let close: () => Promise<void>;

beforeAll(async () => {
  const t = await openTestPage();
  page = t.page;
  siteUrl = `${t.url}site/`;
  errors = t.errors;
  close = t.close;
}, 60_000);

afterAll(async () => {
  await close?.();
});

const shadowText = (sel: string) => page.$eval(`lstm-trainer >>> ${sel}`, (el) => (el.textContent ?? '').replace(/\s+/g, ' ').trim());

async function waitFor(fn: () => boolean, timeout: number): Promise<void> {
  await page.waitForFunction(fn, { timeout, polling: 200 });
}

type TrainerHandle = { controller: { status: string; saved: Array<{ epoch: number; epochs: number; finished: boolean }>; weights(): Promise<Map<string, Float32Array> | null>; exportKeras(): Promise<Uint8Array | null> } };

/** Open the demo with the built-in data and a small, quick configuration (no early stopping). */
async function openDemo(epochs: number): Promise<void> {
  await page.goto(siteUrl);
  await waitFor(() => /3000 rows/.test(document.querySelector('lstm-trainer')?.shadowRoot?.querySelector('[data-testid=dataset-summary]')?.textContent ?? ''), 120_000);
  await page.evaluate((n) => {
    const el = document.querySelector('lstm-trainer') as unknown as Record<string, unknown>;
    Object.assign(el, { epochs: n, units: 16, embedDim: 16, maxLen: 30, earlyStopping: 0 });
  }, epochs);
}

const trained = () => (document.querySelector('lstm-trainer') as unknown as TrainerHandle).controller.status === 'trained';

/** A digest of every weight (exact: the float bits, in name order). */
const weightsDigest = () =>
  page.evaluate(async () => {
    const w = await (document.querySelector('lstm-trainer') as unknown as TrainerHandle).controller.weights();
    if (!w) throw new Error('no model');
    const names = [...w.keys()].sort();
    let h = 0x811c9dc5;
    for (const n of names) {
      const bytes = new Uint8Array(w.get(n)!.buffer.slice(0));
      for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
    }
    return `${names.length} tensors, fnv ${h.toString(16)}`;
  });

const clearStorage = () => page.evaluate(() => new Promise<void>((resolve, reject) => {
  const r = indexedDB.deleteDatabase('webgpu-lstm');
  r.onsuccess = () => resolve();
  r.onerror = () => reject(r.error);
  r.onblocked = () => resolve();
}));

describe('models kept in the browser', () => {
  it('train 1 epoch, reload, resume to 2: the same weights as 2 epochs in one go', async () => {
    await page.goto(siteUrl);
    await clearStorage();
    await openDemo(2);
    await (await page.$('lstm-trainer >>> [data-testid=train]'))!.click();
    await waitFor(trained, 300_000);
    const straight = await weightsDigest();

    await clearStorage();
    await openDemo(1);
    expect(await page.$$('lstm-trainer >>> [data-testid=saved-model]')).toHaveLength(0);
    await (await page.$('lstm-trainer >>> [data-testid=train]'))!.click();
    await waitFor(trained, 300_000);
    await waitFor(() => (document.querySelector('lstm-trainer') as unknown as TrainerHandle).controller.saved.some((m) => m.finished), 30_000);
    expect(await shadowText('[data-testid=saved-model]')).toMatch(/sentences\.zip · LSTM 16 .* epoch 1\/1 · test accuracy 0\.\d+/);
    const oneEpoch = await weightsDigest();
    expect(oneEpoch).toMatch(/^[1-9]\d* tensors/);
    expect(oneEpoch).not.toBe(straight);

    await page.reload();
    await openDemo(2);
    await waitFor(() => document.querySelector('lstm-trainer')?.shadowRoot?.querySelectorAll('[data-testid=saved-model]').length === 1, 30_000);
    expect(await shadowText('[data-testid=saved-model]')).toMatch(/epoch 1\/1/);
    await (await page.$('lstm-trainer >>> [data-testid=saved-resume]'))!.click();
    await waitFor(() => (document.querySelector('lstm-trainer') as unknown as TrainerHandle).controller.status === 'training', 30_000);
    await waitFor(trained, 300_000);
    await waitFor(() => (document.querySelector('lstm-trainer') as unknown as TrainerHandle).controller.saved.some((m) => m.epoch === 2 && m.finished), 30_000);
    expect(await weightsDigest()).toBe(straight);
    expect(await shadowText('[data-testid=saved-model]')).toMatch(/epoch 2\/2/);

    // Delete empties the list (and the storage: it stays empty after a reload).
    await (await page.$('lstm-trainer >>> [data-testid=saved-delete]'))!.click();
    await waitFor(() => document.querySelector('lstm-trainer')?.shadowRoot?.querySelectorAll('[data-testid=saved-model]').length === 0, 30_000);
    await page.reload();
    await openDemo(2);
    // The storage itself, read in the reloaded page (database "webgpu-lstm", store "models"), not the
    // list on screen, which is empty before the shelf is read as well as after.
    const stored = await page.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const r = indexedDB.open('webgpu-lstm', 1);
          r.onerror = () => reject(r.error);
          r.onsuccess = () => {
            const count = r.result.transaction('models', 'readonly').objectStore('models').count();
            count.onsuccess = () => resolve(count.result);
            count.onerror = () => reject(count.error);
          };
        }),
    );
    expect(stored).toBe(0);
    expect(await page.$$('lstm-trainer >>> [data-testid=saved-model]')).toHaveLength(0);
    expect(errors).toEqual([]);
  });

  it('exports the trained model to Keras 3 in the page (the HDF5 library loads on demand)', async () => {
    await openDemo(1);
    await (await page.$('lstm-trainer >>> [data-testid=train]'))!.click();
    await waitFor(trained, 300_000);
    const r = await page.evaluate(async () => {
      const bytes = await (document.querySelector('lstm-trainer') as unknown as TrainerHandle).controller.exportKeras();
      if (!bytes) return null;
      const text = new TextDecoder('latin1').decode(bytes);
      return { zip: text.startsWith('PK'), names: ['config.json', 'metadata.json', 'model.weights.h5'].filter((n) => text.includes(n)), size: bytes.length };
    });
    expect(r).not.toBeNull();
    expect(r!.zip).toBe(true);
    expect(r!.names).toEqual(['config.json', 'metadata.json', 'model.weights.h5']);
    expect(r!.size).toBeGreaterThan(10_000);
    expect(errors).toEqual([]);
  });
});
