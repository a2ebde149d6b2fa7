#!/usr/bin/env node
// Peak memory while loading a large CSV through the built package (dist/, `npm run build` first):
// generates a two-class CSV of ROWS rows (default 1.5 million, ~150 MB; written once to the system's
// temp directory, never committed), then in a fresh Node process reads it as the CLI does (the file as
// a Blob, fs.openAsBlob → loadDataset → splitDataset) and prints the peak resident memory over the whole process and
// above what the process held before reading, both against the file's size.
// Usage: node bench/load-memory.mjs [rows]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

if (process.argv[2] === '--child') {
  const file = process.argv[3];
  const { loadDataset, splitDataset } = await import(path.join(root, 'dist/index.js'));
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  const t0 = performance.now();
  const data = await loadDataset(await fs.openAsBlob(file), path.basename(file));
  const loaded = process.resourceUsage().maxRSS * 1024;
  const splits = splitDataset(data, { testSize: 0.2, validationSize: 0.1, seed: 1 });
  const seconds = (performance.now() - t0) / 1000;
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ before, loaded, peak, seconds, rows: data.info.rows, train: splits.train.texts.length }));
  process.exit(0);
}

const rows = Number(process.argv[2] ?? 1_500_000);
const file = path.join(os.tmpdir(), `webgpu-lstm-load-${rows}.csv`);
if (!fs.existsSync(file)) {
  // Reproducible words (a small linear congruential stream), sentences of 6–30 words, two labels.
  const words = ['good', 'bad', 'great', 'awful', 'the', 'a', 'movie', 'food', 'service', 'was', 'is', 'not', 'very', 'really', 'plot', 'actors', 'price', 'staff', 'slow', 'fast', 'love', 'hate', 'boring', 'fun'];
  let s = 12345;
  const next = (n) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) % n;
  const fd = fs.openSync(`${file}.part`, 'w');
  fs.writeSync(fd, 'text,label\n');
  let chunk = [];
  for (let r = 0; r < rows; r++) {
    const n = 6 + next(25);
    const t = Array.from({ length: n }, () => words[next(words.length)]).join(' ');
    chunk.push(`"${t}",${next(2) ? 'positive' : 'negative'}`);
    if (chunk.length === 10_000) {
      fs.writeSync(fd, `${chunk.join('\n')}\n`);
      chunk = [];
    }
  }
  if (chunk.length) fs.writeSync(fd, `${chunk.join('\n')}\n`);
  fs.closeSync(fd);
  fs.renameSync(`${file}.part`, file);
}
const size = fs.statSync(file).size;
const out = execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', file], { encoding: 'utf8', maxBuffer: 1 << 20 });
const r = JSON.parse(out.trim().split('\n').at(-1));
const mb = (n) => `${(n / 2 ** 20).toFixed(0)} MiB`;
console.log(
  `load ${path.basename(file)} (${mb(size)}, ${r.rows} rows) → loadDataset + splitDataset in ${r.seconds.toFixed(1)} s: ` +
    `peak RSS ${mb(r.peak)} (${(r.peak / size).toFixed(2)}× the file), ${mb(r.peak - r.before)} above the ${mb(r.before)} held before reading (${((r.peak - r.before) / size).toFixed(2)}×); ` +
    `by the end of loadDataset alone ${mb(r.loaded)} (${(r.loaded / size).toFixed(2)}×, ${((r.loaded - r.before) / size).toFixed(2)}× above)`,
);
