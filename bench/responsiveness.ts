/**
 * `npm run bench:responsiveness`: how busy the page's own thread is while <lstm-trainer> trains, as
 * figures (never a pass/fail: a task's length on a loaded machine is a coin toss). The built demo site
 * (dist/site, `npm run build`) in headless Chromium; one short epoch on the built-in sentences with the
 * trainer in its Worker (the default), then the same with `main-thread` set, for contrast. Prints the
 * page's long tasks (main-thread tasks over 50 ms, as the browser reports them) from the click on Train
 * to the results: how many, the longest, and their total.
 *
 *   --epochs N   epochs per run (default 1)   --units N   LSTM units (default 32)
 */
import type { Page } from 'puppeteer';
import { DIST, launch, requireBuild, serve } from '../tests/e2e/browser';

interface Run {
  thread: string;
  seconds: number;
  accuracy: number;
  longTasks: number[];
}

async function trainOnce(page: Page, url: string, mainThread: boolean, epochs: number, units: number): Promise<Run> {
  await page.goto(url);
  if (mainThread) {
    await page.evaluate(() => {
      const old = document.querySelector('lstm-trainer')!;
      const el = document.createElement('lstm-trainer');
      el.setAttribute('builtin-url', 'builtin/sentences.zip');
      el.setAttribute('main-thread', '');
      old.replaceWith(el);
    });
  }
  const shadow = (sel: string) => `document.querySelector('lstm-trainer')?.shadowRoot?.querySelector('${sel}')?.textContent ?? ''`;
  await page.waitForFunction(`/3000 rows/.test(${shadow('[data-testid=dataset-summary]')})`, { timeout: 300_000, polling: 200 });
  await page.waitForFunction(`/training (in|on)/.test(${shadow('[data-testid=gpu]')})`, { timeout: 60_000, polling: 200 });
  const thread = (await page.evaluate(`${shadow('[data-testid=gpu]')}`)) as string;
  await page.evaluate(
    (e, u) => Object.assign(document.querySelector('lstm-trainer')!, { epochs: e, units: u, embedDim: 32, maxLen: 40, earlyStopping: 0 }),
    epochs,
    units,
  );
  await page.evaluate(() => {
    const w = window as unknown as { longTasks: number[] };
    w.longTasks = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push(e.duration))).observe({ type: 'longtask' });
  });
  const start = performance.now();
  await page.$eval('lstm-trainer >>> [data-testid=train]', (b) => (b as HTMLButtonElement).click());
  await page.waitForFunction(`!!document.querySelector('lstm-trainer')?.shadowRoot?.querySelector('[data-testid=accuracy]')`, { timeout: 0, polling: 250 });
  const seconds = (performance.now() - start) / 1000;
  const accuracy = Number(/Test accuracy ([\d.]+)/.exec((await page.evaluate(`${shadow('[data-testid=accuracy]')}`)) as string)?.[1]);
  const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
  return { thread: /training (in a Worker|on the main thread)/.exec(thread)?.[0] ?? thread.replace(/\s+/g, ' ').trim(), seconds, accuracy, longTasks };
}

function option(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} takes a positive whole number`);
  return v;
}

export async function main(argv: string[]): Promise<number> {
  requireBuild();
  const epochs = option(argv, 'epochs', 1);
  const units = option(argv, 'units', 32);
  const server = await serve(DIST);
  const browser = await launch({ protocolTimeout: 60 * 60_000 });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error(`page error: ${(e as Error).message}`));
    const url = `${server.url}site/`;
    const runs = [await trainOnce(page, url, false, epochs, units), await trainOnce(page, url, true, epochs, units)];
    console.log(`Page responsiveness while <lstm-trainer> trains (built-in sentences, ${epochs} epoch(s), LSTM ${units}, embed 32, max length 40):`);
    console.log('');
    console.log('| trainer | seconds to results | test accuracy | long tasks | longest ms | total ms |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const r of runs) {
      const total = r.longTasks.reduce((a, b) => a + b, 0);
      console.log(`| ${r.thread} | ${r.seconds.toFixed(1)} | ${r.accuracy.toFixed(3)} | ${r.longTasks.length} | ${Math.max(0, ...r.longTasks).toFixed(0)} | ${total.toFixed(0)} |`);
    }
    return 0;
  } finally {
    await browser.close().catch(() => {});
    await server.close();
  }
}
