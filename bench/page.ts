/**
 * The benchmark page in headless Chromium: Vite serves bench/browser.html, Puppeteer opens it and waits
 * until its workloads are registered; `fn` then drives the page. Fails loudly when the browser offers
 * no WebGPU adapter.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'puppeteer';
import { createServer } from 'vite';
import { launch } from '../tests/e2e/browser';

export const ROOT = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

export async function withBenchPage<T>(fn: (page: Page) => Promise<T>): Promise<T> {
  const server = await createServer({
    configFile: path.join(ROOT, 'vite.config.ts'),
    root: ROOT,
    logLevel: 'error',
    server: { host: '127.0.0.1', port: 0, hmr: false },
    // Pre-bundled up front: libraries the page imports on demand (reading a dataset) would otherwise be
    // discovered mid-run, and Vite's re-optimisation would break the page's pending import.
    optimizeDeps: { include: ['jszip', 'papaparse', 'seedrandom'] },
  });
  await server.listen();
  const addr = server.httpServer!.address() as { port: number };
  const browser = await launch({ protocolTimeout: 60 * 60_000 });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(0);
    page.on('pageerror', (e) => console.error(`page error: ${(e as Error).message}`));
    await page.goto(`http://127.0.0.1:${addr.port}/bench/browser.html`);
    await page.waitForFunction(() => (window as unknown as { benchReady?: boolean }).benchReady === true, { timeout: 300_000, polling: 200 });
    const adapter = await page.evaluate(async () => {
      const a = await navigator.gpu?.requestAdapter();
      return a ? JSON.stringify({ vendor: a.info.vendor, architecture: a.info.architecture, device: a.info.device, description: a.info.description }) : null;
    });
    if (!adapter) throw new Error('headless Chromium offers no WebGPU adapter (check the flags and the Vulkan driver)');
    console.log(`browser adapter.info: ${adapter}`);
    return await fn(page);
  } finally {
    await browser.close().catch(() => {});
    await server.close();
  }
}
