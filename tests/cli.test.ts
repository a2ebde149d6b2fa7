/** The headless main job, run as a user runs it (the built `webgpu-lstm` command, a child process), on good and bad input. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBuild } from './e2e/browser';

const ROOT = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

beforeAll(() => requireBuild());

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 300_000,
  });
  // Dawn and the Vulkan loader print driver notices on stderr; the CLI's own lines start with "error:".
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: ') && !l.includes('XDG_RUNTIME_DIR'));
  return { code: r.status, stdout: r.stdout, errors };
}

const train = (args: string[]) => cli(['train', ...args]);

describe('webgpu-lstm (the CLI)', () => {
  it('without a command prints its usage; an unknown command is a usage error; --version prints the version', () => {
    const none = cli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toMatch(/usage: webgpu-lstm <command> \[options\]/);
    expect(none.stdout).toMatch(/^ {2}train {6}/m);
    const unknown = cli(['fly']);
    expect(unknown.code).toBe(2);
    expect(unknown.errors).toEqual(['error: unknown command "fly" (commands: train; see webgpu-lstm --help)']);
    const v = cli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
    const help = train(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: webgpu-lstm train \[file\.zip\|file\.csv\] \[options\]/);
  });

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lstm-cli-'));
  const out = path.join(dir, 'model.zip');

  it('bad input exits non-zero with one clear sentence and writes nothing', async () => {
    const noCsv = path.join(dir, 'nocsv.zip');
    const z = new JSZip();
    z.file('readme.txt', 'hello');
    fs.writeFileSync(noCsv, await z.generateAsync({ type: 'uint8array' }));
    const oneClass = path.join(dir, 'one.csv');
    fs.writeFileSync(oneClass, 'text,label\nfine,a\ngood,a\n');
    const emptyRows = path.join(dir, 'empty.csv');
    fs.writeFileSync(emptyRows, 'text,label\n');
    const cases: Array<[string[], RegExp]> = [
      [[path.join(dir, 'missing.zip')], /^error: no such file: .*missing\.zip$/],
      [[noCsv], /^error: the zip contains no \.csv file \(it holds: readme\.txt\)$/],
      [[oneClass], /^error: the label column "label" has only one class \("a"\); a classifier needs two or more$/],
      [[emptyRows], /^error: "empty\.csv" has a header but no data rows$/],
      [[oneClass, '--text-col', 'nope'], /^error: there is no column "nope" \(columns: text, label\)$/],
    ];
    for (const [args, re] of cases) {
      const r = train([...args, '--out', out]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toMatch(re);
      expect(fs.existsSync(out)).toBe(false);
    }
    const usage = train(['--epochs', 'many']);
    expect(usage.code).toBe(2);
    expect(usage.errors[0]).toMatch(/--epochs needs an integer/);
  });

  it('trains on the built-in dataset, prints the report and confusion matrix, saves and exports', () => {
    const tfjs = path.join(dir, 'tfjs');
    const r = train(['--epochs', '1', '--units', '16', '--embed', '16', '--max-len', '30', '--bucketing', '--out', out, '--export-tfjs', tfjs]);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/the built-in 3,000 labelled sentences/);
    expect(r.stdout).toMatch(/split \(seed 141\): train 2010, validation 0, test 990/);
    expect(r.stdout).toMatch(/test split: 990 rows, loss [\d.]+, accuracy [\d.]+, macro-F1 [\d.]+/);
    expect(r.stdout).toContain('              precision    recall  f1-score   support');
    expect(r.stdout).toMatch(/true \\ predicted\s+negative\s+positive/);
    expect(fs.statSync(out).size).toBeGreaterThan(1000);
    expect(JSON.parse(fs.readFileSync(path.join(tfjs, 'model.json'), 'utf8')).format).toBe('layers-model');
  });
});
