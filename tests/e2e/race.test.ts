/**
 * End-to-end: the long-term-dependency page (dist/site/long-term.html) in headless Chromium. It loads
 * with no console error and "Long-term" marked in the navigation; the gap slider sets the race's gap; a
 * short race trains a SimpleRNN, a GRU and an LSTM in the element's Worker (the page's own thread opens
 * no GPU device and submits nothing) and draws three curves of finite test accuracies beside the chance
 * line, the same again for the same seed; a sweep with a tiny step budget fills its table and its chart
 * for the gaps 5, 10, 20, 50 and 100; Stop ends a race early. SwiftShader is slow: every run here is a
 * few steps of small models.
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

const shadowText = (sel: string) => page.evaluate((s) => (document.querySelector('lstm-race')?.shadowRoot?.querySelector(s)?.textContent ?? '').replace(/\s+/g, ' ').trim(), sel);
const click = (testid: string) => page.evaluate((t) => (document.querySelector('lstm-race')!.shadowRoot!.querySelector(`[data-testid=${t}]`) as HTMLButtonElement).click(), testid);

interface Point {
  cell: string;
  step: number;
  accuracy: number;
  loss: number;
  gap: number;
}

/** Click Start and collect every race-point until race-end; the race-end detail. */
async function raceOnce(): Promise<{ points: Point[]; end: { gap: number; chance: number; accuracy: Record<string, number>; stopped: boolean } }> {
  await page.waitForFunction(() => !(document.querySelector('lstm-race')?.shadowRoot?.querySelector('[data-testid=start]') as HTMLButtonElement | null)?.disabled, { timeout: 60_000, polling: 100 });
  const done = page.evaluate(
    () =>
      new Promise<{ points: Point[]; end: never }>((resolve) => {
        const el = document.querySelector('lstm-race')!;
        const points: Point[] = [];
        const onPoint = (e: Event) => points.push((e as CustomEvent).detail);
        el.addEventListener('race-point', onPoint);
        el.addEventListener(
          'race-end',
          (e) => {
            el.removeEventListener('race-point', onPoint);
            resolve({ points, end: (e as CustomEvent).detail as never });
          },
          { once: true },
        );
      }),
  );
  await click('start');
  return done;
}

beforeAll(async () => {
  ({ page, url, errors, close } = await openTestPage());
  await page.setViewport({ width: 1200, height: 1400 });
  await countPageGpu(page);
}, 60_000);

afterAll(() => close?.());

