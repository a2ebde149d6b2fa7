/**
 * End-to-end: the built demo site (dist/site) and the package's no-bundler element (dist/element.js) in
 * headless Chromium (WebGPU on SwiftShader here), through Puppeteer. `npm test` builds dist/ first.
 * One browser, one page, steps in order: load → train a short epoch → try it → upload → bad file → XSS.
 * A screenshot of the trained page is saved under tests/artifacts/ (ignored by git).
 */
import fs from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import Papa from 'papaparse';
import type { Browser, Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, DIST, launch, openWithBuiltinDataset, requireBuild, serve } from './browser';

let browser: Browser;
let page: Page;
let server: { url: string; close: () => Promise<void> };
/** The demo site's address (dist/site under the server's root, dist/). */
let siteUrl: string;
const consoleErrors: string[] = [];
const dialogs: string[] = [];

async function zipOf(name: string, content: string): Promise<Uint8Array> {
  const z = new JSZip();
  z.file(name, content);
  return z.generateAsync({ type: 'uint8array' });
}

const XSS = '<img src=x onerror=alert(1)>';

/** Cyrillic texts, labels differing only in case, and \r\n, \n and \r line endings in one file. */
function worldCsv(): string {
  const nouns = ['фильм', 'еда', 'сервис', 'место', 'сюжет', 'персонал', 'звук', 'экран', 'номер', 'вид', 'город', 'поезд'];
  const ends = ['\r\n', '\n', '\r'];
  let csv = 'отзыв,sentiment';
  for (let i = 0; i < 90; i++) {
    const good = i % 2 === 1;
    const label = good ? (i % 4 === 1 ? 'Хорошо' : 'хорошо') : 'плохо';
    csv += `${ends[Math.floor(i / 30)]}"${nouns[i % 12]} ${good ? 'отличный' : 'ужасный'} ${nouns[(i * 5) % 12]}",${label}`;
  }
  return `${csv}\n`;
}

async function twoCsvZip(): Promise<Uint8Array> {
  const z = new JSZip();
  z.file('first.csv', 'text,label\nfine,a\nok,b\n');
  z.file('second.csv', `text,label\n${Array.from({ length: 30 }, (_, i) => `second file row ${i},${i % 2 ? 'yes' : 'no'}`).join('\n')}\n`);
  return z.generateAsync({ type: 'uint8array' });
}

