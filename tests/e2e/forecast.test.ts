/**
 * End-to-end: the forecasting demo page (dist/site/forecast.html) in headless Chromium. It loads the
 * built-in series, trains a short run, and shows the model's test RMSE/MAE beside both baselines and the
 * actual-vs-predicted chart; a CSV with several numeric columns offers them; a file without numbers is
 * an error in the page, not an exception.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, openTestPage } from './browser';
import { seasonalSeries } from '../helpers/series';

let page: Page;
let url: string;
let errors: string[];
let close: () => Promise<void>;

const shadowText = (sel: string) => page.evaluate((s) => document.querySelector('lstm-forecaster')?.shadowRoot?.querySelector(s)?.textContent ?? '', sel);

beforeAll(async () => {
  const values = seasonalSeries(400, 'e2e');
  ({ page, url, errors, close } = await openTestPage({
    '/site/two.csv': `day,level,other\n${values.map((v, i) => `${i},${v.toFixed(4)},${(v * 2).toFixed(3)}`).join('\n')}\n`,
    '/site/words.csv': 'a,b\nx,y\nz,w\n',
  }));
}, 60_000);

afterAll(() => close?.());

describe('forecast demo page', () => {
  it('loads the built-in series, trains, and shows RMSE/MAE beside persistence and the window mean, with the chart', async () => {
    await page.goto(`${url}site/forecast.html`);
    await page.waitForFunction(() => /"temperature": 2922 values/.test(document.querySelector('lstm-forecaster')?.shadowRoot?.querySelector('[data-testid=series-summary]')?.textContent ?? ''), { timeout: 60_000, polling: 100 });
    await page.evaluate(() => {
      const el = document.querySelector('lstm-forecaster')! as HTMLElement & { epochs: number; units: number };
      el.epochs = 2;
      el.units = 16;
    });
    const done = page.evaluate(() => new Promise<{ rmse: number; persistence: { rmse: number } }>((resolve) => document.querySelector('lstm-forecaster')!.addEventListener('forecast-end', (e) => resolve((e as CustomEvent).detail), { once: true })));
    await page.evaluate(() => (document.querySelector('lstm-forecaster')!.shadowRoot!.querySelector('[data-testid=train]') as HTMLButtonElement).click());
    const detail = await done;
    expect(detail.rmse).toBeGreaterThan(0);
    expect(detail.persistence.rmse).toBeGreaterThan(0);
    const results = await shadowText('[data-testid=results]');
    expect(results).toMatch(/LSTM\s*[\d.]+\s*[\d.]+/);
    expect(results).toMatch(/persistence \(next = last\)\s*[\d.]+\s*[\d.]+/);
    expect(results).toMatch(/window mean \(last 30\)\s*[\d.]+\s*[\d.]+/);
    const polylines = await page.evaluate(() => document.querySelector('lstm-forecaster')!.shadowRoot!.querySelectorAll('figure svg polyline').length);
    expect(polylines).toBe(3);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'forecast-trained.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 240_000);

  it('a CSV with several numeric columns offers them; a file without numbers is reported in the page', async () => {
    await page.evaluate(async (u) => {
      const el = document.querySelector('lstm-forecaster') as HTMLElement & { loadUrl(u: string): Promise<void> };
      await el.loadUrl(u);
    }, `${url}site/two.csv`);
    const options = await page.evaluate(() => [...document.querySelector('lstm-forecaster')!.shadowRoot!.querySelectorAll('select option')].map((o) => o.textContent));
    // "day" counts rows (0, 1, 2, …): not offered.
    expect(options).toEqual(['level', 'other']);
    expect(await shadowText('[data-testid=series-summary]')).toMatch(/two\.csv: 400 rows; "level": 400 values/);
    await page.evaluate(async (u) => {
      const el = document.querySelector('lstm-forecaster') as HTMLElement & { loadUrl(u: string): Promise<void> };
      await el.loadUrl(u);
    }, `${url}site/words.csv`);
    expect(await shadowText('[data-testid=series-summary]')).toBe('words.csv has no numeric column (columns: a, b)');
    expect(errors).toEqual([]);
  }, 60_000);
});
