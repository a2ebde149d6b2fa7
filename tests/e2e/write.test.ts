/**
 * End-to-end: the text-generation demo page (dist/site/write.html) in headless Chromium: the built-in
 * text loads, a short training run shows samples and the loss, and writing from a prompt streams text.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, openTestPage } from './browser';

let page: Page;
let url: string;
let errors: string[];
let close: () => Promise<void>;
const shadow = (sel: string) => page.evaluate((s) => document.querySelector('lstm-writer')?.shadowRoot?.querySelector(s)?.textContent ?? '', sel);

beforeAll(async () => {
  ({ page, url, errors, close } = await openTestPage());
}, 60_000);

afterAll(() => close?.());

describe('text-generation demo page', () => {
  it('loads the built-in text, trains with samples and a loss curve, then writes from a prompt', async () => {
    await page.goto(`${url}site/write.html`);
    await page.waitForFunction(() => /sentences\.txt: [\d,]+ characters, \d+ distinct/.test(document.querySelector('lstm-writer')?.shadowRoot?.querySelector('[data-testid=text-summary]')?.textContent ?? ''), { timeout: 60_000, polling: 100 });
    await page.evaluate(() => Object.assign(document.querySelector('lstm-writer')!, { steps: 6, evalEvery: 3, units: 32, embedDim: 8, seqLen: 16, batchSize: 8 }));
    const samples: string[] = [];
    await page.exposeFunction('onSample', (t: string) => samples.push(t));
    const ended = page.evaluate(() => {
      const el = document.querySelector('lstm-writer')!;
      el.addEventListener('sample', (e) => (window as unknown as { onSample(t: string): void }).onSample((e as CustomEvent).detail.text));
      return new Promise<{ valLoss: number }>((resolve) => el.addEventListener('train-end', (e) => resolve((e as CustomEvent).detail), { once: true }));
    });
    await page.evaluate(() => (document.querySelector('lstm-writer')!.shadowRoot!.querySelector('[data-testid=train]') as HTMLButtonElement).click());
    const end = await ended;
    expect(end.valLoss).toBeGreaterThan(0);
    expect(samples).toHaveLength(2);
    expect(samples.every((s) => [...s].length === 160)).toBe(true);
    expect(await shadow('[data-testid=progress]')).toMatch(/trained: validation [\d.]+ nats\/token \([\d.]+ bits\)/);
    expect(await page.evaluate(() => document.querySelector('lstm-writer')!.shadowRoot!.querySelectorAll('figure svg polyline').length)).toBe(2);
    const written = await page.evaluate(async () => {
      const el = document.querySelector('lstm-writer') as HTMLElement & { write(p: string, n: number): Promise<string> };
      return el.write('The movie', 50);
    });
    expect(written.startsWith('The movie')).toBe(true);
    expect([...written].length).toBe(9 + 50);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'write-trained.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 240_000);

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
    const input = await page.$('lstm-writer >>> input[type=file][accept^=".txt"]');
    await (input as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(binary);
    const message = await events;
    expect(message).toMatch(/^random\.bin does not look like text: \d+% of it is invalid UTF-8 or control characters; a language model needs text/);
    expect(await page.evaluate(() => document.querySelector('lstm-writer')!.shadowRoot!.textContent ?? '')).toContain(message);
    const latin1 = path.join(ARTIFACTS, 'latin1.txt');
    fs.writeFileSync(latin1, Buffer.from('Caf\xe9 cr\xe8me br\xfbl\xe9e, na\xefve fa\xe7ade. '.repeat(40), 'latin1'));
    await (input as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(latin1);
    await page.waitForFunction(() => /latin1\.txt: [\d,]+ characters, \d+ distinct; 240 invalid UTF-8 sequences replaced \(the file looks like/.test(document.querySelector('lstm-writer')?.shadowRoot?.querySelector('[data-testid=text-summary]')?.textContent ?? ''), { timeout: 30_000, polling: 100 });
  }, 120_000);
});
