/**
 * Every element gives its GPU memory back when it leaves the page: <lstm-trainer>, <lstm-forecaster>,
 * <lstm-writer> and <lstm-race> (its three models), each removed while it trains, in its Worker and on
 * the main thread (`main-thread`). The GPU buffers are counted where they are made — in the Worker (a
 * counter put in front of the Worker's script) and in the page — as created, destroyed and the bytes
 * still alive; after the removal every buffer the element's thread created has been destroyed.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectGpuBuffers, DIST, GPU_BUFFER_COUNTER, gpuBuffers, openTestPage, type GpuBufferReport } from './browser';

let page: Page;
let siteUrl = '';
let errors: string[] = [];
let close: () => Promise<void>;

const ASSETS = path.join(DIST, 'site/assets');
const WORKER = fs.readdirSync(ASSETS).find((f) => /^trainer-worker-[\w-]+\.js$/.test(f))!;

interface Case {
  tag: 'lstm-trainer' | 'lstm-forecaster' | 'lstm-writer' | 'lstm-race';
  page: string;
  /** The element's line that says its data is loaded, and what it says then. */
  loaded: [string, string];
  /** Settings for a run that is still training when the element is removed. */
  settings: Record<string, number>;
  /** The button that starts training (default: Train). */
  start?: string;
}

const CASES: Case[] = [
  { tag: 'lstm-trainer', page: 'index.html', loaded: ['[data-testid=dataset-summary]', '3000 rows'], settings: { epochs: 50, units: 8, embedDim: 8, maxLen: 30, earlyStopping: 0 } },
  { tag: 'lstm-forecaster', page: 'forecast.html', loaded: ['[data-testid=series-summary]', '2922 values'], settings: { epochs: 500, units: 8 } },
  { tag: 'lstm-writer', page: 'write.html', loaded: ['[data-testid=text-summary]', 'characters'], settings: { steps: 100_000, evalEvery: 50_000, units: 16, embedDim: 8, seqLen: 16, batchSize: 8 } },
  // No data to load: ready once its controller holds its engine (the GPU line names the kernels then).
  { tag: 'lstm-race', page: 'long-term.html', loaded: ['[data-testid=gpu]', '-tuned kernels)'], settings: { steps: 100_000, evalEvery: 5, gap: 10, units: 8, samples: 256, testSamples: 64 }, start: '[data-testid=start]' },
];

/** The demo's pages as built, each also as `<page>-main.html` with its element set to `main-thread`. */
function mainThreadPages(): Record<string, string> {
  const routes: Record<string, string> = {};
  for (const c of CASES) {
    const html = fs.readFileSync(path.join(DIST, 'site', c.page), 'utf8');
    if (!html.includes(`<${c.tag} `)) throw new Error(`dist/site/${c.page} has no <${c.tag}>`);
    routes[`/site/${c.page.replace('.html', '-main.html')}`] = html.replace(`<${c.tag} `, `<${c.tag} main-thread `);
  }
  return routes;
}

beforeAll(async () => {
  let url: string;
  ({ page, url, errors, close } = await openTestPage({
    // The Worker's script as built, with the buffer counter in front of it.
    [`/site/assets/${WORKER}`]: `${GPU_BUFFER_COUNTER}\n${fs.readFileSync(path.join(ASSETS, WORKER), 'utf8')}`,
    ...mainThreadPages(),
  }));
  siteUrl = `${url}site/`;
  await collectGpuBuffers(page);
}, 60_000);

afterAll(async () => {
  await close?.();
});

/** Open the page, start a long run, and once it is training (buffers alive), remove the element. */
async function trainThenRemove(c: Case, file: string, threads: string): Promise<{ during: GpuBufferReport[]; gpuLine: string }> {
  await page.goto(`${siteUrl}${file}`);
  await page.waitForFunction(
    (tag, [sel, text]) => (document.querySelector(tag)?.shadowRoot?.querySelector(sel)?.textContent ?? '').includes(text),
    { timeout: 120_000, polling: 100 },
    c.tag,
    c.loaded,
  );
  await page.evaluate((tag, s) => Object.assign(document.querySelector(tag)!, s), c.tag, c.settings);
  await page.evaluate((tag, start) => (document.querySelector(tag)!.shadowRoot!.querySelector(start) as HTMLButtonElement).click(), c.tag, c.start ?? '[data-testid=train]');
  // Training: a few batches shown by the shared progress bar.
  await page.waitForFunction(
    (tag) => /batch [3-9]|batch \d\d|step ([3-9]|\d\d)/.test(document.querySelector(tag)?.shadowRoot?.querySelector('[data-testid=progress]')?.textContent ?? ''),
    { timeout: 120_000, polling: 50 },
    c.tag,
  );
  const gpuLine = await page.evaluate((tag) => document.querySelector(tag)!.shadowRoot!.querySelector('[data-testid=gpu]')!.textContent!.replace(/\s+/g, ' '), c.tag);
  const during = await gpuBuffers(page, threads);
  await page.evaluate((tag) => document.querySelector(tag)!.remove(), c.tag);
  return { during, gpuLine };
}

/** Wait until every thread matching `threads` has destroyed every buffer it created; the reports then. */
async function released(threads: string): Promise<GpuBufferReport[]> {
  await page
    .waitForFunction(
      (p) => {
        const reports = Object.values((window as unknown as { gpuBuffers: Record<string, { thread: string; created: number; destroyed: number }> }).gpuBuffers).filter((r) => r.thread.startsWith(p));
        return reports.length > 0 && reports.every((r) => r.created === r.destroyed);
      },
      { timeout: 30_000, polling: 100 },
      threads,
    )
    .catch(() => {});
  return gpuBuffers(page, threads);
}

describe('an element that leaves the page gives its GPU memory back', () => {
  for (const c of CASES) {
    it(`<${c.tag}> in its Worker: removed while training, the Worker destroys every buffer it made`, async () => {
      const threads = `worker:${c.tag}#`;
      const { during, gpuLine } = await trainThenRemove(c, c.page, threads);
      expect(gpuLine).toMatch(/training in a Worker/);
      expect(during).toHaveLength(1);
      expect(during[0]!.liveBytes).toBeGreaterThan(0);
      const after = await released(threads);
      expect(after).toHaveLength(1);
      expect(after[0]!.created).toBeGreaterThanOrEqual(during[0]!.created);
      expect(after[0]!.destroyed).toBe(after[0]!.created);
      expect(after[0]!.liveBytes).toBe(0);
      // The page's own thread made no buffer at all.
      expect(await gpuBuffers(page, 'page')).toEqual([]);
    }, 240_000);

    it(`<${c.tag}> on the main thread: removed while training, the page destroys every buffer the element made`, async () => {
      const { during, gpuLine } = await trainThenRemove(c, c.page.replace('.html', '-main.html'), 'page');
      expect(gpuLine).toMatch(/training on the main thread: the element has main-thread set/);
      expect(during).toHaveLength(1);
      expect(during[0]!.liveBytes).toBeGreaterThan(0);
      const after = await released('page');
      expect(after[0]!.destroyed).toBe(after[0]!.created);
      expect(after[0]!.liveBytes).toBe(0);
    }, 240_000);
  }

  it('the pages logged no errors', () => {
    expect(errors).toEqual([]);
  });
});
