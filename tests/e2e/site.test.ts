/**
 * The demo site is one site: every page shows the same navigation (the pages of demo/site.ts, in its
 * order, the page shown marked), links the same one stylesheet, and offers files through the same
 * control (a styled button in a drop zone; the native input hidden). Each page loads its element's data
 * with no console error. (Training on each page is in demo.test.ts, forecast.test.ts and write.test.ts.)
 */
import type { Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestPage } from './browser';

let page: Page;
let siteUrl = '';
let errors: string[] = [];
let close: () => Promise<void>;

beforeAll(async () => {
  let url: string;
  ({ page, url, errors, close } = await openTestPage());
  siteUrl = `${url}site/`;
}, 60_000);

afterAll(async () => {
  await close?.();
});

const PAGES = [
  { file: 'index.html', title: 'Classify', tag: 'lstm-trainer', loaded: ['[data-testid=dataset-summary]', '3000 rows'] },
  { file: 'forecast.html', title: 'Forecast', tag: 'lstm-forecaster', loaded: ['[data-testid=series-summary]', '2922 values'] },
  { file: 'write.html', title: 'Write', tag: 'lstm-writer', loaded: ['[data-testid=text-summary]', 'characters'] },
  { file: 'inside.html', title: 'Inside', tag: 'lstm-trainer', loaded: ['[data-testid=dataset-summary]', '3000 rows'] },
  // The race generates its own data: no file to drop.
  { file: 'long-term.html', title: 'Long-term', tag: 'lstm-race', loaded: ['[data-testid=caption]', 'gap'], noFile: true },
];

describe('the demo site', () => {
  const seen: Array<{ nav: string[][]; css: string[] }> = [];

  for (const p of PAGES) {
    it(`${p.file}: the navigation with "${p.title}" marked, the stylesheet, the shared file control, its data loaded`, async () => {
      await page.goto(`${siteUrl}${p.file}`);
      const nav = await page.$$eval('nav.site-nav a', (as) => as.map((a) => [a.textContent ?? '', a.getAttribute('href') ?? '', a.getAttribute('aria-current') ?? '']));
      expect(nav.filter((a) => a[2] === 'page').map((a) => a[0])).toEqual([p.title]);
      const css = await page.$$eval('link[rel=stylesheet]', (ls) => ls.map((l) => new URL((l as HTMLLinkElement).href).pathname));
      seen.push({ nav: nav.map((a) => a.slice(0, 2)), css });
      await page.waitForFunction(
        (tag, [sel, text]) => (document.querySelector(tag)?.shadowRoot?.querySelector(sel)?.textContent ?? '').includes(text),
        { timeout: 120_000, polling: 100 },
        p.tag,
        p.loaded,
      );
      // The file control: a styled button in a drop zone; no native "Choose File" shows.
      if ('noFile' in p) {
        expect(await page.$$(`${p.tag} >>> input[type=file]`)).toHaveLength(0);
        expect(errors).toEqual([]);
        return;
      }
      const inputs = await page.$$eval(`${p.tag} >>> input[type=file]`, (is) => is.map((i) => ({ hidden: (i as HTMLInputElement).hidden, inButton: !!i.closest('label.button') })));
      expect(inputs.length).toBeGreaterThan(0);
      expect(inputs.every((i) => i.hidden && i.inButton)).toBe(true);
      expect(await page.$$(`${p.tag} >>> .drop`)).toHaveLength(1);
      expect(errors).toEqual([]);
    }, 180_000);
  }

  it('every page has the same navigation, listing every page that exists, and the same one stylesheet', async () => {
    expect(seen).toHaveLength(PAGES.length);
    for (const s of seen) expect(s).toEqual(seen[0]);
    expect(seen[0]!.nav).toEqual(PAGES.map((p) => [p.title, `./${p.file}`]));
    expect(seen[0]!.css).toHaveLength(1);
    // Every link leads to a page that is there.
    for (const [, href] of seen[0]!.nav) expect((await fetch(new URL(href!, siteUrl))).status).toBe(200);
  });
});
