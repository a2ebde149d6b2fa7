/**
 * Where <lstm-trainer> trains: in a dedicated Worker (the demo e2e measures the page's long tasks while
 * it does); on the main thread, saying why in the GPU line, when the Worker cannot get WebGPU, when its
 * script does not load, or when the element has `main-thread` set. Each fallback still trains.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer';
import { DIST, openTestPage } from './browser';

let page: Page;
let siteUrl = '';
let errors: string[] = [];
let close: () => Promise<void>;
/** The demo's Worker script, as built. */
const WORKER = fs.readdirSync(path.join(DIST, 'site/assets')).find((f) => /^trainer-worker-[\w-]+\.js$/.test(f))!;
const workerPath = `/site/assets/${WORKER}`;
/** Routes the server answers from memory: the Worker's script is replaced here (null: 404), per test. */
const routes: Record<string, string | null> = {};
/** Serve the Worker's script as built, without WebGPU in it, or not at all. */
function workerScript(how: 'as-is' | 'no-webgpu' | 'missing'): void {
  if (how === 'as-is') delete routes[workerPath];
  // A browser that offers WebGPU to pages but not to Workers: the Worker's navigator has no gpu.
  else if (how === 'no-webgpu') routes[workerPath] = `Object.defineProperty(self.navigator, 'gpu', { value: undefined });\n${fs.readFileSync(path.join(DIST, 'site/assets', WORKER), 'utf8')}`;
  else routes[workerPath] = null;
}
const workerRequests: string[] = [];

beforeAll(async () => {
  let url: string;
  ({ page, url, errors, close } = await openTestPage(routes));
  siteUrl = `${url}site/`;
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === workerPath) workerRequests.push(workerPath);
  });
}, 60_000);

afterAll(async () => {
  await close?.();
});

const gpuLine = () => page.$eval('lstm-trainer >>> [data-testid=gpu]', (el) => (el.textContent ?? '').replace(/\s+/g, ' ').trim());

/** Open the demo, wait for the built-in data, train one tiny epoch, return the GPU line and the test accuracy. */
async function trainOnce(setup: string | null = null): Promise<{ gpu: string; accuracy: number; events: string[] }> {
  await page.goto(siteUrl);
  if (setup) await page.evaluate(setup);
  await page.evaluate(() => {
    const w = window as unknown as { trainerErrors: string[] };
    w.trainerErrors = [];
    document.addEventListener('error', (e) => w.trainerErrors.push((e as unknown as CustomEvent).detail?.message), true);
  });
  await page
    .waitForFunction(() => /3000 rows/.test(document.querySelector('lstm-trainer')?.shadowRoot?.querySelector('[data-testid=dataset-summary]')?.textContent ?? ''), {
      timeout: 120_000,
      polling: 200,
    })
    .catch(async (e: Error) => {
      // Say where it stood: the thread, the trainer's status and error.
      const state = await page.evaluate(() => {
        const el = document.querySelector('lstm-trainer') as unknown as { trainer: { thread: string; current: { status: string; error: string | null } } };
        return JSON.stringify({ thread: el.trainer.thread, status: el.trainer.current.status, error: el.trainer.current.error });
      });
      throw new Error(`${e.message}; the element: ${state}`);
    });
  await page.waitForFunction(() => /training (in|on)/.test(document.querySelector('lstm-trainer')?.shadowRoot?.querySelector('[data-testid=gpu]')?.textContent ?? ''), { timeout: 30_000 });
  await page.evaluate(() => Object.assign(document.querySelector('lstm-trainer')!, { epochs: 1, units: 8, embedDim: 8, maxLen: 30, earlyStopping: 0 }));
  await page.$eval('lstm-trainer >>> [data-testid=train]', (b) => (b as HTMLButtonElement).click());
  await page.waitForFunction(() => !!document.querySelector('lstm-trainer')?.shadowRoot?.querySelector('[data-testid=accuracy]'), { timeout: 240_000, polling: 500 });
  const text = await page.$eval('lstm-trainer >>> [data-testid=accuracy]', (el) => el.textContent ?? '');
  const events = await page.evaluate(() => (window as unknown as { trainerErrors: string[] }).trainerErrors);
  return { gpu: await gpuLine(), accuracy: Number(/Test accuracy ([\d.]+)/.exec(text)![1]), events };
}

