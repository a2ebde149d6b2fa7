/**
 * `webgpu-lstm summary MODEL` and `webgpu-lstm predict MODEL …`: any model file loadModel reads — this
 * library's zips, Keras 3 `.keras`, Keras 2 `.h5`, a TF.js `model.json` (its shards read from beside it)
 * — summarised, or run on text: a sentiment model on its own tokenizer, a token-id model with a Keras
 * Tokenizer JSON given by --tokenizer.
 *
 *   webgpu-lstm summary model.keras
 *   webgpu-lstm predict model.zip --text "what a film"
 *   webgpu-lstm predict classifier.keras --tokenizer tokenizer.json --csv reviews.csv --text-col body
 */
import fs from 'node:fs';
import path from 'node:path';
import { DatasetError } from '../data/errors';
import { readTable } from '../data/table';
import type { Sequential } from '../layers/sequential';
import type { WeightPrecision } from '../layers/half-weights';
import { withTokenizer } from '../layers/text-model';
import { loadModel, type LoadedModel } from '../load-model';
import { readOptions, UsageError } from './args';
import { gpuLine, readInputFile, runCommand } from './command';

const SUMMARY_HELP = `usage: webgpu-lstm summary MODEL

  MODEL                a model file: this library's .zip, a Keras 3 .keras, a Keras 2 .h5, or a TF.js
                       model.json (its weight shards are read from the same folder)
  --help`;

const PREDICT_HELP = `usage: webgpu-lstm predict MODEL (--text "…" | --csv FILE) [options]

  MODEL                as for summary: a sentiment model saved by train, or a token-id classifier
                       (e.g. from Keras) with --tokenizer
  --text TEXT          a text to classify (repeatable)
  --csv FILE           classify a column of a CSV (or a zip holding one)
  --text-col C         the CSV's text column (default: detected)
  --tokenizer FILE     the Keras Tokenizer JSON (tokenizer.to_json()) a token-id model was trained with
  --labels A,B,…       names of the output classes (default: the model's, or their indices)
  --weight-precision P float32 (default), float16 or bfloat16: the LSTM layers' recurrent weights read in
                       that 16-bit form (sums in float32; LSTM models only)
  --help

Prints one line per text: the most likely class, then every class's probability.`;

/** A model file from a path; a model.json brings the shards its manifest names, read from its folder. */
export async function readAnyModel(file: string, opts: { seed?: number | string } = {}): Promise<LoadedModel> {
  const { bytes, name } = readInputFile(file, 'model');
  if (bytes[0] === 0x7b /* '{' */ && name.endsWith('.json')) {
    const json = JSON.parse(new TextDecoder().decode(bytes)) as { weightsManifest?: Array<{ paths?: string[] }> };
    const paths = (json.weightsManifest ?? []).flatMap((g) => g.paths ?? []);
    const dir = path.dirname(file);
    const shards = paths.map((p) => {
      const f = path.join(dir, p);
      if (!fs.existsSync(f)) throw new DatasetError(`${file} names the weight file ${p}, which is not beside it (${f})`);
      return new File([new Uint8Array(fs.readFileSync(f))], path.basename(p));
    });
    return loadModel([new File([new Uint8Array(bytes)], name), ...shards], opts);
  }
  return loadModel(bytes, { name, ...opts });
}

/** The layers model under any kind of loaded model. */
function layersOf(m: LoadedModel): Sequential {
  if (m.kind === 'layers') return m;
  if (m.kind === 'language-model') return m.model;
  const s = m.sequential;
  if (!s) throw new DatasetError('the sentiment model has no network');
  return s;
}

const KIND_NAMES = { layers: 'layers model', sentiment: 'sentiment model', 'language-model': 'language model' } as const;

interface SummaryArgs {
  file: string;
}

function parseSummary(argv: string[]): SummaryArgs | null {
  const read = readOptions(argv, () => false);
  if (!read) return null;
  if (!read.file) throw new UsageError('summary needs a model file (see --help)');
  return { file: read.file };
}

