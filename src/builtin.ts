/**
 * The built-in dataset: the 3,000 labelled sentences (IMDb, Yelp, Amazon; UCI "Sentiment Labelled
 * Sentences") from the npm package sentiment@5.0.2, as one zip with one CSV (text, label, source). The
 * build writes it beside the published modules (dist/builtin/sentences.zip); it is generated, never
 * committed. In Node it is read from there; in a page it is fetched from beside the module that asks.
 */
import { loadDataset, type Dataset, type DatasetOptions } from './data/dataset';

/** Where the files lie relative to the published modules (all in dist/). */
const BUILTIN_FILE = 'builtin/sentences.zip';
const BUILTIN_SERIES = 'builtin/series.csv';
const BUILTIN_TEXT = 'builtin/sentences.txt';

/**
 * The built-in dataset's URL: beside this module (a file: URL in Node). A page that bundles this package
 * gets its modules renamed and moved, so copy `webgpu-lstm/dist/builtin/sentences.zip` to your site
 * and use that URL instead.
 */
export function builtinDatasetUrl(): URL {
  // Not a literal: bundlers must leave the URL for run time (the file sits beside the published modules).
  return new URL(BUILTIN_FILE, import.meta.url);
}

/** What a relative `url` is relative to: the page, or in Node the working directory (so a file path works). */
function relativeBase(): string | undefined {
  if (typeof document !== 'undefined') return document.baseURI;
  if (typeof process !== 'undefined' && process.versions?.node) {
    const cwd = process.cwd().replace(/\\/g, '/');
    return `file://${cwd.startsWith('/') ? '' : '/'}${cwd}/`;
  }
  return (globalThis as { location?: { href: string } }).location?.href;
}

/**
 * The built-in forecasting series' URL (eight years of synthetic daily temperatures, CSV with columns
 * date, temperature), beside this module like the dataset.
 */
export function builtinSeriesUrl(): URL {
  return new URL(BUILTIN_SERIES, import.meta.url);
}

/** The built-in text for language models (the built-in sentences, one per line), beside this module. */
export function builtinTextUrl(): URL {
  return new URL(BUILTIN_TEXT, import.meta.url);
}

/** The built-in text's UTF-8 bytes (from `url` when given). */
export function builtinTextBytes(url: URL | string = builtinTextUrl()): Promise<Uint8Array> {
  return builtinBytes(url, 'text');
}

/** The built-in dataset's zip bytes (from `url` when given: where your site serves the file). */
export function builtinDatasetBytes(url: URL | string = builtinDatasetUrl()): Promise<Uint8Array> {
  return builtinBytes(url, 'dataset');
}

/** The built-in series' CSV bytes (from `url` when given: where your site serves the file). */
export function builtinSeriesBytes(url: URL | string = builtinSeriesUrl()): Promise<Uint8Array> {
  return builtinBytes(url, 'series');
}

async function builtinBytes(url: URL | string, what: string): Promise<Uint8Array> {
  url = new URL(url, relativeBase());
  if (url.protocol === 'file:') {
    const fsModule = 'node:fs/promises';
    const fs = (await import(/* @vite-ignore */ fsModule)) as typeof import('node:fs/promises');
    try {
      return new Uint8Array(await fs.readFile(url));
    } catch (e) {
      throw new Error(`the built-in ${what} is missing (${url.pathname}): ${(e as Error).message}. In a clone of the repository, run "npm run build".`);
    }
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not download the built-in ${what} from ${url.href}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * The built-in dataset, parsed like any user's file. `url`: where your site serves
 * webgpu-lstm/dist/builtin/sentences.zip, when a bundler has moved this module away from it (with Vite:
 * `import url from 'webgpu-lstm/builtin/sentences.zip?url'`).
 */
export async function loadBuiltinDataset(opts: DatasetOptions & { url?: URL | string } = {}): Promise<Dataset> {
  const { url, ...datasetOptions } = opts;
  return loadDataset(await builtinDatasetBytes(url), 'sentences.zip', datasetOptions);
}
