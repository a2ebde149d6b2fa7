/** `webgpu-lstm lm` and `webgpu-lstm generate`, run as a user runs them (the built command, a child process). */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBuild } from './e2e/browser';
import { LanguageModel } from '../src/lm/language-model';
import { getEngine } from './helpers/gpu';

const ROOT = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
beforeAll(() => requireBuild());

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: ') && !l.includes('XDG_RUNTIME_DIR'));
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, errors };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lstm-lm-'));
const text = path.join(dir, 'poem.txt');
fs.writeFileSync(text, 'roses are red, violets are blue, sugar is sweet, and so are you.\n'.repeat(40));
const model = path.join(dir, 'lm.zip');

describe('webgpu-lstm lm / generate', () => {
  it('trains on a text file, reports validation loss in nats and bits per character, prints a sample and saves', () => {
    const r = cli(['lm', text, '--steps', '60', '--eval-every', '30', '--seq-len', '16', '--units', '32', '--embed', '8', '--batch-size', '16', '--lr', '0.01', '--sample', '40', '--out', model]);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/poem\.txt: 2,600 characters; char tokens: vocabulary \d+, train 2,340, validation 260 \(the last 10%\)/);
    expect(r.stdout).toMatch(/step 60: train loss [\d.]+, validation [\d.]+ nats\/char \([\d.]+ bits\/char\)/);
    expect(r.stdout).toMatch(/sample \(temperature 0\.8, \d+ tokens\/s\):\n.{40}\n/s);
    expect(fs.readFileSync(model).subarray(0, 2).toString('latin1')).toBe('PK');
  });

  it('--resume continues a saved language model exactly: 30 steps + resume 30 = 60 steps in one run', async () => {
    const common = ['--seq-len', '16', '--units', '16', '--embed', '8', '--batch-size', '8', '--lr', '0.01', '--eval-every', '30', '--sample', '0'];
    const a = path.join(dir, 'a.zip'), b = path.join(dir, 'b.zip'), c = path.join(dir, 'c.zip');
    expect(cli(['lm', text, ...common, '--steps', '60', '--out', a]).code).toBe(0);
    expect(cli(['lm', text, ...common, '--steps', '30', '--out', b]).code).toBe(0);
    const r = cli(['lm', text, '--resume', b, '--batch-size', '8', '--eval-every', '30', '--sample', '0', '--steps', '30', '--out', c]);
    expect(r.errors).toEqual([]);
    expect(r.stdout).toMatch(/resuming .*b\.zip/);
    const engine = await getEngine();
    const [x, y] = await Promise.all([LanguageModel.load(fs.readFileSync(a), { engine }), LanguageModel.load(fs.readFileSync(c), { engine })]);
    expect(await y.model.getWeights()).toEqual(await x.model.getWeights());
    x.dispose();
    y.dispose();
    expect(cli(['lm', text, '--resume', b, '--units', '8']).errors).toEqual(["error: --resume takes the model's configuration (units included) from the file: leave those options out"]);
  });

  it('generate continues a prompt; the same seed prints the same text; bad input is one sentence', () => {
    const a = cli(['generate', model, '--prompt', 'roses ', '--length', '50', '--seed', '3']);
    expect(a.errors).toEqual([]);
    expect(a.code).toBe(0);
    expect(a.stdout.startsWith('roses ')).toBe(true);
    // The prompt, 50 generated characters (newlines among them, as in the text), and a closing newline.
    expect([...a.stdout].length).toBe(6 + 50 + 1);
    expect(cli(['generate', model, '--prompt', 'roses ', '--length', '50', '--seed', '3']).stdout).toBe(a.stdout);
    expect(cli(['generate', model, '--prompt', 'roses ', '--length', '50', '--seed', '4']).stdout).not.toBe(a.stdout);
    expect(cli(['generate']).errors).toEqual(['error: give the model file: webgpu-lstm generate lm.zip --prompt "…"']);
    expect(cli(['lm', '--level', 'byte']).errors).toEqual(['error: --level must be char or word, got "byte"']);
    const notLm = path.join(dir, 'forecast.zip');
    expect(cli(['forecast', '--epochs', '1', '--out', notLm]).code).toBe(0);
    expect(cli(['generate', notLm]).errors).toEqual(['error: not a language model: the file has no vocabulary (it was not saved by a LanguageModel)']);
  });
});
