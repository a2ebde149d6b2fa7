/**
 * End-to-end: the "Inside" page (dist/site/inside.html) in headless Chromium. The built-in sentiment
 * model trains for one short epoch in the element's Worker; a sentence typed in the try-it box shows
 * "Inside the model" (open by default on this page): a heatmap per view (the LSTM's forget, input and
 * output gates and its cell state) with one column per word the model read and finite values, gates in
 * [0, 1], units ordered by their push toward the prediction; "show all" and a unit's chart work; the
 * page's own thread opened no GPU device (the Worker did the work). A screenshot goes to tests/artifacts/.
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

beforeAll(async () => {
  ({ page, url, errors, close } = await openTestPage());
  await page.setViewport({ width: 1300, height: 1800 });
  await countPageGpu(page);
}, 60_000);

afterAll(() => close?.());

const SENTENCE = 'the food was great but the service was slow';

interface MapSeen {
  name: string;
  words: string[];
  rows: number;
  cellsPerRow: number[];
  values: number[];
  units: number[];
  pushes: number[];
  firstTitle: string;
  caption: string;
}

/** What the inside section shows: the saliency's words (read or not) and every heatmap. */
const seen = () =>
  page.evaluate(() => {
    const root = document.querySelector('lstm-trainer')!.shadowRoot!;
    const saliency = [...root.querySelectorAll('[data-testid=saliency] span')].map((s) => ({ word: s.textContent ?? '', read: !s.classList.contains('oov') }));
    const maps = [...root.querySelectorAll('[data-testid=inside-map]')].map((f) => ({
      name: f.getAttribute('data-name') ?? '',
      words: [...f.querySelectorAll('thead th.word')].map((th) => th.textContent?.trim() ?? ''),
      rows: f.querySelectorAll('tbody tr').length,
      cellsPerRow: [...f.querySelectorAll('tbody tr')].map((tr) => tr.querySelectorAll('td').length),
      values: [...f.querySelectorAll('tbody td')].map((td) => Number(td.getAttribute('data-v'))),
      units: [...f.querySelectorAll('button.unit')].map((b) => Number(b.getAttribute('data-unit'))),
      pushes: [...f.querySelectorAll('button.unit')].map((b) => Number(/push toward the predicted class (\S+)/.exec(b.getAttribute('title') ?? '')?.[1])),
      firstTitle: f.querySelector('tbody td')?.getAttribute('title') ?? '',
      caption: f.querySelector('.caption')?.textContent ?? '',
    }));
    return { saliency, maps, open: (root.querySelector('[data-testid=inside]') as HTMLDetailsElement | null)?.open ?? false };
  }) as Promise<{ saliency: Array<{ word: string; read: boolean }>; maps: MapSeen[]; open: boolean }>;

