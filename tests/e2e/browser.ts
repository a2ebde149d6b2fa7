/**
 * End-to-end helpers: serve the build output (dist/) on 127.0.0.1 and drive Debian's Chromium (or
 * PUPPETEER_EXECUTABLE_PATH) through Puppeteer with WebGPU enabled. Without a browser the e2e tests
 * fail with that explanation; they are never skipped silently.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer';

export const ROOT = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const DIST = path.join(ROOT, 'dist');
export const ARTIFACTS = path.join(ROOT, 'tests/artifacts');

/** The tests use what `npm run build` made (`npm test` runs it first); without it they fail saying so. */
export function requireBuild(): void {
  for (const f of ['site/index.html', 'element.js', 'cli.js', 'index.js', 'builtin/sentences.zip']) {
    if (!fs.existsSync(path.join(DIST, f))) throw new Error(`dist/${f} is missing: run "npm run build" first (npm test does)`);
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.zip': 'application/zip',
  '.json': 'application/json',
  '.csv': 'text/csv',
};

/**
 * A static file server for `dir`, nothing cached; extra routes answer from memory (generated test files;
 * null: 404), read at each request, so a test may change them between page loads.
 */
export async function serve(dir: string, extra: Record<string, Uint8Array | string | null> = {}): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const p = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const route = extra[p];
    if (route === null) {
      res.writeHead(404, { 'cache-control': 'no-store' });
      res.end('not found');
      return;
    }
    if (route !== undefined) {
      res.writeHead(200, { 'content-type': TYPES[path.extname(p)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(route);
      return;
    }
    const file = path.join(dir, p.endsWith('/') ? `${p}index.html` : p);
    if (!file.startsWith(dir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404);
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(() => r())) };
}

export function chromiumPath(): string {
  const p = process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(p)) {
    throw new Error(`no Chromium at ${p}: install it (Debian: apt-get install -y chromium) or set PUPPETEER_EXECUTABLE_PATH`);
  }
  return p;
}

/** `protocolTimeout` bounds one page.evaluate (long benchmark runs need more than the default 3 min). */
export async function launch(opts: { protocolTimeout?: number } = {}): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    protocolTimeout: opts.protocolTimeout ?? 180_000,
    args: [
      '--enable-unsafe-webgpu',
      '--enable-features=Vulkan',
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}

/**
 * Open `url` in a new page of `browser` and wait until its <lstm-trainer> has loaded the built-in
 * dataset (3,000 rows). Returns the page errors and the paths of every request the page made.
 */
export async function openWithBuiltinDataset(browser: Browser, url: string, timeout = 120_000): Promise<{ errors: string[]; requests: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (e) => errors.push((e as Error).message));
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await page.goto(url);
  await page.waitForFunction(() => /3000 rows/.test(document.querySelector('lstm-trainer')?.shadowRoot?.querySelector('[data-testid=dataset-summary]')?.textContent ?? ''), {
    timeout,
    polling: 100,
  });
  await page.close();
  return { errors, requests };
}

/**
 * For a test file that drives one page: the build checked, dist/ served (with `extra` routes), Chromium
 * launched and a page opened whose errors (page errors and console errors) are collected. `close()`
 * shuts everything down (browser first: the server's close waits for its connections).
 */
export async function openTestPage(extra: Record<string, Uint8Array | string | null> = {}): Promise<{ page: Page; url: string; errors: string[]; close: () => Promise<void> }> {
  requireBuild();
  const server = await serve(DIST, extra);
  const browser = await launch();
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push((e as Error).message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return {
    page,
    url: server.url,
    errors,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/**
 * Before each document of `page` loads: count, in the page's own thread, the GPU devices it opens and the
 * command buffers it submits (a dedicated Worker has globals of its own, which this does not patch), so a
 * test can show that the page only renders while a Worker does the GPU work.
 */
export async function countPageGpu(page: Page): Promise<void> {
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
}

/** What countPageGpu counted since the document loaded. */
export const pageGpu = (page: Page) => page.evaluate(() => (window as unknown as { mainThreadGpu: { devices: number; submits: number } }).mainThreadGpu);

/** One thread's GPU buffers, as GPU_BUFFER_COUNTER reports them. */
export interface GpuBufferReport {
  /** 'page', or 'worker:' and the Worker's name (the element it serves), '#' and when it started. */
  thread: string;
  created: number;
  destroyed: number;
  /** Bytes of the buffers created and not destroyed. */
  liveBytes: number;
}

/**
 * A script that counts the GPU buffers of the thread it runs in — the page (added before its documents
 * load) or a Worker (put in front of the Worker's script): buffers created, destroyed, and the bytes of
 * those alive. After each change it posts its GpuBufferReport on the BroadcastChannel "gpu-buffers",
 * where collectGpuBuffers listens.
 */
export const GPU_BUFFER_COUNTER = `(() => {
  if (typeof GPUDevice === 'undefined') return;
  const isWorker = typeof WorkerGlobalScope !== 'undefined';
  const thread = isWorker ? 'worker:' + self.name + '#' + performance.timeOrigin : 'page';
  const channel = new BroadcastChannel('gpu-buffers');
  const live = new Map();
  const r = { thread, created: 0, destroyed: 0, liveBytes: 0 };
  const send = () => channel.postMessage({ ...r });
  const create = GPUDevice.prototype.createBuffer;
  GPUDevice.prototype.createBuffer = function (d) {
    const b = create.call(this, d);
    live.set(b, b.size);
    r.created++;
    r.liveBytes += b.size;
    send();
    return b;
  };
  const destroy = GPUBuffer.prototype.destroy;
  GPUBuffer.prototype.destroy = function () {
    if (live.has(this)) {
      r.destroyed++;
      r.liveBytes -= live.get(this);
      live.delete(this);
      send();
    }
    return destroy.call(this);
  };
})();
`;

/** Count the page's own GPU buffers and collect every thread's reports (window.gpuBuffers: the latest per thread). */
export async function collectGpuBuffers(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(GPU_BUFFER_COUNTER);
  await page.evaluateOnNewDocument(() => {
    const w = window as unknown as { gpuBuffers: Record<string, unknown> };
    w.gpuBuffers = {};
    new BroadcastChannel('gpu-buffers').onmessage = (e) => (w.gpuBuffers[(e.data as { thread: string }).thread] = e.data);
  });
}

/** The latest report of every thread whose name starts with `prefix`. */
export const gpuBuffers = (page: Page, prefix: string) =>
  page.evaluate((p) => Object.values((window as unknown as { gpuBuffers: Record<string, { thread: string }> }).gpuBuffers).filter((r) => r.thread.startsWith(p)), prefix) as Promise<GpuBufferReport[]>;
