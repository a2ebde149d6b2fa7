/**
 * End-to-end: the text-generation demo page (dist/site/write.html) in headless Chromium: the built-in
 * text loads with no console error, a short training run in the element's Worker (the page's own thread
 * opens no GPU device and submits nothing) shows the progress, samples and the loss curves, and writing
 * from a prompt streams text, its samples drawn from the seed setting.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, countPageGpu, openTestPage, pageGpu } from './browser';

let page: Page;
let url: string;
let errors: string[];
let close: () => Promise<void>;
const shadow = (sel: string) => page.evaluate((s) => (document.querySelector('lstm-writer')?.shadowRoot?.querySelector(s)?.textContent ?? '').trim(), sel);

beforeAll(async () => {
  ({ page, url, errors, close } = await openTestPage());
  await page.setViewport({ width: 1200, height: 1400 });
  await countPageGpu(page);
}, 60_000);

type Writer = HTMLElement & { write(p: string, n: number): Promise<string>; seed: number };

afterAll(() => close?.());

describe('text-generation demo page', () => {
  it('loads the built-in text, trains in its Worker with the progress, samples and the loss curves, then writes from a prompt', async () => {
    await page.goto(`${url}site/write.html`);
    expect(await page.$$eval('nav.site-nav a', (as) => as.map((a) => [a.textContent, a.getAttribute('aria-current')]))).toContainEqual(['Write', 'page']);
    await page.waitForFunction(() => /sentences\.txt: [\d,]+ characters, \d+ distinct/.test(document.querySelector('lstm-writer')?.shadowRoot?.querySelector('[data-testid=text-summary]')?.textContent ?? ''), { timeout: 120_000, polling: 100 });
    expect(await shadow('[data-testid=gpu]')).toMatch(/training in a Worker/);
    await page.evaluate(() => Object.assign(document.querySelector('lstm-writer')!, { steps: 6, evalEvery: 3, units: 32, embedDim: 8, seqLen: 16, batchSize: 8 }));
    const samples: string[] = [];
    await page.exposeFunction('onSample', (t: string) => samples.push(t));
    const ended = page.evaluate(() => {
      const el = document.querySelector('lstm-writer')!;
      el.addEventListener('sample', (e) => (window as unknown as { onSample(t: string): void }).onSample((e as CustomEvent).detail.text));
      return new Promise<{ valLoss: number }>((resolve) => el.addEventListener('train-end', (e) => resolve((e as CustomEvent).detail), { once: true }));
    });
    await page.evaluate(() => (document.querySelector('lstm-writer')!.shadowRoot!.querySelector('[data-testid=train]') as HTMLButtonElement).click());
    // The shared progress bar while training, counting steps.
    await page.waitForFunction(() => !!document.querySelector('lstm-writer')?.shadowRoot?.querySelector('[data-testid=progress] progress'), { timeout: 120_000, polling: 50 });
    expect(await shadow('[data-testid=progress]')).toMatch(/step \d of 6 · loss [\d.]+ · \d+ seq\/s · ETA/);
    const end = await ended;
    expect(end.valLoss).toBeGreaterThan(0);
    expect(samples).toHaveLength(2);
    expect(samples.every((s) => [...s].length === 160)).toBe(true);
    expect(await shadow('[data-testid=progress]')).toMatch(/trained: validation [\d.]+ nats\/token \([\d.]+ bits\)/);
    // The loss curves: the running batch loss (6 steps), and per validation interval the training and validation loss (2 each).
    const loss = await page.$eval('lstm-writer >>> svg[aria-label^="Loss"]', (s) => [...s.querySelectorAll('polyline')].map((p) => p.getAttribute('points')!.trim().split(' ').length));
    expect(loss).toEqual([6, 2, 2]);
    const write = (prompt: string, n: number) => page.evaluate((p, k) => (document.querySelector('lstm-writer') as unknown as Writer).write(p, k), prompt, n);
    const written = await write('The movie', 50);
    expect(written.startsWith('The movie')).toBe(true);
    expect([...written].length).toBe(9 + 50);
    expect(await shadow('[data-testid=written]')).toBe(written);
    // Each Write draws from (seed, n): a second one differs from the first.
    const again = await write('The movie', 50);
    expect([...again].length).toBe(59);
    expect(again).not.toBe(written);
    // The Worker did the GPU work: the page's own thread opened no device and submitted nothing.
    expect(await pageGpu(page)).toEqual({ devices: 0, submits: 0 });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'write-trained.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 300_000);

  it('the samples come from the seed setting: the same seed writes the same texts on a new page, another seed other texts', async () => {
    const run = async (seed: number) => {
      await page.goto(`${url}site/write.html`);
      await page.waitForFunction(() => /sentences\.txt: /.test(document.querySelector('lstm-writer')?.shadowRoot?.querySelector('[data-testid=text-summary]')?.textContent ?? ''), { timeout: 120_000, polling: 100 });
      await page.evaluate((s) => Object.assign(document.querySelector('lstm-writer')!, { steps: 2, evalEvery: 2, units: 16, embedDim: 8, seqLen: 16, batchSize: 8, seed: s }), seed);
      const ended = page.evaluate(() => new Promise((resolve) => document.querySelector('lstm-writer')!.addEventListener('train-end', resolve, { once: true })));
      await page.evaluate(() => (document.querySelector('lstm-writer')!.shadowRoot!.querySelector('[data-testid=train]') as HTMLButtonElement).click());
      await ended;
      const sample = await shadow('[data-testid=samples] pre');
      const first = await page.evaluate(() => (document.querySelector('lstm-writer') as unknown as Writer).write('a', 40));
      return { sample, first };
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(a.sample.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
    expect(c.first).not.toBe(a.first);
    expect(errors).toEqual([]);
  }, 300_000);

  it('a file that is mostly not text is refused with the share found (the error shown and sent as an event); a Latin-1 file loads, its invalid bytes counted', async () => {
    await page.goto(`${url}site/write.html`);
    await page.waitForFunction(() => /sentences\.txt: /.test(document.querySelector('lstm-writer')?.shadowRoot?.querySelector('[data-testid=text-summary]')?.textContent ?? ''), { timeout: 60_000, polling: 100 });
    const events = page.evaluate(() => {
      const el = document.querySelector('lstm-writer')!;
      return new Promise<string>((resolve) => el.addEventListener('error', (e) => resolve((e as unknown as CustomEvent).detail.message), { once: true }));
    });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const binary = path.join(ARTIFACTS, 'random.bin');
    let x = 12345;
    fs.writeFileSync(binary, Uint8Array.from({ length: 50_000 }, () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 24)));
    // The shared file control: its native input is hidden inside the styled button.
    const input = await page.$('lstm-writer >>> .drop input[type=file][accept^=".txt"]');
    await (input as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(binary);
    const message = await events;
    expect(message).toMatch(/^random\.bin does not look like text: \d+% of it is invalid UTF-8 or control characters; a language model needs text/);
    expect(await shadow('[data-testid=error]')).toContain(message);
    expect(await shadow('[data-testid=text-summary]'), 'the loaded text stays').toMatch(/^sentences\.txt: /);
    const latin1 = path.join(ARTIFACTS, 'latin1.txt');
    fs.writeFileSync(latin1, Buffer.from('Caf\xe9 cr\xe8me br\xfbl\xe9e, na\xefve fa\xe7ade. '.repeat(40), 'latin1'));
    await (input as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(latin1);
    await page.waitForFunction(() => /latin1\.txt: [\d,]+ characters, \d+ distinct; 240 invalid UTF-8 sequences replaced \(the file looks like/.test(document.querySelector('lstm-writer')?.shadowRoot?.querySelector('[data-testid=text-summary]')?.textContent ?? ''), { timeout: 30_000, polling: 100 });
  }, 120_000);
});
