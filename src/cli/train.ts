/**
 * `webgpu-lstm train`, the headless main job: load a dataset (default: the built-in sentences), split it,
 * train the sentiment model on the GPU (Dawn in Node), print a classification report and a confusion
 * matrix on the test split, and save the model.
 *
 *   webgpu-lstm train [file.zip|file.csv] [options]      (in the repository: npm run train -- …)
 *
 * Bad input exits with status 1 and one sentence on stderr; nothing is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { builtinDatasetBytes } from '../builtin';
import { loadDataset, type DatasetOptions } from '../data/dataset';
import { DatasetError } from '../data/errors';
import { splitDataset } from '../data/split';
import { formatConfusion, formatReport } from '../metrics/report';
import { type ModelConfig } from '../model/config';
import { createSentimentModel } from '../model/sentiment-model';

const HELP = `usage: webgpu-lstm train [file.zip|file.csv] [options]

  file                 a .zip holding a CSV (like the notebook's Sentiment.zip) or a .csv;
                       default: the built-in 3,000 labelled sentences
  --text-col C         text column (default: detected)
  --label-col L        label column (default: detected)
  --drop-label X       drop rows with label X (repeatable; the classic recipe drops Neutral)
  --epochs N           default 7
  --batch-size N       default 32
  --test-size F        test share, default 0.33
  --val-size F         validation share, default 0 (none)
  --seed S             default 141 (weights, dropout, shuffles and the split)
  --vocab N            tokenizer num_words, default 2000
  --embed N            embedding size, default 128
  --units N            LSTM units, default 196
  --layers N           stacked LSTM layers, default 1
  --bidirectional      bidirectional LSTM layers
  --lr F               Adam learning rate, default 0.001
  --clip-norm F        global gradient-norm clipping, default off
  --max-len N          sequence length, default: the longest training text
  --no-mask            do not mask padding (the notebook's exact recipe)
  --bucketing          batches of similar length
  --early-stopping N   stop when validation loss has not improved for N epochs and keep the best
                       epoch's weights (uses --val-size, 0.1 if not given)
  --out FILE           where to save the model, default lstm-model.zip
  --export-tfjs DIR    also write model.json + weights.bin for tf.loadLayersModel
  --help`;

interface Args {
  file: string | null;
  opts: DatasetOptions;
  config: Partial<ModelConfig>;
  epochs: number;
  batchSize: number;
  testSize: number;
  valSize: number;
  bucketing: boolean;
  earlyStopping: number;
  out: string;
  exportDir: string | null;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Args | null {
  const a: Args = { file: null, opts: {}, config: {}, epochs: 7, batchSize: 32, testSize: 0.33, valSize: 0, bucketing: false, earlyStopping: 0, out: 'lstm-model.zip', exportDir: null };
  const drop: string[] = [];
  const num = (flag: string, v: string | undefined, int: boolean): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || (int && !Number.isInteger(n))) throw new UsageError(`${flag} needs a${int ? 'n integer' : ' number'}, got "${v ?? ''}"`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i]!;
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new UsageError(`${f} needs a value`);
      return x;
    };
    switch (f) {
      case '--help': case '-h': return null;
      case '--text-col': a.opts.textColumn = v(); break;
      case '--label-col': a.opts.labelColumn = v(); break;
      case '--drop-label': drop.push(v()); break;
      case '--epochs': a.epochs = num(f, v(), true); break;
      case '--batch-size': a.batchSize = num(f, v(), true); break;
      case '--test-size': a.testSize = num(f, v(), false); break;
      case '--val-size': a.valSize = num(f, v(), false); break;
      case '--seed': a.config.seed = v(); break;
      case '--vocab': a.config.vocabSize = num(f, v(), true); break;
      case '--embed': a.config.embedDim = num(f, v(), true); break;
      case '--units': a.config.units = num(f, v(), true); break;
      case '--layers': a.config.layers = num(f, v(), true); break;
      case '--bidirectional': a.config.bidirectional = true; break;
      case '--lr': a.config.learningRate = num(f, v(), false); break;
      case '--clip-norm': a.config.clipNorm = num(f, v(), false); break;
      case '--max-len': a.config.maxLen = num(f, v(), true); break;
      case '--no-mask': a.config.maskZero = false; break;
      case '--bucketing': a.bucketing = true; break;
      case '--early-stopping': a.earlyStopping = num(f, v(), true); break;
      case '--out': a.out = v(); break;
      case '--export-tfjs': a.exportDir = v(); break;
      default:
        if (f.startsWith('-')) throw new UsageError(`unknown option ${f} (see --help)`);
        if (a.file) throw new UsageError(`only one input file, got "${a.file}" and "${f}"`);
        a.file = f;
    }
  }
  if (drop.length) a.opts.dropLabels = drop;
  if (a.earlyStopping > 0 && a.valSize === 0) a.valSize = 0.1;
  if (a.config.seed !== undefined && /^\d+$/.test(String(a.config.seed))) a.config.seed = Number(a.config.seed);
  return a;
}

function bar(frac: number, width = 28): string {
  const n = Math.round(Math.max(0, Math.min(1, frac)) * width);
  return `[${'#'.repeat(n)}${'.'.repeat(width - n)}]`;
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(0)}s`;
}

export async function run(argv: string[]): Promise<number> {
  let args: Args | null;
  try {
    args = parseArgs(argv);
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return 2;
  }
  if (!args) {
    console.log(HELP);
    return 0;
  }
  try {
    let bytes: Uint8Array;
    let name: string;
    if (args.file) {
      const file = args.file;
      if (!fs.existsSync(file)) throw new DatasetError(`no such file: ${file}`);
      if (fs.statSync(file).isDirectory()) throw new DatasetError(`${file} is a directory, not a .zip or .csv file`);
      bytes = fs.readFileSync(file);
      name = path.basename(file);
    } else {
      bytes = await builtinDatasetBytes();
      name = 'sentences.zip';
      console.log('dataset: the built-in 3,000 labelled sentences (IMDb, Yelp, Amazon; npm package sentiment@5.0.2)');
    }
    const data = await loadDataset(bytes, name, args.opts);
    const info = data.info;
    console.log(`file: ${info.fileName}: ${info.totalRows} rows, ${info.columns.length} columns; text "${info.textColumn}", label "${info.labelColumn}"`);
    console.log(`kept ${info.rows} rows: ${Object.entries(info.classCounts).map(([k, v]) => `${k} ${v}`).join(', ')}` +
      (info.droppedByLabel ? `; dropped ${info.droppedByLabel} by label` : '') +
      (info.skippedEmptyText ? `; skipped ${info.skippedEmptyText} with empty text` : '') +
      (info.skippedEmptyLabel ? `; skipped ${info.skippedEmptyLabel} with empty label` : '') +
      (info.replacementChars ? `; ${info.replacementChars} invalid UTF-8 sequences replaced` : ''));
    const seed = args.config.seed ?? 141;
    const splits = splitDataset(data, { testSize: args.testSize, validationSize: args.valSize, seed });
    console.log(`split (seed ${seed}): train ${splits.train.texts.length}, validation ${splits.validation?.texts.length ?? 0}, test ${splits.test.texts.length}`);

    const model = await createSentimentModel(args.config);
    const a = model.engine.gpu.adapterInfo;
    console.log(`GPU: ${model.engine.gpu.backend} (${[a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' ')}), ${model.engine.tuning}-tuned kernels`);
    const tty = process.stderr.isTTY;
    let lastPrinted = -1;
    const t0 = performance.now();
    const history = await model.fit(splits.train, {
      epochs: args.epochs,
      batchSize: args.batchSize,
      validation: splits.validation,
      bucketing: args.bucketing,
      ...(args.earlyStopping > 0 ? { earlyStopping: { patience: args.earlyStopping } } : {}),
      onBatchEnd: (b) => {
        const line = `epoch ${b.epoch}/${b.epochs} ${bar(b.batch / b.batches)} ${b.batch}/${b.batches}  loss ${b.loss.toFixed(4)}  acc ${b.accuracy.toFixed(4)}  ${b.sequencesPerSecond.toFixed(0)} seq/s  ETA ${duration(b.etaSeconds)}`;
        if (tty) process.stderr.write(`\r${line}`);
        else {
          const decile = Math.floor((10 * b.batch) / b.batches);
          if (decile !== lastPrinted) {
            lastPrinted = decile;
            process.stderr.write(`${line}\n`);
          }
        }
      },
      onEpochEnd: (e) => {
        if (tty) process.stderr.write('\n');
        lastPrinted = -1;
        console.log(
          `epoch ${e.epoch}/${e.epochs}: loss ${e.loss.toFixed(4)}, accuracy ${e.accuracy.toFixed(4)}` +
            (e.valAccuracy !== null ? `, val_loss ${e.valLoss!.toFixed(4)}, val_accuracy ${e.valAccuracy.toFixed(4)}` : '') +
            ` (${e.seconds.toFixed(1)} s, ${e.sequencesPerSecond.toFixed(0)} seq/s)`,
        );
      },
    });
    console.log(`trained ${history.epochs.length} epochs in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    if (history.bestEpoch !== null) {
      console.log(`early stopping: best validation loss at epoch ${history.bestEpoch}${history.stoppedEarly ? ', stopped early' : ''}; keeping that epoch's weights`);
    }
    const ev = await model.evaluate(splits.test);
    console.log(`\ntest split: ${splits.test.texts.length} rows, loss ${ev.loss.toFixed(4)}, accuracy ${ev.accuracy.toFixed(4)}, macro-F1 ${ev.report.macroAvg.f1.toFixed(4)}\n`);
    console.log(formatReport(ev.report));
    console.log(formatConfusion(ev.report));
    fs.writeFileSync(args.out, await model.save());
    console.log(`model saved to ${args.out}`);
    if (args.exportDir) {
      const { modelJson, weightsBin } = await model.exportTfjs();
      fs.mkdirSync(args.exportDir, { recursive: true });
      fs.writeFileSync(path.join(args.exportDir, 'model.json'), JSON.stringify(modelJson));
      fs.writeFileSync(path.join(args.exportDir, 'weights.bin'), weightsBin);
      console.log(`TF.js model written to ${args.exportDir}/model.json`);
    }
    model.dispose();
    model.engine.destroy();
    return 0;
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return 1;
  }
}
