/**
 * "Load a model" in the demo takes a Keras text classifier: the .keras file made by Keras 3 and its
 * tokenizer JSON (tests/fixtures/text, from tests/python/make_text_fixture.py), chosen together through
 * the element's file input. Chosen alone, the model gets one sentence asking for its tokenizer; with it,
 * the built-in dataset (two labels, as the model has outputs) names its classes, its test split is
 * evaluated, and the try-it box classifies with Keras's probabilities.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ElementHandle, Page } from 'puppeteer';
import { openTestPage, ROOT } from './browser';

let page: Page;
let siteUrl = '';
let errors: string[] = [];
let close: () => Promise<void>;

const FIXTURES = path.join(ROOT, 'tests/fixtures/text');
const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as { probes: string[]; probabilities: number[][] };

beforeAll(async () => {
  const t = await openTestPage();
  page = t.page;
  siteUrl = `${t.url}site/`;
  errors = t.errors;
  close = t.close;
}, 60_000);

afterAll(async () => {
  await close?.();
});

const shadowText = (sel: string) => page.$eval(`lstm-trainer >>> ${sel}`, (el) => (el.textContent ?? '').replace(/\s+/g, ' ').trim());
const waitShadow = (sel: string, timeout: number) =>
  page.waitForFunction((q) => !!document.querySelector('lstm-trainer')?.shadowRoot?.querySelector(q), { timeout, polling: 100 }, sel);

async function choose(...names: string[]): Promise<void> {
  const input = (await page.$('lstm-trainer >>> input[type=file][data-testid=load-model]')) as ElementHandle<HTMLInputElement>;
  expect(await input.evaluate((el) => el.multiple)).toBe(true);
  await input.uploadFile(...names.map((n) => path.join(FIXTURES, n)));
}

describe('Load a model: a Keras .keras with its tokenizer', () => {
  it('asks for the tokenizer, then classifies with the Keras model and evaluates it on the built-in test split', async () => {
    await page.goto(siteUrl);
    await waitShadow('[data-testid=dataset-summary]', 120_000);
    expect(await shadowText('[data-testid=dataset-summary]')).toMatch(/3000 rows/);

    await choose('classifier.keras');
    await waitShadow('[data-testid=error]', 60_000);
    expect(await shadowText('[data-testid=error]')).toContain('classifier.keras is a Keras or TF.js model that reads token ids: add the Keras tokenizer JSON it was trained with');
    await page.$eval('lstm-trainer >>> [data-testid=error] .dismiss', (b) => (b as HTMLButtonElement).click());

    await choose('classifier.keras', 'tokenizer.json');
    await waitShadow('[data-testid=try]', 120_000);
    // The built-in data's labels name the two outputs, and its test split is evaluated.
    await page.waitForFunction(() => (document.querySelector('lstm-trainer') as unknown as { controller: { evaluation: unknown } }).controller.evaluation !== null, { timeout: 120_000, polling: 200 });
    const box = await page.$('lstm-trainer >>> [data-testid=try]');
    await box!.type(expected.probes[0]!);
    await page.waitForFunction(
      (t) => (document.querySelector('lstm-trainer')!.shadowRoot!.querySelector('[data-testid=saliency]')?.textContent ?? '').replace(/\s+/g, ' ').trim() === t,
      { timeout: 60_000, polling: 100 },
      expected.probes[0]!,
    );
    const shown = await shadowText('[data-testid=probabilities]');
    const [neg, pos] = expected.probabilities[0]!.map((p) => `${(100 * p).toFixed(1)}%`);
    expect(shown.replace(/\s+/g, '')).toBe(`negative${neg}positive${pos}`);
    expect(errors).toEqual([]);
  }, 400_000);
});