async function summary(a: SummaryArgs): Promise<number> {
  const m = await readAnyModel(a.file);
  const net = layersOf(m);
  console.log(`${a.file}: a ${KIND_NAMES[m.kind]}`);
  console.log(gpuLine(net.engine));
  net.summary();
  m.dispose();
  return 0;
}

export function runSummary(argv: string[]): Promise<number> {
  return runCommand(argv, parseSummary, SUMMARY_HELP, summary);
}

interface PredictArgs {
  file: string;
  texts: string[];
  csv: string | null;
  textCol: string | null;
  tokenizer: string | null;
  labels: string[] | null;
  weightPrecision: WeightPrecision;
}

function parsePredict(argv: string[]): PredictArgs | null {
  const a: Omit<PredictArgs, 'file'> = { texts: [], csv: null, textCol: null, tokenizer: null, labels: null, weightPrecision: 'float32' };
  const read = readOptions(argv, (o) => {
    switch (o.flag) {
      case '--text': a.texts.push(o.raw()); break;
      case '--csv': a.csv = o.value(); break;
      case '--text-col': a.textCol = o.value(); break;
      case '--tokenizer': a.tokenizer = o.value(); break;
      case '--labels': a.labels = o.value().split(','); break;
      case '--weight-precision': {
        const v = o.value();
        if (v !== 'float32' && v !== 'float16' && v !== 'bfloat16') throw new UsageError(`--weight-precision takes float32, float16 or bfloat16, not "${v}"`);
        a.weightPrecision = v;
        break;
      }
      default: return false;
    }
    return true;
  });
  if (!read) return null;
  if (!read.file) throw new UsageError('predict needs a model file (see --help)');
  if (a.texts.length === 0 && !a.csv) throw new UsageError('predict needs --text "…" or --csv FILE');
  if (a.texts.length > 0 && a.csv) throw new UsageError('give --text or --csv, not both');
  return { file: read.file, ...a };
}

async function predict(a: PredictArgs): Promise<number> {
  let texts = a.texts;
  if (a.csv) {
    const { bytes, name } = readInputFile(a.csv, 'CSV');
    const table = await readTable(bytes, name);
    const col = a.textCol ?? table.columns.find((c) => /text|review|sentence|body|tweet/i.test(c)) ?? table.columns[0];
    const c = col === undefined ? -1 : table.columns.indexOf(col);
    if (c < 0) throw new DatasetError(`${a.csv} has no column "${col}" (columns: ${table.columns.join(', ')})`);
    texts = table.data[c]!;
  }
  const m = await readAnyModel(a.file);
  try {
    let probs: number[][];
    let labels: string[];
    if (m.kind === 'sentiment') {
      if (a.tokenizer) throw new UsageError('a sentiment model has its own tokenizer: leave out --tokenizer');
      probs = await m.predict(texts, { weightPrecision: a.weightPrecision });
      labels = a.labels ?? m.labelNames;
    } else {
      const net = layersOf(m);
      if (!a.tokenizer) throw new DatasetError(`${a.file} is a ${KIND_NAMES[m.kind]} that takes token ids: give the Keras Tokenizer it was trained with (--tokenizer tokenizer.json, from tokenizer.to_json())`);
      const { bytes } = readInputFile(a.tokenizer, 'tokenizer JSON');
      const text = withTokenizer(net, new TextDecoder().decode(bytes));
      probs = await text.predict(texts, { weightPrecision: a.weightPrecision });
      const U = probs[0]?.length ?? 0;
      labels = a.labels ?? Array.from({ length: U }, (_, k) => String(k));
    }
    if (labels.length !== (probs[0]?.length ?? labels.length)) throw new UsageError(`--labels names ${labels.length} classes; the model has ${probs[0]!.length}`);
    texts.forEach((t, i) => {
      const p = probs[i]!;
      const k = p.indexOf(Math.max(...p));
      console.log(`${labels[k]}\t${p.map((v, j) => `${labels[j]} ${v.toFixed(4)}`).join('  ')}\t${t}`);
    });
  } finally {
    m.dispose();
  }
  return 0;
}

export function runPredict(argv: string[]): Promise<number> {
  return runCommand(argv, parsePredict, PREDICT_HELP, predict);
}
