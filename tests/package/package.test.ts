/**
 * The package as a user gets it: `npm pack` of what `npm run build` made (npm test builds first), the
 * tarball installed into a fresh project (dependencies from the npm cache or registry), and there:
 *   1. a plain .mjs script (no Vite, no TypeScript) trains, evaluates, saves, loads and exports;
 *   2. `npx webgpu-lstm train tiny.csv …` trains and saves;
 *   3. every `ts` example of the README, docs/api.md and docs/import.md type-checks with `tsc --strict` against the
 *      installed types (moduleResolution nodenext and bundler), and the README's layers example runs as written;
 *   4. a plain HTML page loads node_modules/webgpu-lstm/dist/element.js in headless Chromium;
 *   5. a Vite app imports 'webgpu-lstm' and 'webgpu-lstm/element': no Node-only code in its bundle;
 *   6. without the optional "webgpu" package, Node gets a sentence that says how to install it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import Papa from 'papaparse';
import type { Browser } from 'puppeteer';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedCorpus } from '../helpers/corpus';
import { DIST, launch, openWithBuiltinDataset, requireBuild, ROOT, serve } from '../e2e/browser';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let dir: string;
let pkgDir: string;
let browser: Browser | null = null;

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? dir, encoding: 'utf8', timeout: 300_000, env: opts.env ?? process.env });
  // Dawn and the Vulkan loader print driver notices on stderr; our own lines start with "error:".
  const errors = (r.stderr ?? '').split('\n').filter((l) => l.startsWith('error: '));
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', errors };
}

/** A small two-class CSV the model can learn (the key word decides the label). */
function tinyCsv(n: number, seed: string): string {
  const c = generatedCorpus(n, seed);
  return Papa.unparse(c.texts.map((text, i) => ({ review: text, sentiment: c.labelNames[c.labels[i]!] })));
}

beforeAll(async () => {
  requireBuild();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webgpu-lstm-consumer-'));
  // --ignore-scripts: the tests use the build `npm test` made; prepack would rebuild dist/ under the other test files' feet.
  const packed = execFileSync(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' });
  const tarball = path.join(dir, (JSON.parse(packed) as Array<{ filename: string }>)[0]!.filename);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const install = run(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball]);
  if (install.code !== 0) throw new Error(`npm install of the tarball failed:\n${install.stderr}`);
  pkgDir = path.join(dir, 'node_modules/webgpu-lstm');
}, 600_000);

afterAll(async () => {
  await browser?.close();
});

