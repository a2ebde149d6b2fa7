/**
 * End-to-end: the forecasting demo page (dist/site/forecast.html) in headless Chromium. It loads the
 * built-in series with no console error, trains a short run in its Worker (the page's own thread opens no
 * GPU device and submits nothing), and shows the progress, the loss curves, the model's test RMSE/MAE
 * beside both baselines and the actual-vs-predicted chart; a CSV with several numeric columns offers
 * them; a file without numbers is an error in the page that keeps the loaded series.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, countPageGpu, openTestPage, pageGpu } from './browser';
import { seasonalSeries } from '../helpers/series';

let page: Page;
let url: string;
let errors: string[];
let close: () => Promise<void>;

const shadowText = (sel: string) => page.evaluate((s) => (document.querySelector('lstm-forecaster')?.shadowRoot?.querySelector(s)?.textContent ?? '').replace(/\s+/g, ' ').trim(), sel);
type Forecaster = HTMLElement & { loadUrl(u: string): Promise<boolean>; epochs: number; units: number };

beforeAll(async () => {
  const values = seasonalSeries(400, 'e2e');
  ({ page, url, errors, close } = await openTestPage({
    '/site/two.csv': `day,level,other\n${values.map((v, i) => `${i},${v.toFixed(4)},${(v * 2).toFixed(3)}`).join('\n')}\n`,
    '/site/words.csv': 'a,b\nx,y\nz,w\n',
  }));
  await page.setViewport({ width: 1200, height: 1400 });
  await countPageGpu(page);
}, 60_000);

afterAll(() => close?.());

describe('forecast demo page', () => {
  it('loads the built-in series, trains in its Worker, and shows the progress, the loss curves, RMSE/MAE beside persistence and the window mean, and the forecast', async () => {
    await page.goto(`${url}site/forecast.html`);
    expect(await page.$$eval('nav.site-nav a', (as) => as.map((a) => [a.textContent, a.getAttribute('aria-current')]))).toContainEqual(['Forecast', 'page']);
    await page.waitForFunction(() => /"temperature": 2922 values/.test(document.querySelector('lstm-forecaster')?.shadowRoot?.querySelector('[data-testid=series-summary]')?.textContent ?? ''), { timeout: 120_000, polling: 100 });
    expect(await shadowText('[data-testid=gpu]')).toMatch(/training in a Worker/);
    // The file control is the shared one: a styled button and a drop zone, the native input hidden.
    expect(await page.$eval('lstm-forecaster >>> .drop input[type=file]', (i) => (i as HTMLInputElement).hidden)).toBe(true);
    await page.evaluate(() => Object.assign(document.querySelector('lstm-forecaster')!, { epochs: 2, units: 16 }));
    const epochEnds: number[] = [];
    await page.exposeFunction('onForecastEpoch', (n: number) => epochEnds.push(n));
    const done = page.evaluate(() => {
      const el = document.querySelector('lstm-forecaster')!;
      el.addEventListener('epoch-end', (e) => (window as unknown as { onForecastEpoch(n: number): void }).onForecastEpoch((e as CustomEvent).detail.epoch));
      return new Promise<{ rmse: number; persistence: { rmse: number } }>((resolve) => el.addEventListener('forecast-end', (e) => resolve((e as CustomEvent).detail), { once: true }));
    });
    await page.evaluate(() => (document.querySelector('lstm-forecaster')!.shadowRoot!.querySelector('[data-testid=train]') as HTMLButtonElement).click());
    // The shared progress bar while training.
    await page.waitForFunction(() => !!document.querySelector('lstm-forecaster')?.shadowRoot?.querySelector('[data-testid=progress] progress'), { timeout: 120_000, polling: 50 });
    expect(await shadowText('[data-testid=progress]')).toMatch(/epoch \d\/2 · batch \d+\/\d+ · loss [\d.e+-]+ · \d+ seq\/s · ETA/);
    const detail = await done;
    expect(epochEnds).toEqual([1, 2]);
    expect(detail.rmse).toBeGreaterThan(0);
    expect(detail.persistence.rmse).toBeGreaterThan(0);
    const results = await shadowText('[data-testid=results]');
    expect(results).toMatch(/LSTM\s*[\d.]+\s*[\d.]+/);
    expect(results).toMatch(/persistence \(next = last\)\s*[\d.]+\s*[\d.]+/);
    expect(results).toMatch(/window mean \(last 30\)\s*[\d.]+\s*[\d.]+/);
    // The forecast chart: actual, persistence, the model; the loss chart: batches, epochs, validation (two epochs each).
    expect(await page.evaluate(() => document.querySelector('lstm-forecaster')!.shadowRoot!.querySelectorAll('[data-testid=forecast-chart] svg polyline').length)).toBe(3);
    const loss = await page.$eval('lstm-forecaster >>> svg[aria-label^="Loss"]', (s) => [...s.querySelectorAll('polyline')].map((p) => p.getAttribute('points')!.trim().split(' ').length));
    expect(loss).toHaveLength(3);
    expect(loss[0]).toBeGreaterThan(2);
    expect(loss.slice(1)).toEqual([2, 2]);
    expect(await shadowText('[data-testid=progress]')).toBe('trained 2 epochs');
    expect(await page.$('lstm-forecaster >>> [data-testid=download]')).not.toBeNull();
    // The Worker did the GPU work: the page's own thread opened no device and submitted nothing.
    expect(await pageGpu(page)).toEqual({ devices: 0, submits: 0 });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'forecast-trained.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 300_000);

  it('a CSV with several numeric columns offers them; a file without numbers is reported in the page and the series stays', async () => {
    expect(await page.evaluate((u) => (document.querySelector('lstm-forecaster') as unknown as Forecaster).loadUrl(u), `${url}site/two.csv`)).toBe(true);
    const options = await page.evaluate(() => [...document.querySelector('lstm-forecaster')!.shadowRoot!.querySelectorAll('select:not([data-testid=cell]) option')].map((o) => o.textContent));
    // "day" counts rows (0, 1, 2, …): not offered.
    expect(options).toEqual(['level', 'other']);
    expect(await shadowText('[data-testid=series-summary]')).toMatch(/two\.csv: 400 rows; "level": 400 values/);
    // The results of the previous series are gone with it.
    expect(await page.$('lstm-forecaster >>> [data-testid=results]')).toBeNull();
    const failed = page.evaluate(() => new Promise<string>((resolve) => document.querySelector('lstm-forecaster')!.addEventListener('error', (e) => resolve((e as unknown as CustomEvent).detail.message), { once: true })));
    expect(await page.evaluate((u) => (document.querySelector('lstm-forecaster') as unknown as Forecaster).loadUrl(u), `${url}site/words.csv`)).toBe(false);
    expect(await failed).toBe('words.csv has no numeric column (columns: a, b)');
    expect(await shadowText('[data-testid=error]')).toMatch(/^words\.csv has no numeric column \(columns: a, b\)/);
    expect(await shadowText('[data-testid=series-summary]')).toMatch(/two\.csv: 400 rows/);
    expect(errors).toEqual([]);
  }, 60_000);
});
