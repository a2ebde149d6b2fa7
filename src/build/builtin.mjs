#!/usr/bin/env node
// Builds the built-in default dataset from the npm package `sentiment@5.0.2`: its test fixtures hold the
// 3,000 labelled sentences of the UCI "Sentiment Labelled Sentences" set (IMDb, Yelp, Amazon; MIT-licensed
// package). They become demo/public/builtin/sentences.zip with one CSV (text, label, source), the same
// format as a user's file, so the built-in data takes exactly the path an uploaded file takes; and
// demo/public/builtin/sentences.txt, the same sentences one per line, the built-in text for language models.
// The sentences are never committed: this runs before start, build, test and the CLI.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';
import Papa from 'papaparse';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BUILTIN_ZIP = path.join(root, 'demo/public/builtin/sentences.zip');
/** The same sentences as plain text, one per line: the built-in text for language models. */
export const BUILTIN_TEXT = path.join(root, 'demo/public/builtin/sentences.txt');

export async function buildBuiltin({ force = false } = {}) {
  if (!force && fs.existsSync(BUILTIN_ZIP) && fs.existsSync(BUILTIN_TEXT)) return BUILTIN_ZIP;
  const require = createRequire(import.meta.url);
  let fixtures;
  try {
    fixtures = path.dirname(require.resolve('sentiment/test/fixtures/imdb.json'));
  } catch {
    throw new Error('the npm package "sentiment" (devDependency, pinned 5.0.2) is missing: run "npm ci"');
  }
  const rows = [];
  for (const source of ['imdb', 'yelp', 'amazon']) {
    const items = JSON.parse(fs.readFileSync(path.join(fixtures, `${source}.json`), 'utf8'));
    for (const it of items) {
      // Each fixture file ends with one empty placeholder item ({"text": "", "class": null}).
      if (it.text === '' && it.class === null) continue;
      if (typeof it.text !== 'string' || (it.class !== 0 && it.class !== 1)) throw new Error(`unexpected item in ${source}.json`);
      rows.push({ text: it.text.trim(), label: it.class === 1 ? 'positive' : 'negative', source });
    }
  }
  const zip = new JSZip();
  zip.file('sentences.csv', Papa.unparse(rows, { columns: ['text', 'label', 'source'] }));
  const bytes = await zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
  fs.mkdirSync(path.dirname(BUILTIN_ZIP), { recursive: true });
  fs.writeFileSync(BUILTIN_ZIP, bytes);
  fs.writeFileSync(BUILTIN_TEXT, `${rows.map((r) => r.text).join('\n')}\n`);
  return BUILTIN_ZIP;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildBuiltin({ force: process.argv.includes('--force') });
  console.log(`built-in dataset: ${path.relative(root, out)}`);
}