beforeAll(async () => {
  requireBuild();
  const rows = [{ text: XSS, label: 'pos' }];
  for (let i = 0; i < 40; i++) rows.push({ text: `sample sentence ${i} ${i % 2 ? 'good' : 'bad'}`, label: i % 2 ? 'pos' : 'neg' });
  server = await serve(DIST, {
    '/site/generated.zip': await zipOf('generated.csv', Papa.unparse(rows)),
    '/site/bad.zip': await zipOf('notes.txt', 'no csv here'),
    '/site/two.zip': await twoCsvZip(),
    '/site/world.csv': worldCsv(),
    // An embedder's page without a bundler: only the package's element module, no attributes (the
    // built-in dataset comes from beside the module).
    '/plain.html': '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="./element.js"></script><lstm-trainer></lstm-trainer>',
  });
  siteUrl = `${server.url}site/`;
  browser = await launch();
  page = await browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${(e as Error).message}`));
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  await page.setViewport({ width: 1200, height: 1600 });
  // Count what the page's own thread does on the GPU: devices opened and command buffers submitted.
  // (A dedicated Worker has globals of its own, which this does not patch.)
  await page.evaluateOnNewDocument(() => {
    const w = window as unknown as { mainThreadGpu: { devices: number; submits: number } };
    w.mainThreadGpu = { devices: 0, submits: 0 };
    if (typeof GPUAdapter === 'undefined') return;
    const request = GPUAdapter.prototype.requestDevice;
    GPUAdapter.prototype.requestDevice = function (this: GPUAdapter, ...a: Parameters<GPUAdapter['requestDevice']>) {
      w.mainThreadGpu.devices++;
      return request.apply(this, a);
    };
    const submit = GPUQueue.prototype.submit;
    GPUQueue.prototype.submit = function (this: GPUQueue, ...a: Parameters<GPUQueue['submit']>) {
      w.mainThreadGpu.submits++;
      return submit.apply(this, a);
    };
  });
});

const mainThreadGpu = () => page.evaluate(() => (window as unknown as { mainThreadGpu: { devices: number; submits: number } }).mainThreadGpu);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The text of an element in the component's shadow root, whitespace collapsed. */
const shadowText = (sel: string) => page.$eval(`lstm-trainer >>> ${sel}`, (el) => (el.textContent ?? '').replace(/\s+/g, ' ').trim());

/**
 * Wait for an element in the component's shadow root. (waitForSelector's default mutation polling
 * watches the document, not shadow roots, so it would miss Lit's updates.)
 */
async function waitShadow(sel: string, timeout: number): Promise<void> {
  await page.waitForFunction((q) => !!document.querySelector('lstm-trainer')?.shadowRoot?.querySelector(q), { timeout, polling: 100 }, sel);
}

async function uploadFromServer(name: string): Promise<void> {
  const bytes = await (await fetch(`${siteUrl}${name}`)).arrayBuffer();
  const file = path.join(ARTIFACTS, name);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.writeFileSync(file, new Uint8Array(bytes));
  const input = await page.$('lstm-trainer >>> input[type=file][accept^=".zip,.csv"]');
  await (input as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(file);
}

describe('demo page', () => {
  it('loads with a WebGPU adapter, the built-in dataset, and no console errors', async () => {
    await page.goto(siteUrl);
    const adapter = await page.evaluate(async () => !!(await navigator.gpu?.requestAdapter()));
    expect(adapter, 'headless Chromium offers no WebGPU adapter').toBe(true);
    await waitShadow('[data-testid=dataset-summary]', 120_000);
    expect(await shadowText('[data-testid=dataset-summary]')).toMatch(/sentences\.zip.*3000 rows.*using 3000 rows/s);
    expect(consoleErrors).toEqual([]);
  });

  it('trains one short epoch on the built-in data and reports accuracy above chance', async () => {
    const set = async (label: string, value: string) => {
      const input = await page.$(`lstm-trainer >>> label::-p-text(${label}) input`);
      await input!.click({ clickCount: 3 });
      await input!.type(value);
      await input!.evaluate((el) => el.dispatchEvent(new Event('change')));
    };
    await set('Epochs', '1');
    await set('LSTM units', '32');
    await set('Embedding size', '32');
    await set('Max length', '40');
    await (await page.$('lstm-trainer >>> [data-testid=train]'))!.click();
    await waitShadow('[data-testid=progress]', 60_000);
    await waitShadow('[data-testid=accuracy]', 240_000);
    const text = await shadowText('[data-testid=accuracy]');
    const acc = Number(/Test accuracy ([\d.]+)/.exec(text)![1]);
    expect(acc).toBeGreaterThan(0.55);
    expect(await page.$$('lstm-trainer >>> .heatmap td')).toHaveLength(4);
    // The report table: one row per class, then accuracy, macro avg and weighted avg (sklearn's order).
    const reportRows = await page.$$eval('lstm-trainer >>> .report tbody th', (ths) => ths.map((t) => t.textContent));
    expect(reportRows).toEqual(['negative', 'positive', 'accuracy', 'macro avg', 'weighted avg']);
    // The engine runs in a Worker: the page only renders progress. Checked by structure, not by time (how
    // long the page's tasks take is a figure, printed by `npm run bench:responsiveness`): since the page
    // loaded, its own thread has opened no GPU device and submitted no GPU work; the Worker did it all.
    expect(await shadowText('[data-testid=gpu]')).toMatch(/training in a Worker/);
    expect(await mainThreadGpu()).toEqual({ devices: 0, submits: 0 });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'demo-trained.png'), fullPage: true });
  });

  it('the prediction box reacts to typing, with per-word saliency', async () => {
    const box = await page.$('lstm-trainer >>> [data-testid=try]');
    await box!.type('the food was great');
    await waitShadow('[data-testid=probabilities]', 30_000);
    // Predictions follow the keystrokes; wait for the one of the whole sentence.
    await page.waitForFunction(
      () => /great/.test(document.querySelector('lstm-trainer')!.shadowRoot!.querySelector('[data-testid=saliency]')?.textContent ?? ''),
      { timeout: 30_000, polling: 100 },
    );
    const first = await shadowText('[data-testid=probabilities]');
    expect(first).toMatch(/negative.*%.*positive.*%/s);
    expect(await shadowText('[data-testid=saliency]')).toMatch(/the\s+food\s+was\s+great/);
    await box!.type(' but the service was awful and terrible');
    await page.waitForFunction(
      (prev) => {
        const el = document.querySelector('lstm-trainer')!.shadowRoot!.querySelector('[data-testid=probabilities]');
        return el && el.textContent !== prev;
      },
      { timeout: 30_000, polling: 100 },
      first,
    );
    // Predictions, too, ran in the Worker.
    expect(await mainThreadGpu()).toEqual({ devices: 0, submits: 0 });
  });

  it('uploading a generated zip works, and a row with HTML renders as text', async () => {
    await uploadFromServer('generated.zip');
    await page.waitForFunction(() => /generated\.zip/.test(document.querySelector('lstm-trainer')!.shadowRoot!.querySelector('[data-testid=dataset-summary]')?.textContent ?? ''), {
      timeout: 30_000,
      polling: 100,
    });
    expect(await shadowText('[data-testid=dataset-summary]')).toMatch(/41 rows/);
    expect(await shadowText('.preview')).toContain(XSS);
    expect(await page.$$('lstm-trainer >>> .preview img')).toHaveLength(0);
    expect(dialogs).toEqual([]);
  });

  it('a bad file shows its error and keeps the previous dataset', async () => {
    await uploadFromServer('bad.zip');
    await waitShadow('[data-testid=error]', 30_000);
    expect(await shadowText('[data-testid=error]')).toMatch(/no \.csv file/);
    expect(await shadowText('[data-testid=dataset-summary]')).toMatch(/generated\.zip.*41 rows/s);
    await page.screenshot({ path: path.join(ARTIFACTS, 'demo-bad-file.png'), fullPage: true });
  });

  it('a zip with two CSVs asks which one to read, and reads the chosen one', async () => {
    await uploadFromServer('two.zip');
    await waitShadow('[data-testid=csv-choice]', 30_000);
    expect(await shadowText('[data-testid=error]')).toMatch(/the zip holds 2 CSV files \(first\.csv, second\.csv\): choose one/);
    await page.evaluate(() => {
      const sel = document.querySelector('lstm-trainer')!.shadowRoot!.querySelector('select[name=csv]') as HTMLSelectElement;
      sel.value = 'second.csv';
    });
    await (await page.$('lstm-trainer >>> form.csv-choice button[type=submit]'))!.click();
    await page.waitForFunction(() => /second\.csv: 30 rows/.test(document.querySelector('lstm-trainer')!.shadowRoot!.querySelector('[data-testid=dataset-summary]')?.textContent ?? ''), {
      timeout: 30_000,
      polling: 100,
    });
    expect(await page.$('lstm-trainer >>> [data-testid=csv-choice]')).toBeNull();
  });

  it('a Cyrillic CSV with mixed line endings and case-variant labels: every row, the case warning and fold, the cleaning choice', async () => {
    await uploadFromServer('world.csv');
    await page.waitForFunction(() => /world\.csv: 90 rows/.test(document.querySelector('lstm-trainer')!.shadowRoot!.querySelector('[data-testid=dataset-summary]')?.textContent ?? ''), {
      timeout: 30_000,
      polling: 100,
    });
    expect(await shadowText('[data-testid=column-why]')).toMatch(/Label “sentiment”: its name is "sentiment" \(3 distinct values\)/);
    expect(await shadowText('[data-testid=label-case]')).toMatch(/Merge labels that differ only in case \(Хорошо \/ хорошо are separate classes now\)/);
    expect(await page.$$eval('lstm-trainer >>> fieldset label.check', (ls) => ls.map((l) => l.textContent?.trim()))).toEqual(['Хорошо', 'плохо', 'хорошо']);
    await (await page.$('lstm-trainer >>> [data-testid=label-case] input'))!.click();
    await page.waitForFunction(() => document.querySelector('lstm-trainer')!.shadowRoot!.querySelectorAll('fieldset label.check').length === 2, { timeout: 10_000, polling: 100 });
    // The notebook's ASCII cleaning leaves nothing of these texts: a sentence, not a model trained on nothing.
    await page.select('lstm-trainer >>> [data-testid=cleaning]', 'ascii');
    await (await page.$('lstm-trainer >>> [data-testid=train]'))!.click();
    await waitShadow('[data-testid=error]', 60_000);
    expect(await shadowText('[data-testid=error]')).toMatch(/training texts are empty after cleaning with the 'ascii' cleaning/);
    await page.select('lstm-trainer >>> [data-testid=cleaning]', 'unicode');
    await (await page.$('lstm-trainer >>> [data-testid=train]'))!.click();
    // Trained on these texts: the report's classes are this file's (folded) labels.
    await page.waitForFunction(() => /плохо/.test(document.querySelector('lstm-trainer')!.shadowRoot!.querySelector('.report')?.textContent ?? ''), { timeout: 120_000, polling: 200 });
    expect(await page.$('lstm-trainer >>> [data-testid=error]')).toBeNull();
    const labels = await page.$$eval('lstm-trainer >>> .report tbody th', (ths) => ths.map((t) => t.textContent));
    expect(labels.slice(0, 2)).toEqual(['Хорошо', 'плохо']); // folded: the most frequent spelling (23 of 45)
  });

  it('the demo keeps its settings in the URL hash: a link reproduces them, changes rewrite it, a bad value is reported', async () => {
    const p5 = await browser.newPage();
    await p5.goto(`${siteUrl}#dataset=generated.zip&epochs=2&units=24&lr=0.005&cleaning=ascii&bucketing=0`);
    await p5.waitForFunction(() => /generated\.zip/.test(document.querySelector('lstm-trainer')?.shadowRoot?.querySelector('[data-testid=dataset-summary]')?.textContent ?? ''), {
      timeout: 60_000,
      polling: 100,
    });
    const el = await p5.$('lstm-trainer');
    expect(await el!.evaluate((e) => { const t = e as unknown as Record<string, unknown>; return [t.epochs, t.units, t.learningRate, t.cleaning, t.bucketing]; })).toEqual([2, 24, 0.005, 'ascii', false]);
    const units = await p5.$('lstm-trainer >>> label::-p-text(LSTM units) input');
    await units!.click({ clickCount: 3 });
    await units!.type('40');
    await units!.evaluate((e) => e.dispatchEvent(new Event('change')));
    await p5.waitForFunction(() => /[#&]units=40(&|$)/.test(location.hash), { timeout: 10_000, polling: 100 });
    expect(await p5.evaluate(() => new URLSearchParams(location.hash.slice(1)).get('dataset'))).toBe('generated.zip');
    await p5.close();
    const p6 = await browser.newPage(); // a new document: a hash change alone does not reload a page
    await p6.goto(`${siteUrl}#units=many&colour=blue`);
    await p6.waitForFunction(() => !!document.querySelector('lstm-trainer')?.shadowRoot?.querySelector('[data-testid=link-problem]'), { timeout: 30_000, polling: 100 });
    expect(await p6.$eval('lstm-trainer >>> [data-testid=link-problem]', (e) => e.textContent)).toBe(
      "the link's settings were not all understood: units=many (not a whole number); colour (not a setting)",
    );
    await p6.close();
  });

  it('dist/element.js registers the element in a page without a bundler and loads the built-in data from beside it', async () => {
    const { errors, requests } = await openWithBuiltinDataset(browser, `${server.url}plain.html`, 60_000);
    expect(errors).toEqual([]);
    // Its own files only: the module, its lazy chunks, its Worker, the dataset.
    expect(requests.filter((r) => !/^\/(plain\.html|(element|trainer-worker)(-[\w.-]+)?\.js|builtin\/sentences\.zip)$/.test(r))).toEqual([]);
    expect(requests.some((r) => /^\/trainer-worker-[\w-]+\.js$/.test(r)), 'the element started its Worker from beside the module').toBe(true);
  });

  it('the embed example uses only the public element and receives its events', async () => {
    const p2 = await browser.newPage();
    const errors: string[] = [];
    p2.on('pageerror', (e) => errors.push((e as Error).message));
    await p2.goto(`${siteUrl}embed.html`);
    await p2.waitForFunction(() => /dataset: 3000 rows/.test(document.getElementById('status')!.textContent ?? ''), { timeout: 60_000, polling: 100 });
    expect(errors).toEqual([]);
    await p2.close();
  });
});