describe('the packed tarball, installed into a fresh project', () => {
  it('ships the built entries, types and built-in data, and no sources, tests or float64 references', () => {
    const files = (function walk(d: string, base = ''): string[] {
      return fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name), `${base}${e.name}/`) : [`${base}${e.name}`]));
    })(pkgDir);
    for (const f of ['package.json', 'README.md', 'docs/api.md', 'docs/cli.md', 'docs/elements.md', 'dist/index.js', 'dist/node.js', 'dist/cli.js', 'dist/element.js', 'dist/builtin/sentences.zip', 'dist/builtin/series.csv', 'dist/types/index.d.ts', 'dist/types/node.d.ts', 'dist/types/element.d.ts']) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => /^(src|tests|bench|demo|shaders)\//.test(f) || f.startsWith('dist/site/'))).toEqual([]);
    // What went into each bundle, from its source map: no float64 reference, no WGSL parser.
    for (const map of files.filter((f) => f.endsWith('.js.map'))) {
      const sources = (JSON.parse(fs.readFileSync(path.join(pkgDir, map), 'utf8')) as { sources: string[] }).sources;
      expect(sources.filter((s) => /src\/reference\/|wgsl_reflect/.test(s)), map).toEqual([]);
    }
    for (const js of files.filter((f) => f.endsWith('.js'))) {
      const text = fs.readFileSync(path.join(pkgDir, js), 'utf8');
      expect(text, js).not.toMatch(/lstmBackwardRef|matmulRef|WgslReflect/);
    }
  });

  it('a plain Node script imports the package, trains, evaluates, saves, loads and exports', () => {
    fs.writeFileSync(path.join(dir, 'reviews.csv'), tinyCsv(400, 'package-train'));
    fs.writeFileSync(
      path.join(dir, 'train.mjs'),
      `import fs from 'node:fs';
import { createSentimentModel, loadDataset, splitDataset, formatReport, SentimentModel, loadBuiltinDataset } from 'webgpu-lstm';
const data = await loadDataset(fs.readFileSync('reviews.csv'), 'reviews.csv');
const { train, test } = splitDataset(data, { testSize: 0.25, seed: 7 });
const model = await createSentimentModel({ vocabSize: 40, embedDim: 8, units: 8, seed: 7 });
const history = await model.fit(train, { epochs: 6, batchSize: 16 });
const ev = await model.evaluate(test);
console.log(formatReport(ev.report));
const again = await SentimentModel.load(await model.save());
const p1 = await model.predict(['the food was great']);
const p2 = await again.predict(['the food was great']);
const { modelJson, weightsBin } = await model.exportTfjs();
const builtin = await loadBuiltinDataset();
console.log(JSON.stringify({ epochs: history.epochs.length, accuracy: ev.accuracy, same: JSON.stringify(p1) === JSON.stringify(p2),
  format: modelJson.format, weightBytes: weightsBin.byteLength, builtinRows: builtin.texts.length, tuning: model.engine.tuning }));
model.engine.destroy();
process.exit(0);
`,
    );
    const r = run(process.execPath, ['train.mjs']);
    expect(r.stderr.split('\n').filter((l) => /Error|error:/.test(l))).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('              precision    recall  f1-score   support');
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(out.epochs).toBe(6);
    expect(out.accuracy as number).toBeGreaterThan(0.75); // chance is 0.5; the key word decides the label
    expect(out.same).toBe(true);
    expect(out.format).toBe('layers-model');
    expect(out.weightBytes as number).toBeGreaterThan(0);
    expect(out.builtinRows).toBe(3000);
  });

  it('npx webgpu-lstm train tiny.csv trains, prints the report and saves the model', () => {
    fs.writeFileSync(path.join(dir, 'tiny.csv'), tinyCsv(200, 'package-cli'));
    const r = run(NPM, ['exec', '--no', '--', 'webgpu-lstm', 'train', 'tiny.csv', '--epochs', '1', '--units', '8', '--embed', '8', '--out', 'm.zip']);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/file: tiny\.csv: 200 rows, 2 columns; text "review", label "sentiment"/);
    expect(r.stdout).toMatch(/test split: \d+ rows, loss [\d.]+, accuracy [\d.]+, macro-F1 [\d.]+/);
    expect(r.stdout).toContain('              precision    recall  f1-score   support');
    expect(r.stdout).toMatch(/model saved to m\.zip/);
    expect(fs.readFileSync(path.join(dir, 'm.zip')).subarray(0, 2).toString('latin1')).toBe('PK');
  });

  it("every ts example of the README, docs/api.md and docs/import.md type-checks with tsc --strict against the installed types", () => {
    // A Markdown page with a ts example must be listed here, so that no example goes unchecked.
    const pages = ['README.md', 'docs/api.md', 'docs/import.md'];
    const docsWithTs = fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md') && /^```ts$/m.test(fs.readFileSync(path.join(ROOT, 'docs', f), 'utf8')));
    expect(docsWithTs.map((f) => `docs/${f}`).filter((f) => !pages.includes(f)), 'docs pages with ts examples missing from the list').toEqual([]);
    const src = path.join(dir, 'ts');
    fs.mkdirSync(src, { recursive: true });
    let count = 0;
    for (const page of pages) {
      const blocks = [...fs.readFileSync(path.join(ROOT, page), 'utf8').matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
      expect(blocks.length, page).toBeGreaterThanOrEqual(1);
      const stem = path.basename(page, '.md').toLowerCase();
      blocks.forEach((b, i) => fs.writeFileSync(path.join(src, `${stem}-example${i + 1}.ts`), b));
      count += blocks.length;
    }
    expect(count).toBeGreaterThanOrEqual(2);
    const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
    // Node's types from this repository; WebGPU's from TypeScript's DOM lib (which has them since 6.0;
    // older ones add the package's dependency @webgpu/types, which itself needs the DOM lib).
    const typeRoots = [path.join(ROOT, 'node_modules/@types')];
    for (const [module, resolution] of [
      ['nodenext', 'nodenext'],
      ['esnext', 'bundler'],
    ]) {
      const config = {
        compilerOptions: { strict: true, noEmit: true, target: 'es2022', module, moduleResolution: resolution, lib: ['es2022', 'dom'], types: ['node'], typeRoots, skipLibCheck: false },
        include: ['ts/*.ts'],
      };
      const name = `tsconfig.${resolution}.json`;
      fs.writeFileSync(path.join(dir, name), JSON.stringify(config));
      const r = run(process.execPath, [tsc, '-p', name]);
      expect(`${r.stdout}${r.stderr}`, `moduleResolution ${resolution}`).toBe('');
      expect(r.code).toBe(0);
    }
  });

  it("the README's layers example runs as written in plain Node", () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    // The README's ts block that builds a model with sequential([…]), wherever it stands.
    const layersExamples = [...readme.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]!).filter((b) => /sequential\(\[/.test(b));
    expect(layersExamples).toHaveLength(1);
    const block = layersExamples[0]!;
    const src = path.join(dir, 'run');
    fs.mkdirSync(src, { recursive: true });
    fs.writeFileSync(path.join(src, 'example.mts'), block);
    // Compiled (types stripped) exactly as written, then run against the installed package.
    const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
    const built = run(process.execPath, [tsc, 'run/example.mts', '--outDir', 'run-out', '--module', 'nodenext', '--target', 'es2022', '--strict', '--skipLibCheck', '--types', 'node', '--typeRoots', path.join(ROOT, 'node_modules/@types')]);
    expect(`${built.stdout}${built.stderr}`).toBe('');
    const r = run(process.execPath, ['run-out/example.mjs']);
    expect(r.stderr.split('\n').filter((l) => /Error|error:/.test(l))).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^epoch 20: loss [\d.e+-]+, val_mae [\d.]+$/m);
    expect(r.stdout).toMatch(/^test MSE [\d.]+, MAE [\d.]+, first prediction -?[\d.]+$/m);
    expect(r.stdout).toContain('│ lstm (LSTM)                     │ (None, 32)             │         4,352 │');
    // Its 20 epochs of training took 28 s alone and up to 151 s beside the rest of the suite on a slow
    // evening: the budget is that of the two processes it runs (300 s each), not the default 180 s.
  }, 600_000);

  it('a page without a bundler loads node_modules/webgpu-lstm/dist/element.js and the element loads its built-in dataset', async () => {
    fs.writeFileSync(
      path.join(dir, 'index.html'),
      '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">' +
        '<script type="module" src="./node_modules/webgpu-lstm/dist/element.js"></script><lstm-trainer epochs="1"></lstm-trainer>',
    );
    const site = await serve(dir);
    try {
      browser = await launch();
      const { errors, requests } = await openWithBuiltinDataset(browser, `${site.url}index.html`);
      expect(errors).toEqual([]);
      expect(requests.filter((r) => !/^\/(index\.html|node_modules\/webgpu-lstm\/dist\/((element|trainer-worker)(-[\w.-]+)?\.js|builtin\/sentences\.zip))$/.test(r))).toEqual([]);
      // The Worker comes from the installed package, beside the module.
      expect(requests.some((r) => /^\/node_modules\/webgpu-lstm\/dist\/trainer-worker-[\w-]+\.js$/.test(r))).toBe(true);
    } finally {
      // The browser first: the server's close waits for the browser's open connections.
      await browser?.close();
      browser = null;
      await site.close();
    }
  });

  it('a Vite app bundles the library and the element without any Node-only code; sizes reported', async () => {
    const app = path.join(dir, 'app');
    fs.mkdirSync(app, { recursive: true });
    // Two apps: one imports only createSentimentModel (the library entry's cost), one registers the element.
    fs.writeFileSync(path.join(app, 'lib.html'), '<!doctype html><script type="module" src="./lib.ts"></script>');
    fs.writeFileSync(path.join(app, 'lib.ts'), "import { createSentimentModel } from 'webgpu-lstm';\nconsole.log(createSentimentModel);\n");
    fs.writeFileSync(path.join(app, 'element.html'), '<!doctype html><script type="module" src="./element.ts"></script><lstm-trainer></lstm-trainer>');
    fs.writeFileSync(path.join(app, 'element.ts'), "import 'webgpu-lstm/element';\nimport { formatReport } from 'webgpu-lstm';\nconsole.log(formatReport);\n");
    const outDir = path.join(app, 'dist');
    await build({
      configFile: false,
      root: app,
      logLevel: 'error',
      build: { outDir, target: 'es2022', manifest: true, rollupOptions: { input: { lib: path.join(app, 'lib.html'), element: path.join(app, 'element.html') } } },
    });
    const js = fs.readdirSync(path.join(outDir, 'assets')).filter((f) => f.endsWith('.js'));
    for (const f of js) {
      const text = fs.readFileSync(path.join(outDir, 'assets', f), 'utf8');
      expect(text, f).not.toMatch(/SwiftShader ICD|VK_ICD_FILENAMES|from ?["']webgpu["']|node:fs/);
    }
    // What each page loads before any interaction: its entry chunk and everything it imports statically.
    type Chunk = { file: string; imports?: string[] };
    const manifest = JSON.parse(fs.readFileSync(path.join(outDir, '.vite/manifest.json'), 'utf8')) as Record<string, Chunk>;
    const gzipped = (key: string, seen = new Set<string>()): number => {
      if (seen.has(key)) return 0;
      seen.add(key);
      const c = manifest[key]!;
      return zlib.gzipSync(fs.readFileSync(path.join(outDir, c.file))).length + (c.imports ?? []).reduce((sum, k) => sum + gzipped(k, seen), 0);
    };
    const kB = (n: number) => `${(n / 1024).toFixed(1)} kB`;
    const lib = gzipped('lib.html');
    const element = gzipped('element.html');
    console.log(
      `gzipped, before any interaction: a Vite app importing only createSentimentModel ${kB(lib)}; one importing the element ${kB(element)}; ` +
        `dist/element.js alone ${kB(zlib.gzipSync(fs.readFileSync(path.join(DIST, 'element.js'))).length)}`,
    );
    expect(lib).toBeGreaterThan(0);
    // The element's Worker came along as an asset of the app, and the element trains in it there.
    expect(js.some((f) => /^trainer-worker-[\w-]+\.js$/.test(f)), js.join(', ')).toBe(true);
    const site = await serve(outDir);
    try {
      browser = await launch();
      const page = await browser.newPage();
      await page.goto(`${site.url}element.html`);
      await page.waitForFunction(() => /training (in|on)/.test(document.querySelector('lstm-trainer')?.shadowRoot?.querySelector('[data-testid=gpu]')?.textContent ?? ''), { timeout: 60_000, polling: 100 });
      expect(await page.$eval('lstm-trainer >>> [data-testid=gpu]', (el) => el.textContent ?? '')).toMatch(/training in a Worker/);
    } finally {
      await browser?.close();
      browser = null;
      await site.close();
    }
  });

  it('without the optional "webgpu" package, Node explains how to get it', () => {
    const dawn = path.join(dir, 'node_modules/webgpu');
    const hidden = path.join(dir, 'node_modules/.webgpu-hidden');
    fs.renameSync(dawn, hidden);
    try {
      fs.writeFileSync(path.join(dir, 'nodawn.mjs'), "import { createEngine } from 'webgpu-lstm';\ntry { await createEngine(); } catch (e) { console.log(e.message); }\n");
      const r = run(process.execPath, ['nodawn.mjs']);
      expect(r.stdout).toMatch(/webgpu-lstm needs Dawn to use WebGPU in Node \(the npm package "webgpu", an optional dependency\).*npm install webgpu/);
    } finally {
      fs.renameSync(hidden, dawn);
    }
  });
});