describe('long-term dependency page', () => {
  it('races a SimpleRNN, a GRU and an LSTM in its Worker: three curves of finite test accuracies beside chance, the same for the same seed', async () => {
    await page.goto(`${url}site/long-term.html`);
    expect(await page.$$eval('nav.site-nav a', (as) => as.map((a) => [a.textContent, a.getAttribute('aria-current')]))).toContainEqual(['Long-term', 'page']);
    await page.waitForFunction(() => /training in a Worker/.test(document.querySelector('lstm-race')?.shadowRoot?.querySelector('[data-testid=gpu]')?.textContent ?? ''), { timeout: 120_000, polling: 100 });
    expect(await shadowText('[data-testid=caption]')).toMatch(/then 20 random filler tokens.*France.*French.*chance \(1 in 4\)/);

    // The gap slider sets the gap the race trains at (and the caption says it).
    await page.$eval('lstm-race >>> [data-testid=gap]', (i) => {
      (i as HTMLInputElement).value = '6';
      i.dispatchEvent(new Event('input'));
    });
    expect(await page.evaluate(() => (document.querySelector('lstm-race') as unknown as { gap: number }).gap)).toBe(6);
    expect(await shadowText('[data-testid=caption]')).toMatch(/then 6 random filler tokens/);

    await page.evaluate(() => Object.assign(document.querySelector('lstm-race')!, { steps: 6, evalEvery: 2, units: 8, samples: 256, testSamples: 64 }));
    const first = await raceOnce();
    expect(first.end.gap).toBe(6);
    expect(first.end.chance).toBe(0.25);
    expect(first.end.stopped).toBe(false);
    // A point per cell at steps 2, 4 and 6, cells in turn; every accuracy a finite fraction.
    expect(first.points.map((p) => `${p.cell}@${p.step}`)).toEqual(['rnn@2', 'gru@2', 'lstm@2', 'rnn@4', 'gru@4', 'lstm@4', 'rnn@6', 'gru@6', 'lstm@6']);
    for (const p of first.points) {
      expect(p.gap).toBe(6);
      expect(Number.isFinite(p.accuracy) && p.accuracy >= 0 && p.accuracy <= 1, `${p.cell}@${p.step}: ${p.accuracy}`).toBe(true);
      expect(Number.isFinite(p.loss)).toBe(true);
    }
    expect(Object.keys(first.end.accuracy).sort()).toEqual(['gru', 'lstm', 'rnn']);

    // The chart: three curves of three points each, and the chance line; the legend names them.
    const chart = await page.$eval('lstm-race >>> [data-testid=race-chart]', (d) => ({
      lines: [...d.querySelectorAll('polyline')].map((p) => p.getAttribute('points')!.trim().split(' ').length),
      legend: [...d.querySelectorAll('.legend span')].map((s) => s.textContent),
    }));
    expect(chart.lines).toEqual([3, 3, 3, 2]);
    expect(chart.legend).toEqual(['SimpleRNN', 'GRU', 'LSTM', 'chance (0.25)']);
    expect(await shadowText('[data-testid=progress]')).toBe('raced 6 steps per cell at gap 6');
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'race-trained.png'), fullPage: true });

    // The same seed races the same way: the same accuracies, point for point.
    const again = await raceOnce();
    expect(again.points).toEqual(first.points);

    // The Worker did the GPU work: the page's own thread opened no device and submitted nothing.
    expect(await pageGpu(page)).toEqual({ devices: 0, submits: 0 });
    expect(errors).toEqual([]);
  }, 300_000);

  it('the sweep with a tiny budget fills its table and chart for the gaps 5, 10, 20, 50 and 100', async () => {
    await page.evaluate(() => Object.assign(document.querySelector('lstm-race')!, { sweepSteps: 2 }));
    const done = page.evaluate(
      () => new Promise<{ steps: number; rows: Array<{ gap: number; accuracy: Record<string, number> }>; stopped: boolean }>((resolve) => document.querySelector('lstm-race')!.addEventListener('sweep-end', (e) => resolve((e as CustomEvent).detail), { once: true })),
    );
    await click('sweep');
    // While it runs, the table lists every gap, those not raced yet as "…".
    await page.waitForFunction(() => !!document.querySelector('lstm-race')?.shadowRoot?.querySelector('[data-testid=sweep-table]'), { timeout: 60_000, polling: 50 });
    const end = await done;
    expect(end.stopped).toBe(false);
    expect(end.steps).toBe(2);
    expect(end.rows.map((r) => r.gap)).toEqual([5, 10, 20, 50, 100]);
    const table = await page.$eval('lstm-race >>> [data-testid=sweep-table]', (t) => ({
      head: [...t.querySelectorAll('thead th')].map((th) => th.textContent!.trim()),
      rows: [...t.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent!.trim())),
      caption: t.querySelector('caption')!.textContent!.replace(/\s+/g, ' ').trim(),
    }));
    expect(table.head).toEqual(['gap', 'SimpleRNN', 'GRU', 'LSTM']);
    expect(table.rows.map((r) => r[0])).toEqual(['5', '10', '20', '50', '100']);
    for (const r of table.rows) {
      for (const cell of r.slice(1)) {
        expect(cell).toMatch(/^[01]\.\d{3}$/);
        expect(Number(cell)).toBeLessThanOrEqual(1);
      }
    }
    // The table shows what the event reported.
    expect(table.rows.map((r) => r.slice(1).map(Number))).toEqual(end.rows.map((r) => ['rnn', 'gru', 'lstm'].map((c) => Number(r.accuracy[c]!.toFixed(3)))));
    expect(table.caption).toBe('test accuracy after 2 steps per cell; chance 0.25');
    // Accuracy against the gap: a line of five points per cell, and chance.
    const lines = await page.$eval('lstm-race >>> [data-testid=sweep-chart]', (d) => [...d.querySelectorAll('polyline')].map((p) => p.getAttribute('points')!.trim().split(' ').length));
    expect(lines).toEqual([5, 5, 5, 2]);
    expect(await shadowText('[data-testid=progress]')).toBe('swept gaps 5, 10, 20, 50, 100 at 2 steps per cell');
    expect(await pageGpu(page)).toEqual({ devices: 0, submits: 0 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'race-sweep.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 300_000);

  it('Stop ends a race early: race-end says stopped, the note says after how many steps', async () => {
    await page.evaluate(() => Object.assign(document.querySelector('lstm-race')!, { steps: 100_000, evalEvery: 2 }));
    const ended = page.evaluate(
      () => new Promise<{ stopped: boolean; accuracy: Record<string, number> }>((resolve) => document.querySelector('lstm-race')!.addEventListener('race-end', (e) => resolve((e as CustomEvent).detail), { once: true })),
    );
    const firstPoint = page.evaluate(() => new Promise<void>((resolve) => document.querySelector('lstm-race')!.addEventListener('race-point', () => resolve(), { once: true })));
    await click('start');
    await firstPoint;
    expect(await shadowText('[data-testid=progress]')).toMatch(/^gap 6 · step \d+ of 100000 \(tested every 2\)$/);
    await click('stop');
    const end = await ended;
    expect(end.stopped).toBe(true);
    expect(await shadowText('[data-testid=progress]')).toMatch(/^stopped at gap 6; last tested after \d+ steps per cell$/);
    // The Start button is back: the element is idle again.
    expect(await page.$eval('lstm-race >>> [data-testid=start]', (b) => (b as HTMLButtonElement).disabled)).toBe(false);
    expect(errors).toEqual([]);
  }, 120_000);
});
