/** `webgpu-lstm forecast`, run as a user runs it (the built command, a child process). */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../src/index';
import { requireBuild } from './e2e/browser';
import { getEngine } from './helpers/gpu';
import { seasonalSeries } from './helpers/series';

const ROOT = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
beforeAll(() => requireBuild());

function forecast(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'forecast', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, errors };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lstm-forecast-'));
const file = path.join(dir, 'series.csv');
// A noisy seasonal series with a date column, an id column and two bad cells (skipped and reported).
const values = seasonalSeries(900, 'cli');
const rows = values.map((v, i) => `${i + 1},2020-01-${String((i % 28) + 1).padStart(2, '0')},${i === 100 ? '?0.2' : i === 101 ? '' : v.toFixed(4)}`);
fs.writeFileSync(file, `id,day,level\n${rows.join('\n')}\n`);

describe('webgpu-lstm forecast', () => {
  it('trains on a CSV column, prints RMSE/MAE beside persistence and the window mean, beats persistence, writes the model and the test predictions', async () => {
    const out = path.join(dir, 'f.zip');
    const csv = path.join(dir, 'pred.csv');
    const r = forecast([file, '--column', 'level', '--window', '24', '--epochs', '20', '--units', '24', '--out', out, '--out-csv', csv]);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/column "level": 898 values; skipped 2 that are not numbers \(rows 101, 102\)/);
    expect(r.stderr).toMatch(/epoch 20\/20 \[#+\] \d+\/\d+ {2}loss/);
    const num = (label: RegExp) => {
      const m = new RegExp(`^${label.source}\\s+([\\d.]+)\\s+([\\d.]+)$`, 'm').exec(r.stdout);
      expect(m, `${label} row`).not.toBeNull();
      return { rmse: Number(m![1]), mae: Number(m![2]) };
    };
    const lstm = num(/LSTM/);
    const persistence = num(/persistence \(next = last\)/);
    const mean = num(/window mean \(last 24\)/);
    expect(lstm.rmse).toBeLessThan(persistence.rmse);
    expect(lstm.rmse).toBeLessThan(mean.rmse);
    // The printed persistence error is the one computed from the file's values on the same test windows.
    const lines = fs.readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('index,actual,predicted,persistence,window_mean');
    const parsed = lines.slice(1).map((l) => l.split(',').map(Number));
    const rmse = (k: number) => Math.sqrt(parsed.reduce((s, p) => s + (p[k]! - p[1]!) ** 2, 0) / parsed.length);
    expect(rmse(3)).toBeCloseTo(persistence.rmse, 2);
    expect(rmse(2)).toBeCloseTo(lstm.rmse, 2);
    // The saved model predicts again, with its scaling and window in its metadata.
    const model = await loadModel(fs.readFileSync(out), { engine: await getEngine(), kind: 'layers' });
    const meta = model.getUserDefinedMetadata() as { forecast: { window: number; horizon: number; column: string; scaler: { min: number; max: number } } };
    expect(meta.forecast).toMatchObject({ window: 24, horizon: 1, column: 'level' });
    model.dispose();
  });

  it('a horizon of 3 predicts three values per window; bad input is one sentence and a non-zero exit', () => {
    const r = forecast([file, '--column', 'level', '--window', '12', '--horizon', '3', '--epochs', '1', '--val-size', '0', '--out', path.join(dir, 'h.zip'), '--out-csv', path.join(dir, 'h.csv')]);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'h.csv'), 'utf8').split('\n')[0]).toBe('index,actual_1,predicted_1,persistence_1,window_mean_1,actual_2,predicted_2,persistence_2,window_mean_2,actual_3,predicted_3,persistence_3,window_mean_3');
    // The id column is a row counter, not a candidate: the only numeric column is chosen.
    const auto = forecast([file, '--epochs', '1', '--window', '12', '--val-size', '0', '--out', path.join(dir, 'a.zip')]);
    expect(auto.code).toBe(0);
    expect(auto.stdout).toMatch(/column "level": 898 values/);
    const two = path.join(dir, 'two.csv');
    fs.writeFileSync(two, `a,b\n${values.slice(0, 50).map((v) => `${v},${-v}`).join('\n')}\n`);
    const several = forecast([two, '--epochs', '1', '--out', path.join(dir, 'x.zip')]);
    expect(several.code).toBe(1);
    expect(several.errors).toEqual(['error: two.csv has several numeric columns (a, b): choose one with --column']);
    const noCol = forecast([file, '--column', 'Temp', '--out', path.join(dir, 'x.zip')]);
    expect(noCol.errors).toEqual(['error: no column "Temp" in series.csv (columns: id, day, level)']);
    const short = forecast([file, '--column', 'level', '--window', '800', '--out', path.join(dir, 'x.zip')]);
    expect(short.errors).toEqual(['error: a series of 898 values is too short for a window of 800 and a horizon of 1 with a test share of 0.33']);
    const usage = forecast(['--window', '0']);
    expect(usage.code).toBe(2);
    expect(usage.errors).toEqual(['error: --window needs an integer ≥ 1, got "0"']);
    expect(fs.existsSync(path.join(dir, 'x.zip'))).toBe(false);
  });

  it('without a file it forecasts the built-in series', () => {
    const r = forecast(['--epochs', '1', '--out', path.join(dir, 'b.zip')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/series: the built-in one/);
    expect(r.stdout).toMatch(/column "temperature": 2922 values/);
    expect(r.stdout).toMatch(/^LSTM\s+[\d.]+\s+[\d.]+$/m);
  });
});