describe('the Inside page', () => {
  it('trains in its Worker, then shows the gates and the cell state of a typed sentence, word by word', async () => {
    await page.goto(`${url}site/inside.html`);
    expect(await page.$$eval('nav.site-nav a', (as) => as.map((a) => [a.textContent, a.getAttribute('aria-current')]))).toContainEqual(['Inside', 'page']);
    await page.waitForFunction(() => /3000 rows/.test(document.querySelector('lstm-trainer')?.shadowRoot?.querySelector('[data-testid=dataset-summary]')?.textContent ?? ''), { timeout: 120_000, polling: 100 });
    await page.waitForFunction(() => /training in a Worker/.test(document.querySelector('lstm-trainer')?.shadowRoot?.querySelector('[data-testid=gpu]')?.textContent ?? ''), { timeout: 30_000 });
    // 20 units: more than the 16 shown at first, so "show all" has something to show.
    await page.evaluate(() => Object.assign(document.querySelector('lstm-trainer')!, { epochs: 1, units: 20, embedDim: 8, maxLen: 30, earlyStopping: 0 }));
    await page.$eval('lstm-trainer >>> [data-testid=train]', (b) => (b as HTMLButtonElement).click());
    await page.waitForFunction(() => !!document.querySelector('lstm-trainer')?.shadowRoot?.querySelector('[data-testid=accuracy]'), { timeout: 240_000, polling: 500 });

    const input = await page.$('lstm-trainer >>> [data-testid=try]');
    await input!.type(SENTENCE);
    // Wait until the heatmaps show the whole sentence (each keystroke asks again; the last answer wins).
    await page.waitForFunction(
      (n) => {
        const root = document.querySelector('lstm-trainer')!.shadowRoot!;
        const words = [...root.querySelectorAll('[data-testid=saliency] span')].map((s) => s.textContent);
        const cols = root.querySelectorAll('[data-testid=inside-map] thead th.word').length;
        return words.length === n && cols > 0 && root.querySelectorAll('[data-testid=inside-map]').length === 4 && cols === 4 * root.querySelectorAll('[data-testid=saliency] span:not(.oov)').length;
      },
      { timeout: 60_000, polling: 100 },
      SENTENCE.split(' ').length,
    );
    const s = await seen();
    expect(s.open, 'the section is open by default on this page').toBe(true);
    expect(s.saliency.map((w) => w.word)).toEqual(SENTENCE.split(' '));
    const read = s.saliency.filter((w) => w.read).map((w) => w.word);
    expect(read.length).toBeGreaterThan(5);
    expect(s.maps.map((m) => m.name)).toEqual(['f', 'i', 'o', 'c']);
    for (const m of s.maps) {
      // One column per word in the sequence, in order; the top 16 of 20 units.
      expect(m.words).toEqual(read);
      expect(m.rows).toBe(16);
      expect(m.cellsPerRow.every((n) => n === read.length)).toBe(true);
      expect(m.values).toHaveLength(16 * read.length);
      expect(m.values.every(Number.isFinite)).toBe(true);
      if (m.name !== 'c') expect(m.values.every((v) => v >= 0 && v <= 1), `${m.name} is a gate`).toBe(true);
      expect(m.firstTitle).toMatch(new RegExp(`^unit \\d+ · “${read[0]}” · ${m.name} = -?[\\d.e+-]+$`));
      expect(m.caption.length).toBeGreaterThan(40);
      // Strongest push toward the prediction first.
      const push = m.pushes.map(Math.abs);
      expect(push.every(Number.isFinite)).toBe(true);
      for (let k = 1; k < push.length; k++) expect(push[k]).toBeLessThanOrEqual(push[k - 1]!);
    }
    // The cell state is not a gate: it takes both signs or at least varies across the words.
    const c = s.maps[3]!.values;
    expect(Math.max(...c) - Math.min(...c)).toBeGreaterThan(0);
    // The captions name words of this sentence.
    expect(read.some((w) => s.maps[0]!.caption.includes(`“${w}”`))).toBe(true);

    // Show all units, then click one: its c and h across the words.
    await page.$eval('lstm-trainer >>> [data-testid=inside-all]', (b) => (b as HTMLButtonElement).click());
    await page.waitForFunction(() => document.querySelector('lstm-trainer')!.shadowRoot!.querySelector('[data-testid=inside-map] tbody')!.querySelectorAll('tr').length === 20, { timeout: 10_000, polling: 50 });
    const all = await seen();
    expect(new Set(all.maps[0]!.units).size).toBe(20);
    const unit = all.maps[0]!.units[0]!;
    await page.$eval(`lstm-trainer >>> [data-testid=inside-map] button.unit[data-unit="${unit}"]`, (b) => (b as HTMLButtonElement).click());
    await page.waitForFunction(() => !!document.querySelector('lstm-trainer')!.shadowRoot!.querySelector('[data-testid=inside-unit] svg'), { timeout: 10_000, polling: 50 });
    const chart = await page.$eval('lstm-trainer >>> [data-testid=inside-unit]', (d) => ({
      unit: Number(d.getAttribute('data-unit')),
      label: d.querySelector('svg')?.getAttribute('aria-label') ?? '',
      lines: [...d.querySelectorAll('polyline')].map((p) => p.getAttribute('points')!.trim().split(' ').length),
    }));
    expect(chart.unit).toBe(unit);
    expect(chart.label).toBe(`Unit ${unit}: c and h across the words`);
    expect(chart.lines).toEqual([read.length, read.length]);

    // The Worker did the GPU work: the page's own thread opened no device and submitted nothing.
    expect(await pageGpu(page)).toEqual({ devices: 0, submits: 0 });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const panel = await page.$('lstm-trainer >>> [data-testid=inside]');
    await panel!.screenshot({ path: path.join(ARTIFACTS, 'inside-heatmaps.png') });
    await page.screenshot({ path: path.join(ARTIFACTS, 'inside-page.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 360_000);
});
