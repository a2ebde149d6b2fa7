/**
 * `webgpu-lstm summary` and `predict` on model files from elsewhere, run as a user runs them (the built
 * command, a child process): a Keras 3 text classifier with its tokenizer (made by Keras:
 * tests/python/make_text_fixture.py), a TF.js model.json with its shard, a sentiment model saved here;
 * `train --resume` fine-tuning that Keras classifier on a CSV; `predict --weight-precision float16`; and
 * `--cell` refused at once when it names no cell.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBuild } from './e2e/browser';
import { createSentimentModel, layers, loadModel, sequential } from '../src/index';
import { FIXTURE_DATA } from './fixtures/data';
import { getEngine } from './helpers/gpu';

const ROOT = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
beforeAll(() => requireBuild());

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-cli-'));
const expected = JSON.parse(fs.readFileSync('tests/fixtures/text/expected.json', 'utf8')) as { probes: string[]; probabilities: number[][] };

describe('webgpu-lstm summary and predict', () => {
  it("a Keras classifier: summary names its layers; predict with its tokenizer gives Keras's probabilities; without one, a sentence", () => {
    const s = cli(['summary', 'tests/fixtures/text/classifier.keras']);
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/a layers model/);
    expect(s.stdout).toMatch(/gru \(GRU\)\s+│ \(None, 6\)/);
    const p = cli(['predict', 'tests/fixtures/text/classifier.keras', '--tokenizer', 'tests/fixtures/text/tokenizer.json', '--labels', 'neg,pos', ...expected.probes.flatMap((t) => ['--text', t])]);
    expect(p.code).toBe(0);
    const lines = p.stdout.trim().split('\n').filter((l) => l.includes('\t'));
    expect(lines).toHaveLength(expected.probes.length);
    lines.forEach((l, i) => {
      const [label, probs, text] = l.split('\t');
      const want = expected.probabilities[i]!;
      expect(text).toBe(expected.probes[i]);
      expect(label).toBe(want[1]! > want[0]! ? 'pos' : 'neg');
      expect(probs).toBe(`neg ${want[0]!.toFixed(4)}  pos ${want[1]!.toFixed(4)}`);
    });
    const none = cli(['predict', 'tests/fixtures/text/classifier.keras', '--text', 'good']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/error: .*takes token ids: give the Keras Tokenizer it was trained with \(--tokenizer/);
    expect(cli(['predict', 'tests/fixtures/text/classifier.keras']).code).toBe(2);
  });

  it('a TF.js model.json with its shard beside it, and a sentiment model saved here', async () => {
    const engine = await getEngine();
    const m = await sequential([layers.embedding({ inputDim: 12, outputDim: 4, inputShape: [5] }), layers.simpleRNN({ units: 3 }), layers.dense({ units: 2, activation: 'softmax' })], { engine });
    const { modelJson, weightsBin } = await m.exportTfjs();
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
    fs.writeFileSync(path.join(dir, 'weights.bin'), weightsBin);
    m.dispose();
    const s = cli(['summary', path.join(dir, 'model.json')]);
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/simple_rnn \(SimpleRNN\)/);
    fs.rmSync(path.join(dir, 'weights.bin'));
    const missing = cli(['summary', path.join(dir, 'model.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/names the weight file weights\.bin, which is not beside it/);

    const sm = await createSentimentModel({ ...FIXTURE_DATA.sentimentConfigs.sentiment, cell: 'gru' }, { engine });
    await sm.fit(FIXTURE_DATA.sentimentTrain(), { epochs: 1, batchSize: 16 });
    const file = path.join(dir, 'sentiment.zip');
    fs.writeFileSync(file, await sm.save());
    const want = (await sm.predict(['the food was good']))[0]!;
    sm.dispose();
    const p = cli(['predict', file, '--text', 'the food was good']);
    expect(p.code).toBe(0);
    expect(p.stdout).toContain(want.map((v, j) => `${['negative', 'positive'][j] ?? j} ${v.toFixed(4)}`).join('  '));
    const sum = cli(['summary', file]);
    expect(sum.stdout).toMatch(/a sentiment model/);
    expect(sum.stdout).toMatch(/gru \(GRU\)/);
  });

  it("train --resume MODEL.keras --tokenizer T.json fine-tunes a Keras classifier on a CSV: report, our file (loads as that sentiment model) and a .keras", async () => {
    const csv = path.join(dir, 'reviews.csv');
    const good = ['a good film', 'really good acting', 'great fun', 'good and great', 'I loved it!', 'loved the acting', 'a great film', 'good fun'];
    const bad = ['a bad film', 'really bad acting', 'awful mess', 'bad and awful', 'I hated it!', 'hated the plot', 'an awful film', 'bad plot'];
    const rows = Array.from({ length: 64 }, (_, i) => (i % 2 ? `"${bad[i % 8]}",neg` : `"${good[i % 8]}",pos`));
    fs.writeFileSync(csv, `review,sentiment\n${rows.join('\n')}\n`);
    const out = path.join(dir, 'tuned.zip'), keras = path.join(dir, 'tuned.keras');
    const base = ['train', csv, '--resume', 'tests/fixtures/text/classifier.keras', '--epochs', '1', '--batch-size', '8'];
    const r = cli([...base, '--tokenizer', 'tests/fixtures/text/tokenizer.json', '--out', out, '--export-keras', keras]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/fine-tuning tests\/fixtures\/text\/classifier\.keras: Embedding → GRU → Dense \(\d+ parameters\), 2 classes/);
    expect(r.stdout).toContain("labels: unit 0 = neg, unit 1 = pos (the data's labels, sorted; --labels sets them)");
    expect(r.stdout).toMatch(/sequence length 6 \(the model's input length\); Adam, learning rate 0\.0001 \(fine-tuning's default; --lr sets it\)/);
    expect(r.stdout).toMatch(/test split: \d+ rows/);
    expect(r.stdout).toMatch(/true \\ predicted/);
    expect(fs.existsSync(keras)).toBe(true);
    const engine = await getEngine();
    const tuned = await loadModel(fs.readFileSync(out), { engine, kind: 'sentiment' });
    expect(tuned.origin).toBe('imported');
    expect(tuned.labelNames).toEqual(['neg', 'pos']);
    const want = (await tuned.predict(['a really good film']))[0]!;
    tuned.dispose();
    // Our file needs no --tokenizer: it holds the Keras tokenizer.
    const p = cli(['predict', out, '--text', 'a really good film']);
    expect(p.code).toBe(0);
    expect(p.stdout).toContain(`neg ${want[0]!.toFixed(4)}  pos ${want[1]!.toFixed(4)}`);

    // One sentence for each thing that does not fit.
    const none = cli(base);
    expect(none.code).toBe(1);
    expect(none.stderr.trim()).toBe('error: tests/fixtures/text/classifier.keras is a Keras or TF.js model that reads token ids: give the Keras Tokenizer it was trained with (--tokenizer tokenizer.json, saved in Python with tokenizer.to_json())');
    const labels = cli([...base, '--tokenizer', 'tests/fixtures/text/tokenizer.json', '--labels', 'neg,meh,pos']);
    expect(labels.code).toBe(1);
    expect(labels.stderr.trim()).toBe('error: --labels names 3 classes (neg, meh, pos); tests/fixtures/text/classifier.keras has 2 output units');
    const forecaster = cli(['train', csv, '--resume', 'tests/fixtures/import/keras3-forecaster.keras', '--tokenizer', 'tests/fixtures/text/tokenizer.json']);
    expect(forecaster.code).toBe(1);
    expect(forecaster.stderr).toMatch(/^error: tests\/fixtures\/import\/keras3-forecaster\.keras does not take token ids \(its first layer is \w+, not an Embedding\)/);
    expect(cli(['train', csv, '--tokenizer', 'tests/fixtures/text/tokenizer.json']).stderr.trim()).toBe('error: --tokenizer goes with --resume MODEL (a Keras or TF.js text classifier to fine-tune)');
    expect(cli(['train', csv, '--resume', out, '--tokenizer', 'tests/fixtures/text/tokenizer.json']).stderr.trim()).toBe(`error: ${out} is a sentiment model of webgpu-lstm with its own tokenizer and labels: leave out --tokenizer and --labels`);
  });

  it('predict --weight-precision float16 reads an LSTM model\'s recurrent weights as float16; a GRU model and a bad value are refused', async () => {
    const engine = await getEngine();
    const sm = await createSentimentModel(FIXTURE_DATA.sentimentConfigs.sentiment, { engine });
    await sm.fit(FIXTURE_DATA.sentimentTrain(), { epochs: 1, batchSize: 16 });
    const file = path.join(dir, 'lstm-sentiment.zip');
    fs.writeFileSync(file, await sm.save());
    const text = 'the plot was so very bad and the staff great';
    const half = (await sm.predict([text], { weightPrecision: 'float16' }))[0]!;
    sm.dispose();
    const p = cli(['predict', file, '--text', text, '--weight-precision', 'float16']);
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    expect(p.stdout).toContain(half.map((v, j) => `${['negative', 'positive'][j]} ${v.toFixed(4)}`).join('  '));
    const gru = cli(['predict', 'tests/fixtures/text/classifier.keras', '--tokenizer', 'tests/fixtures/text/tokenizer.json', '--text', 'good', '--weight-precision', 'float16']);
    expect(gru.code).toBe(1);
    expect(gru.stderr).toMatch(/16-bit recurrent weights are implemented for LSTM layers only; layer "gru" is a GRU/);
    const bad = cli(['predict', file, '--text', text, '--weight-precision', 'half']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--weight-precision takes float32, float16 or bfloat16, not "half"');
  });

  it('--cell names one of the cells, or the command stops at once listing them', () => {
    for (const cmd of ['train', 'forecast', 'lm']) {
      const r = cli([cmd, '--cell', 'transformer']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--cell must be one of lstm, gru, rnn (lstm: LSTM, gru: GRU, rnn: SimpleRNN), got "transformer"');
    }
  });
});
