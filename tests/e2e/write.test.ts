/**
 * End-to-end: the text-generation demo page (dist/site/write.html) in headless Chromium: the built-in
 * text loads with no console error, a short training run in the element's Worker (the page's own thread
 * opens no GPU device and submits nothing) shows the progress, samples and the loss curves, and writing
 * from a prompt streams text, its samples drawn from the seed setting. "One cell's view" colours a text
 * character by character by one unit's h (a span per character, its colour from the value), with units
 * proposed by what they track.
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

  it("one cell's view: a pasted text and the latest sample coloured character by character by a unit's h, for a GRU too", async () => {
    await page.goto(`${url}site/write.html`);
    await page.waitForFunction(() => /sentences\.txt: /.test(document.querySelector('lstm-writer')?.shadowRoot?.querySelector('[data-testid=text-summary]')?.textContent ?? ''), { timeout: 120_000, polling: 100 });
    await page.evaluate(() => Object.assign(document.querySelector('lstm-writer')!, { cell: 'gru', steps: 2, evalEvery: 2, units: 16, embedDim: 8, seqLen: 16, batchSize: 8 }));
    const ended = page.evaluate(() => new Promise((resolve) => document.querySelector('lstm-writer')!.addEventListener('train-end', resolve, { once: true })));
    await page.evaluate(() => (document.querySelector('lstm-writer')!.shadowRoot!.querySelector('[data-testid=train]') as HTMLButtonElement).click());
    await ended;
    const TEXT = 'She said "the movie (a remake) was fine" and left.\nHe said "no".\n';
    // Paste into the box, then Colour.
    await page.evaluate((t) => {
      const area = document.querySelector('lstm-writer')!.shadowRoot!.querySelector('[data-testid=colour-text]') as HTMLTextAreaElement;
      area.value = t;
      area.dispatchEvent(new Event('input'));
    }, TEXT);
    await page.waitForFunction(() => !(document.querySelector('lstm-writer')!.shadowRoot!.querySelector('[data-testid=colour]') as HTMLButtonElement).disabled, { timeout: 10_000, polling: 50 });
    await page.$eval('lstm-writer >>> [data-testid=colour]', (b) => (b as HTMLButtonElement).click());
    await page.waitForFunction(() => !!document.querySelector('lstm-writer')?.shadowRoot?.querySelector('[data-testid=coloured] span'), { timeout: 60_000, polling: 100 });
    /** The coloured text: per span its text, value and background; the unit shown; the picker's proposals. */
    const coloured = () =>
      page.evaluate(() => {
        const root = document.querySelector('lstm-writer')!.shadowRoot!;
        const pre = root.querySelector('[data-testid=coloured]')!;
        const spans = [...pre.querySelectorAll('span')].map((s) => ({ text: s.textContent ?? '', v: Number(s.getAttribute('data-v')), bg: (s as HTMLElement).style.background, title: s.getAttribute('title') ?? '' }));
        const groups = [...root.querySelectorAll('[data-testid=unit-pick] optgroup')].map((g) => ({ label: g.getAttribute('label'), units: [...g.querySelectorAll('option')].map((o) => Number(o.value)) }));
        return { unit: Number(pre.getAttribute('data-unit')), spans, groups, summary: root.querySelector('[data-testid=colour-summary]')?.textContent?.replace(/\s+/g, ' ') ?? '' };
      });
    /**
     * The colour must come from the value (GRU h is in (−1, 1): the scale is 1): red for +, blue for −, alpha |v|.
     * The browser reads the style back in its own spelling, its alpha stored in 8 bits (within 1/255).
     */
    const fromValue = (bg: string, v: number) => {
      const m = /^rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)$/.exec(bg);
      expect(m, bg).not.toBeNull();
      expect(m!.slice(1, 4).map(Number)).toEqual(v >= 0 ? [220, 38, 38] : [37, 99, 235]);
      expect(Math.abs(Number(m![4] ?? 1) - Math.min(1, Math.abs(v)))).toBeLessThanOrEqual(1 / 255 + 1e-6);
    };
    const first = await coloured();
    // A span per character, the text intact, each coloured from its value.
    expect(first.spans.map((s) => s.text)).toEqual([...TEXT]);
    for (const s of first.spans) {
      expect(Number.isFinite(s.v)).toBe(true);
      expect(Math.abs(s.v)).toBeLessThan(1);
      fromValue(s.bg, s.v);
      expect(s.title).toBe(`unit ${first.unit}: h = ${s.v.toFixed(3)}`);
    }
    expect(new Set(first.spans.map((s) => s.v)).size, 'the unit moves along the text').toBeGreaterThan(1);
    expect(first.summary).toMatch(new RegExp(`gru \\(GRU\\) unit ${first.unit} over ${[...TEXT].length} tokens`));
    // The picker proposes units per criterion: this text has quotes, brackets, lines and spaces.
    expect(first.groups.map((g) => g.label)).toEqual(['varies most', 'tracks the position in the line', 'is on inside quotes', 'is on inside brackets', 'fires after a space']);
    expect(first.groups.every((g) => g.units.length === 3 && g.units.every((u) => u >= 0 && u < 16))).toBe(true);
    expect(first.unit).toBe(first.groups[0]!.units[0]);
    // Another unit from the picker: the same characters, that unit's values.
    const other = first.groups.flatMap((g) => g.units).find((u) => u !== first.unit)!;
    await page.$eval('lstm-writer >>> [data-testid=unit-pick]', (sel, u) => {
      (sel as HTMLSelectElement).value = String(u);
      sel.dispatchEvent(new Event('change'));
    }, other);
    await page.waitForFunction((u) => document.querySelector('lstm-writer')!.shadowRoot!.querySelector('[data-testid=coloured]')!.getAttribute('data-unit') === String(u), { timeout: 10_000, polling: 50 }, other);
    const second = await coloured();
    expect(second.spans.map((s) => s.text)).toEqual([...TEXT]);
    expect(second.spans.map((s) => s.v)).not.toEqual(first.spans.map((s) => s.v));
    for (const s of second.spans) fromValue(s.bg, s.v);
    // The latest sample (160 characters), then a long text: only its first 400 characters are read, and the page says so.
    await page.$eval('lstm-writer >>> [data-testid=colour-latest]', (b) => (b as HTMLButtonElement).click());
    await page.waitForFunction(() => document.querySelector('lstm-writer')!.shadowRoot!.querySelectorAll('[data-testid=coloured] span').length === 160, { timeout: 60_000, polling: 100 });
    const sample = await coloured();
    expect(sample.spans.map((s) => s.text).join('')).toBe(await shadow('[data-testid=samples] pre'));
    const long = 'abc def "ghi" (jkl)\n'.repeat(30);
    const cut = await page.evaluate((t) => (document.querySelector('lstm-writer') as unknown as { colour(t: string): Promise<{ tokens: string[]; cut: boolean; characters: number } | null> }).colour(t).then((a) => a && { tokens: a.tokens.length, cut: a.cut, characters: a.characters }), long);
    expect(cut).toEqual({ tokens: 400, cut: true, characters: 600 });
    await page.waitForFunction(() => document.querySelector('lstm-writer')!.shadowRoot!.querySelectorAll('[data-testid=coloured] span').length === 400, { timeout: 60_000, polling: 100 });
    expect((await coloured()).summary).toMatch(/The text has 600 characters: the first 400 were read/);
    expect(await pageGpu(page)).toEqual({ devices: 0, submits: 0 });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const panel = await page.$('lstm-writer >>> [data-testid=cell-view]');
    await panel!.screenshot({ path: path.join(ARTIFACTS, 'write-cell-view.png') });
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
