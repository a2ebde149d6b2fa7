#!/usr/bin/env node
// Builds the built-in numeric series for the forecasting demo and CLI: eight years of synthetic daily
// temperatures (a yearly cycle, a weekly ripple, a slow warming trend and autocorrelated weather noise,
// all from one seed) as demo/public/builtin/series.csv with columns date, temperature. Synthetic, so
// nothing fetched from elsewhere is ever committed or shipped; generated, never committed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import seedrandom from 'seedrandom';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BUILTIN_SERIES = path.join(root, 'demo/public/builtin/series.csv');

export function builtinSeriesRows() {
  const rng = seedrandom('webgpu-lstm builtin series');
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const start = Date.UTC(2017, 0, 1);
  const days = 8 * 365 + 2;
  const rows = [];
  let weather = 0;
  for (let d = 0; d < days; d++) {
    weather = 0.5 * weather + 1.8 * gauss();
    const season = 9 * Math.sin((2 * Math.PI * (d - 105)) / 365.25);
    const week = 0.4 * Math.sin((2 * Math.PI * d) / 7);
    const v = 11 + season + week + (0.6 * d) / days + weather;
    rows.push([new Date(start + d * 86400000).toISOString().slice(0, 10), v.toFixed(1)]);
  }
  return rows;
}

export function buildSeries({ force = false } = {}) {
  if (!force && fs.existsSync(BUILTIN_SERIES)) return BUILTIN_SERIES;
  const csv = ['date,temperature', ...builtinSeriesRows().map((r) => r.join(','))].join('\n') + '\n';
  fs.mkdirSync(path.dirname(BUILTIN_SERIES), { recursive: true });
  fs.writeFileSync(BUILTIN_SERIES, csv);
  return BUILTIN_SERIES;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`built-in series: ${path.relative(root, buildSeries({ force: process.argv.includes('--force') }))}`);
}