describe('<lstm-trainer> chooses its thread and says which', () => {
  it('by default it trains in a Worker', async () => {
    workerScript('as-is');
    const r = await trainOnce();
    expect(r.gpu).toMatch(/training in a Worker/);
    expect(workerRequests.length).toBeGreaterThan(0);
    expect(r.accuracy).toBeGreaterThan(0.5);
    expect(r.events).toEqual([]);
  });

  it('a Worker without WebGPU: it trains on the main thread and says why, with no error shown', async () => {
    workerScript('no-webgpu');
    const r = await trainOnce();
    expect(r.gpu).toMatch(/training on the main thread: WebGPU is not available in a Worker here/);
    expect(r.accuracy).toBeGreaterThan(0.5);
    expect(r.events, 'the replaced Worker raises no error event').toEqual([]);
    expect(await page.$('lstm-trainer >>> [data-testid=error]')).toBeNull();
  });

  it('a Worker script that does not load: it trains on the main thread, once, and says why', async () => {
    workerScript('missing');
    // Count the GPU devices the page itself opens: the failure is reported twice (the Worker's error
    // event, its unanswered start), and must start one main-thread trainer, not two.
    const counting = await page.evaluateOnNewDocument(() => {
      const w = window as unknown as { devicesOpened: number };
      w.devicesOpened = 0;
      const request = GPUAdapter.prototype.requestDevice;
      GPUAdapter.prototype.requestDevice = function (this: GPUAdapter, ...a: Parameters<GPUAdapter['requestDevice']>) {
        w.devicesOpened++;
        return request.apply(this, a);
      };
    });
    const r = await trainOnce();
    await page.removeScriptToEvaluateOnNewDocument(counting.identifier);
    expect(r.gpu).toMatch(/training on the main thread: the Worker did not start/);
    expect(r.accuracy).toBeGreaterThan(0.5);
    expect(await page.evaluate(() => (window as unknown as { devicesOpened: number }).devicesOpened)).toBe(1);
  });

  it('main-thread set on the element: no Worker is started', async () => {
    workerScript('as-is');
    const before = workerRequests.length;
    // The demo's element is replaced by one with main-thread set before it connects.
    const r = await trainOnce(`{
      const old = document.querySelector('lstm-trainer');
      const el = document.createElement('lstm-trainer');
      el.setAttribute('builtin-url', 'builtin/sentences.zip');
      el.setAttribute('main-thread', '');
      old.replaceWith(el);
    }`);
    expect(r.gpu).toMatch(/training on the main thread: the element has main-thread set/);
    expect(r.accuracy).toBeGreaterThan(0.5);
    // The page's own element started a Worker before it was replaced; the new one did not.
    expect(workerRequests.length - before).toBeLessThanOrEqual(1);
  });

  it('no WebGPU at all (neither the page nor a Worker): the page explains which browsers and flags work, instead of breaking', async () => {
    workerScript('no-webgpu');
    await page.evaluateOnNewDocument(() => Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined }));
    await page.goto(siteUrl);
    await page.waitForFunction(() => !!document.querySelector('lstm-trainer')?.shadowRoot?.querySelector('[data-testid=no-webgpu]'), { timeout: 30_000, polling: 100 });
    const text = await page.$eval('lstm-trainer >>> [data-testid=no-webgpu]', (el) => (el.textContent ?? '').replace(/\s+/g, ' '));
    expect(text).toMatch(/WebGPU is not available here.*navigator\.gpu is missing.*Chrome or Edge/);
    expect(await gpuLine()).toMatch(/on the main thread: WebGPU is not available in a Worker here/);
  });

  it('the page logged no errors', () => {
    expect(errors.filter((e) => !/Failed to load resource.*404/.test(e))).toEqual([]);
  });
});
