/** `webgpu-lstm lm` and `webgpu-lstm generate`, run as a user runs them (the built command, a child process). */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBuild } from './e2e/browser';
import { LanguageModel } from '../src/lm/language-model';
import { getEngine, rng } from './helpers/gpu';

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
    // 40 tokens are under a chunk: too few for a rate worth printing.
    expect(r.stdout).toMatch(/sample \(temperature 0\.8\):\n.{40}\n/s);
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
    expect(a.stdout).not.toContain('\uFFFD');
    expect(cli(['generate', model, '--prompt', 'roses ', '--length', '50', '--seed', '3']).stdout).toBe(a.stdout);
    expect(cli(['generate', model, '--prompt', 'roses ', '--length', '50', '--seed', '4']).stdout).not.toBe(a.stdout);
    expect(cli(['generate']).errors).toEqual(['error: give the model file: webgpu-lstm generate lm.zip --prompt "…"']);
    expect(cli(['lm', '--level', 'byte']).errors).toEqual(['error: --level must be char or word, got "byte"']);
    const notLm = path.join(dir, 'forecast.zip');
    expect(cli(['forecast', '--epochs', '1', '--out', notLm]).code).toBe(0);
    expect(cli(['generate', notLm]).errors).toEqual([`error: ${notLm} is a layers model file, not a language model (webgpu-lstm lm makes those)`]);
  });

  it("generate names a prompt's characters the model never saw, once, on stderr; a short run prints its token count without a rate", () => {
    const r = cli(['generate', model, '--prompt', 'rosés ßé', '--length', '10']);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n');
    expect(lines.filter((l) => l.startsWith('prompt:'))).toEqual(['prompt: 2 characters not in the vocabulary ("é", "ß") are read as the unknown token']);
    // 10 tokens take milliseconds: no "in 0.00 s", no tokens/s.
    expect(lines).toContain('10 tokens');
    expect(r.stderr).not.toMatch(/tokens in|tokens\/s/);
    expect(cli(['generate', model, '--prompt', 'roses ', '--length', '10']).stderr).not.toContain('prompt:');
  });

  it('refuses a file that is mostly not text, with the share it found, before any GPU work; a Latin-1 file trains, its invalid bytes counted and its encoding named', () => {
    const bin = path.join(dir, 'x.bin');
    const random = rng('binary file');
    fs.writeFileSync(bin, Uint8Array.from({ length: 200_000 }, () => Math.floor(random() * 256)));
    const out = path.join(dir, 'bin.zip');
    const r = cli(['lm', bin, '--steps', '2', '--sample', '0', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^error: x\.bin does not look like text: \d+% of it is invalid UTF-8 or control characters; a language model needs text \(UTF-8, or UTF-16 with a byte-order mark\)$/);
    expect(Number(/(\d+)%/.exec(r.errors[0]!)![1])).toBeGreaterThanOrEqual(50);
    expect(r.stdout).not.toMatch(/GPU:/);
    expect(fs.existsSync(out)).toBe(false);

    const latin1 = path.join(dir, 'menu.txt');
    fs.writeFileSync(latin1, Buffer.from('a café, a crème brûlée and the bill, please.\n'.repeat(40), 'latin1'));
    const t = cli(['lm', latin1, '--steps', '2', '--eval-every', '2', '--seq-len', '8', '--units', '8', '--embed', '4', '--batch-size', '4', '--sample', '0', '--out', path.join(dir, 'menu.zip')]);
    expect(t.errors).toEqual([]);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain(
      'menu.txt: 1,800 characters; 160 invalid UTF-8 sequences replaced (the file looks like ISO-8859-1 (Latin-1) or windows-1252: re-save it as UTF-8 to keep those characters); char tokens:',
    );
  });
});
