/** The headless main job, run as a user runs it (the built `webgpu-lstm` command, a child process), on good and bad input. */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBuild } from './e2e/browser';
import { readKeras } from '../src/layers/keras-archive';
import { SentimentModel } from '../src/sentiment/sentiment-model';
import Papa from 'papaparse';
import { generatedCorpus } from './helpers/corpus';
import { getEngine } from './helpers/gpu';

const ROOT = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

beforeAll(() => requireBuild());

function cli(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 300_000,
    env,
  });
  // The CLI's own error lines start with "error:".
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, errors };
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
    expect(unknown.errors).toEqual(['error: unknown command "fly" (commands: train, forecast, lm, generate, summary, predict; see webgpu-lstm --help)']);
    const v = cli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
    const help = train(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: webgpu-lstm train \[file\.zip\|file\.csv\] \[options\]/);
    // Fine-tuning a Keras or TF.js classifier: --resume with its tokenizer and, when needed, its labels.
    expect(help.stdout).toMatch(/^ {2}--tokenizer FILE {5}with --resume of a Keras\/TF\.js model/m);
    expect(help.stdout).toMatch(/^ {2}--labels A,B,… {7}with --tokenizer: the class of each output unit/m);
  });

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lstm-cli-'));
  const out = path.join(dir, 'model.zip');

  it("prints nothing on stderr that is not its own: no Vulkan loader or driver messages, unless --verbose asks for them", () => {
    // As a user's shell has it: no XDG_RUNTIME_DIR (servers, containers, CI) and no driver chosen
    // beforehand (this test process has set VK_ICD_FILENAMES for itself once it found SwiftShader).
    const env = { ...process.env };
    for (const k of ['XDG_RUNTIME_DIR', 'VK_ICD_FILENAMES', 'WEBGPU_LSTM_VERBOSE']) delete env[k];
    // The project's own stderr lines: progress bars, the generation count, notes and errors it writes.
    const own = /^(epoch \d+\/\d+ \[|step \d+|\d+ tokens\b|prompt: |webgpu-lstm: |warning: |error: )/;
    const foreign = (stderr: string) => stderr.split('\n').filter((l) => l.trim() !== '' && !own.test(l));
    const version = cli(['--version'], env);
    expect(version.stderr).toBe('');
    const lmFile = path.join(dir, 'quiet-lm.zip');
    const text = path.join(dir, 'quiet.txt');
    fs.writeFileSync(text, 'the quick brown fox jumps over the lazy dog\n'.repeat(60));
    const lm = cli(['lm', text, '--steps', '1', '--units', '8', '--embed', '8', '--seq-len', '8', '--batch-size', '4', '--sample', '0', '--out', lmFile], env);
    expect(lm.code, lm.stderr).toBe(0);
    expect(foreign(lm.stderr)).toEqual([]);
    // The adapter is still named, on stdout.
    expect(lm.stdout).toMatch(/^GPU: \S+/m);
    const generate = cli(['generate', lmFile, '--length', '10'], env);
    expect(generate.code, generate.stderr).toBe(0);
    expect(foreign(generate.stderr)).toEqual([]);
    // --verbose: whatever the drivers printed while Dawn probed them comes after a line saying what it is.
    const verbose = cli(['generate', lmFile, '--length', '10', '--verbose'], env);
    expect(verbose.code, verbose.stderr).toBe(0);
    const loud = foreign(verbose.stderr);
    if (loud.length > 0) expect(verbose.stderr.indexOf('webgpu-lstm: the Vulkan drivers printed')).toBeGreaterThanOrEqual(0);
    if (loud.length > 0) expect(verbose.stderr.indexOf('webgpu-lstm: the Vulkan drivers printed')).toBeLessThan(verbose.stderr.indexOf(loud[0]!));
    console.log(`--verbose showed ${loud.length} line(s) from the drivers on this machine`);
  });

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

  it('trains on the built-in dataset, prints the report and confusion matrix, saves and exports', async () => {
    const tfjs = path.join(dir, 'tfjs');
    const projector = path.join(dir, 'projector');
    const keras = path.join(dir, 'sentiment.keras');
    const r = train(['--epochs', '1', '--units', '16', '--embed', '16', '--max-len', '30', '--bucketing', '--out', out, '--export-tfjs', tfjs, '--export-keras', keras, '--export-projector', projector]);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/the built-in 3,000 labelled sentences/);
    // A validation share is held out by default, and the epoch is chosen on it.
    expect(r.stdout).toMatch(/split \(seed 141\): train 1710, validation 300, test 990/);
    expect(r.stdout).toMatch(/early stopping: best validation loss at epoch 1; keeping that epoch's weights/);
    expect(r.stdout).toMatch(/test split: 990 rows, loss [\d.]+, accuracy [\d.]+, macro-F1 [\d.]+/);
    expect(r.stdout).toContain('              precision    recall  f1-score   support');
    expect(r.stdout).toMatch(/true \\ predicted\s+negative\s+positive/);
    expect(fs.statSync(out).size).toBeGreaterThan(1000);
    expect(JSON.parse(fs.readFileSync(path.join(tfjs, 'model.json'), 'utf8')).format).toBe('layers-model');
    const exported = await readKeras(new Uint8Array(fs.readFileSync(keras)));
    expect((exported.config as { config: { layers: Array<{ class_name: string }> } }).config.layers.map((l) => l.class_name)).toEqual(['InputLayer', 'Embedding', 'SpatialDropout1D', 'LSTM', 'Dense']);
    expect(r.stdout).toMatch(/Keras 3 model written to .*sentiment\.keras/);
    const words = fs.readFileSync(path.join(projector, 'metadata.tsv'), 'utf8').trimEnd().split('\n');
    const vectors = fs.readFileSync(path.join(projector, 'vectors.tsv'), 'utf8').trimEnd().split('\n');
    expect(words).toHaveLength(1999); // vocabulary 2000: ids 1…1999, all with words in the built-in sentences
    expect(vectors.map((v) => v.split('\t').length)).toEqual(Array(1999).fill(16));
  });

  it('--resume continues a saved model exactly: 1 epoch + resume 1 epoch = 2 epochs in one run', async () => {
    const csv = path.join(dir, 'resume.csv');
    const c = generatedCorpus(160, 'resume');
    fs.writeFileSync(csv, Papa.unparse(c.texts.map((t, i) => ({ text: t, label: c.labelNames[c.labels[i]!] }))));
    const common = ['--units', '8', '--embed', '8', '--batch-size', '16', '--no-early-stopping'];
    const one = path.join(dir, 'one.zip'), two = path.join(dir, 'two.zip'), resumed = path.join(dir, 'resumed.zip');
    expect(train([csv, ...common, '--epochs', '2', '--out', two]).code).toBe(0);
    expect(train([csv, ...common, '--epochs', '1', '--out', one]).code).toBe(0);
    const r = train([csv, '--resume', one, '--batch-size', '16', '--no-early-stopping', '--epochs', '1', '--out', resumed]);
    expect(r.errors).toEqual([]);
    expect(r.stdout).toMatch(/resuming .*one\.zip: negative, positive; sequence length \d+; seed 141/);
    const engine = await getEngine();
    const [a, b] = await Promise.all([SentimentModel.load(fs.readFileSync(resumed), { engine }), SentimentModel.load(fs.readFileSync(two), { engine })]);
    expect(await a.weights()).toEqual(await b.weights());
    a.dispose();
    b.dispose();
    expect(train([csv, '--resume', one, '--units', '9']).errors).toEqual(['error: --resume takes the model\'s configuration (units included) from the file: leave those options out']);
  });

  it('options are checked before any data is read: exit 2 with the sentence', () => {
    const cases: Array<[string[], string]> = [
      [['--epochs', '0'], '--epochs needs an integer ≥ 1, got "0"'],
      [['--val-size', '0'], 'early stopping chooses the epoch on the validation split: give --val-size > 0, or --no-early-stopping'],
      [['--units', '0'], '--units needs an integer ≥ 1, got "0"'],
      [['--batch-size', '0'], '--batch-size needs an integer ≥ 1, got "0"'],
      [['--epochs', ''], '--epochs needs an integer ≥ 1, got ""'],
      [['--epochs', '--units', '8'], '--epochs needs a value, got the option --units'],
      [['--lr', '-1'], '--lr needs a number > 0, got "-1"'],
      [['--test-size', '1'], '--test-size needs a number > 0 and < 1, got "1"'],
      [['--cleaning', 'latin'], '--cleaning must be unicode, ascii or all, got "latin"'],
    ];
    for (const [args, message] of cases) {
      // A file that does not exist: the option error must come first.
      const r = train([path.join(dir, 'missing.csv'), ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.errors).toEqual([`error: ${message}`]);
    }
  });

  it('an unwritable --out or --export-tfjs is refused before training', () => {
    const csv = path.join(dir, 'ok.csv');
    fs.writeFileSync(csv, 'text,label\ngood,a\nbad,b\n');
    const noDir = train([csv, '--out', path.join(dir, 'no/such/dir/m.zip')]);
    expect(noDir.code).toBe(1);
    expect(noDir.errors[0]).toMatch(/^error: cannot write the model to .*m\.zip: the directory .*no\/such\/dir does not exist$/);
    expect(noDir.stdout).not.toMatch(/epoch/);
    const isDir = train([csv, '--out', dir]);
    expect(isDir.errors[0]).toMatch(/: it is a directory$/);
    const exportOverFile = train([csv, '--export-tfjs', csv, '--out', path.join(dir, 'x.zip')]);
    expect(exportOverFile.errors[0]).toMatch(/^error: cannot write the TF\.js model to .*ok\.csv: a file of that name exists$/);
  });

  it('the text of other scripts trains; --cleaning ascii on it stops with a sentence; a diverging run saves nothing', () => {
    const rows = ['text,label'];
    const nouns = ['фильм', 'еда', 'сервис', 'место', 'сюжет'];
    const adverbs = ['очень', 'так', 'это', 'весьма', 'просто'];
    for (let i = 0; i < 120; i++) rows.push(`"${nouns[i % 5]} ${i % 2 ? 'хорошо' : 'плохо'} ${adverbs[(i >> 1) % 5]}",${i % 2 ? 'pos' : 'neg'}`);
    const ru = path.join(dir, 'ru.csv');
    fs.writeFileSync(ru, rows.join('\n'));
    const out2 = path.join(dir, 'ru.zip');
    const ok = train([ru, '--epochs', '1', '--units', '8', '--embed', '8', '--out', out2]);
    expect(ok.errors).toEqual([]);
    expect(ok.code).toBe(0);
    const before = fs.readFileSync(out2);
    const ascii = train([ru, '--epochs', '1', '--units', '8', '--embed', '8', '--cleaning', 'ascii', '--out', out2]);
    expect(ascii.code).toBe(1);
    expect(ascii.errors[0]).toMatch(/^error: \d+ of \d+ training texts are empty after cleaning with the 'ascii' cleaning .*--cleaning unicode/);
    const diverging = train([ru, '--epochs', '3', '--units', '8', '--embed', '8', '--lr', '10000', '--out', out2]);
    expect(diverging.code).toBe(1);
    expect(diverging.errors[0]).toMatch(/training diverged \(try a lower learning rate or clipNorm\)$/);
    // Neither failure touched the model that was there.
    expect(fs.readFileSync(out2).equals(before)).toBe(true);
  });

  it('Ctrl-C stops after the current step, saves the last completed epoch atomically and exits 130', async () => {
    const out3 = path.join(dir, 'interrupted.zip');
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'train', '--epochs', '5', '--units', '16', '--embed', '16', '--batch-size', '8', '--out', out3], { cwd: ROOT });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // Interrupt in the middle of epoch 2 (epoch 1 is complete).
      if (!sent && /epoch 2\/5 \[#+/.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(sent).toBe(true);
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted: stopping after the current step/);
    expect(stderr).toMatch(/interrupted during epoch 2: saved the model of epoch 1 to .*interrupted\.zip/);
    const zip = await JSZip.loadAsync(fs.readFileSync(out3));
    expect(JSON.parse(await zip.file('manifest.json')!.async('string'))).toMatchObject({ format: 'webgpu-lstm-sequential', version: 2, kind: 'sentiment' });
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('says why it chose the columns, warns about labels that differ only in case, and refuses a label to drop that is not there', async () => {
    const rows = ['tweet_id,airline_sentiment,airline,text'];
    const words = ['late', 'rude', 'okay', 'fine', 'great', 'awesome', 'slow', 'clean', 'cramped', 'friendly', 'lost', 'smooth'];
    for (let i = 0; i < 90; i++) {
      const sentiment = ['negative', 'Neutral', 'positive', 'Positive'][i % 4]!;
      rows.push(`${i},${sentiment},${i % 2 ? 'United' : 'Delta'},"flight ${i} was ${words[(i % 4) * 3 + (i % 3)]} and ${words[(i * 5) % 12]}"`);
    }
    const csv = path.join(dir, 'Tweets.csv');
    fs.writeFileSync(csv, rows.join('\n'));
    const cliArgs = [csv, '--epochs', '1', '--units', '8', '--embed', '8', '--out', path.join(dir, 't.zip')];
    const kept = train(cliArgs);
    expect(kept.code).toBe(0);
    expect(kept.stdout).toMatch(/^label column "airline_sentiment": its name contains "sentiment" \(4 distinct values\); runner-up "airline": .*\(--label-col chooses\)$/m);
    expect(kept.stdout).toMatch(/^text column "text": its name is "text"$/m);
    expect(kept.stderr).toMatch(/^warning: labels that differ only in case are separate classes: Positive \/ positive \(--label-case fold merges them\)$/m);
    const folded = train([...cliArgs, '--label-case', 'fold']);
    expect(folded.code).toBe(0);
    expect(folded.stdout).toMatch(/kept 90 rows: negative 23, Neutral 23, positive 44/);
    expect(folded.stderr).not.toMatch(/warning: labels/);
    const drop = train([...cliArgs, '--drop-label', 'neutral']);
    expect(drop.code).toBe(1);
    expect(drop.errors).toEqual([
      'error: cannot drop label "neutral": the label column "airline_sentiment" has no such label (its labels: Neutral, Positive, negative, positive); labels are compared exactly: did you mean "Neutral"?',
    ]);
    const z = new JSZip();
    z.file('a.csv', 'text,label\nx,1\ny,2\n');
    z.file('b.csv', rows.join('\n'));
    const two = path.join(dir, 'two.zip');
    fs.writeFileSync(two, await z.generateAsync({ type: 'uint8array' }));
    const ask = train([two, '--out', path.join(dir, 't.zip')]);
    expect(ask.code).toBe(1);
    expect(ask.errors).toEqual(['error: the zip holds 2 CSV files (a.csv, b.csv): choose one (CLI: --csv NAME)']);
    const chosen = train([two, '--csv', 'b.csv', ...cliArgs.slice(1)]);
    expect(chosen.code).toBe(0);
    expect(chosen.stdout).toMatch(/file: b\.csv: 90 rows/);
  });

  it('sizes beyond the GPU are refused up front; one huge text cell no longer sets the sequence length', () => {
    const units = train(['--units', '100000', '--out', path.join(dir, 'u.zip')]);
    expect(units.code).toBe(1);
    expect(units.errors).toEqual([expect.stringMatching(/^error: the model does not fit this GPU: the parameters .* needs [\d.]+ GiB, over its [\d.]+ GiB buffer limit; lower vocabSize, embedDim, units or layers$/)]);
    expect(units.stdout).not.toMatch(/^file:/m); // refused before the data was read
    const words = ['good', 'bad', 'fine', 'awful', 'great', 'poor', 'nice', 'sad', 'happy', 'dull', 'bright', 'grim'];
    const rows = ['text,label'];
    for (let i = 0; i < 200; i++) rows.push(`"${words[i % 12]} ${words[(i * 7) % 12]} ${words[(i * 5) % 12]}",${i % 2 ? 'a' : 'b'}`);
    rows.push(`"${'word '.repeat(1_000_000)}",a`); // a 5 MiB cell
    const csv = path.join(dir, 'huge-cell.csv');
    fs.writeFileSync(csv, rows.join('\n'));
    const r = train([csv, '--epochs', '1', '--units', '8', '--embed', '8', '--out', path.join(dir, 'h.zip')]);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^sequence length 3: the 99th percentile of the training texts' lengths \(the longest, 1000000 tokens, is over 4 times that; --max-len sets it\)$/m);
    const long = train([csv, '--epochs', '1', '--units', '8', '--embed', '8', '--max-len', '5000000', '--out', path.join(dir, 'h.zip')]);
    expect(long.code).toBe(1);
    expect(long.errors[0]).toMatch(/^error: the model does not fit this GPU: the output of layer "embedding" \(T × B × 8\) for B 32, T 5,000,000 needs [\d.]+ GiB, over its [\d.]+ GiB buffer limit; lower maxLen or batchSize$/);
  });
});
