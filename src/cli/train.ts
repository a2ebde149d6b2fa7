/**
 * `webgpu-lstm train`, the headless main job: load a dataset (default: the built-in sentences), split it,
 * train the sentiment model on the GPU (Dawn in Node), print a classification report and a confusion
 * matrix on the test split, and save the model.
 *
 *   webgpu-lstm train [file.zip|file.csv] [options]      (in the repository: npm run train -- …)
 *   webgpu-lstm train data.csv --resume model.keras --tokenizer tokenizer.json    (fine-tune a Keras classifier)
 *
 * Bad input exits with status 1 and one sentence on stderr; nothing is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { builtinDatasetBytes } from '../builtin';
import { DEFAULT_CLEANING } from '../data/clean';
import { validateModelConfig, withDefaults, type ModelConfig } from '../sentiment/config';
import { cellOption, numberOf, readOptions, UsageError } from './args';
import { progressPrinter } from './progress';
import { gpuLine, openInputFile, readInputFile, readModelFile, runCommand } from './command';
import { checkWritableDir, checkWritableFile, writeDirAtomic, writeFileAtomic } from './files';
import { loadDataset, type DatasetOptions } from '../data/dataset';
import { splitDataset } from '../data/split';
import { formatConfusion, formatReport } from '../metrics/report';
import { createSentimentModel, SentimentModel } from '../sentiment/sentiment-model';
import { trainAndEvaluate } from '../sentiment/train';
import { DatasetError } from '../data/errors';
import { Tokenizer } from '../data/tokenizer';
import type { Dataset } from '../data/dataset';
import type { Sequential } from '../layers/sequential';
import { peekKind } from '../layers/file';
import { openModelZip } from '../layers/model-zip';
import { textClassifierShape } from '../sentiment/imported';
import { readAnyModel } from './model-commands';

const HELP = `usage: webgpu-lstm train [file.zip|file.csv] [options]

  file                 a .zip holding a CSV (like the notebook's Sentiment.zip) or a .csv;
                       default: the built-in 3,000 labelled sentences
  --text-col C         text column (default: detected)
  --label-col L        label column (default: detected)
  --csv NAME           the CSV to read from a zip that holds several
  --label-case C       keep (default: Positive and positive are two classes) or fold (one class)
  --drop-label X       drop rows with label X (repeatable; the classic recipe drops Neutral)
  --epochs N           default 7
  --batch-size N       default 32
  --test-size F        test share, default 0.33
  --val-size F         validation share (held out from training, for choosing the epoch), default 0.1
  --seed S             default 141 (weights, dropout, shuffles and the split)
  --vocab N            tokenizer num_words, default 2000
  --embed N            embedding size, default 128
  --cell C             recurrent cell: lstm (default), gru (Keras's default GRU) or rnn (SimpleRNN)
  --units N            recurrent units, default 196
  --layers N           stacked recurrent layers, default 1
  --bidirectional      bidirectional recurrent layers
  --lr F               Adam learning rate, default 0.001
  --clip-norm F        global gradient-norm clipping, default off
  --max-len N          sequence length, default: the longest training text
  --no-mask            do not mask padding (the notebook's exact recipe)
  --cleaning C         unicode (default: letters and digits of every script, emoji), ascii (the
                       notebook's: only a-z and 0-9) or all (no character filtering)
  --no-bucketing       shuffle rows without grouping similar lengths (default: batches of similar
                       length, which skip more padded timesteps; the element's default too)
  --early-stopping N   stop when the validation loss has not improved for N epochs and keep the
                       best epoch's weights, default 2 (Keras EarlyStopping, restore_best_weights);
                       the test split is evaluated once, at the end
  --no-early-stopping  train every epoch and keep the last (with --val-size 0: no validation)
  --out FILE           where to save the model, default lstm-model.zip (written atomically: a
                       failed or interrupted save never damages an existing file)
  --resume FILE        continue training a saved model (its configuration, tokenizer and seed; with
                       the optimizer state it was saved with, training continues exactly), or
                       fine-tune a text classifier from Keras (.keras, .h5) or TF.js (model.json):
                       Embedding → … → Dense softmax, with the tokenizer it was trained with
  --tokenizer FILE     with --resume of a Keras/TF.js model: its Keras Tokenizer JSON
                       (tokenizer.to_json()); texts are tokenised exactly as Keras does (the
                       tokenizer's own lower-casing and filters, no --cleaning), padded 'pre' to the
                       model's input length (else --max-len, else the longest training text)
  --labels A,B,…       with --tokenizer: the class of each output unit, in unit order (default: the
                       CSV's labels, sorted, when there are as many as the model has units); a
                       fine-tuned model trains with Adam at --lr, default 0.0001
  --no-optimizer-state save without Adam's state and the random streams' positions (smaller; a
                       later --resume then starts the optimizer afresh)
  --export-tfjs DIR    also write model.json + weights.bin for tf.loadLayersModel
  --export-keras FILE  also write a Keras 3 .keras archive (keras.saving.load_model)
  --export-projector DIR
                       also write the embedding as vectors.tsv + metadata.tsv for the TensorFlow
                       Embedding Projector (projector.tensorflow.org)
  --help

Ctrl-C stops after the current step and saves the last completed epoch to --out (exit 130).`;

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
  kerasFile: string | null;
  projectorDir: string | null;
  resume: string | null;
  tokenizer: string | null;
  labels: string[] | null;
  optimizerState: boolean;
}

function parseArgs(argv: string[]): Args | null {
  const a: Args = { file: null, opts: {}, config: {}, epochs: 7, batchSize: 32, testSize: 0.33, valSize: 0.1, bucketing: true, earlyStopping: 2, out: 'lstm-model.zip', exportDir: null, kerasFile: null, projectorDir: null, resume: null, tokenizer: null, labels: null, optimizerState: true };
  const drop: string[] = [];
  const read = readOptions(argv, (o) => {
    const f = o.flag;
    const v = o.value;
    const int = o.int;
    switch (f) {
      case '--text-col': a.opts.textColumn = v(); break;
      case '--label-col': a.opts.labelColumn = v(); break;
      case '--csv': a.opts.csvName = v(); break;
      case '--label-case': {
        const c = v();
        if (c !== 'keep' && c !== 'fold') throw new UsageError(`--label-case must be keep or fold, got "${c}"`);
        a.opts.labelCase = c;
        break;
      }
      case '--drop-label': drop.push(v()); break;
      case '--epochs': a.epochs = int(1); break;
      case '--batch-size': a.batchSize = int(1); break;
      case '--test-size': a.testSize = numberOf(f, v(), { above: 0, below: 1 }); break;
      case '--val-size': a.valSize = numberOf(f, v(), { min: 0, below: 1 }); break;
      case '--seed': a.config.seed = v(); break;
      case '--vocab': a.config.vocabSize = int(2); break;
      case '--embed': a.config.embedDim = int(1); break;
      case '--cell': a.config.cell = cellOption(v()); break;
      case '--units': a.config.units = int(1); break;
      case '--layers': a.config.layers = int(1); break;
      case '--bidirectional': a.config.bidirectional = true; break;
      case '--lr': a.config.learningRate = numberOf(f, v(), { above: 0 }); break;
      case '--clip-norm': a.config.clipNorm = numberOf(f, v(), { min: 0 }); break;
      case '--max-len': a.config.maxLen = int(1); break;
      case '--no-mask': a.config.maskZero = false; break;
      case '--cleaning': {
        const keep = v();
        if (keep !== 'unicode' && keep !== 'ascii' && keep !== 'all') throw new UsageError(`--cleaning must be unicode, ascii or all, got "${keep}"`);
        a.config.cleaning = { ...DEFAULT_CLEANING, keep };
        break;
      }
      case '--bucketing': a.bucketing = true; break;
      case '--no-bucketing': a.bucketing = false; break;
      case '--early-stopping': a.earlyStopping = int(1); break;
      case '--no-early-stopping': a.earlyStopping = 0; break;
      case '--out': a.out = v(); break;
      case '--export-tfjs': a.exportDir = v(); break;
      case '--export-keras': a.kerasFile = v(); break;
      case '--resume': a.resume = v(); break;
      case '--tokenizer': a.tokenizer = v(); break;
      case '--labels': {
        const names = v().split(',').map((l) => l.trim());
        if (names.length < 2 || names.some((l) => l === '') || new Set(names).size !== names.length) throw new UsageError(`--labels needs two or more distinct names separated by commas, got "${names.join(',')}"`);
        a.labels = names;
        break;
      }
      case '--no-optimizer-state': a.optimizerState = false; break;
      case '--export-projector': a.projectorDir = v(); break;
      default:
        return false;
    }
    return true;
  });
  if (!read) return null;
  a.file = read.file;
  if (drop.length) a.opts.dropLabels = drop;
  // An imported model takes its layers from its file, but a learning rate, sequence length and seed (for its
  // dropout and the split) from here; a file of ours refuses those too, once it is known to be one (train).
  const given = Object.keys(a.config).filter((k) => !IMPORT_OPTIONS.includes(k as keyof ModelConfig));
  if (a.resume && given.length) throw new UsageError(`--resume takes the model's configuration (${given.join(', ')} included) from the file: leave those options out`);
  if (!a.resume && a.tokenizer) throw new UsageError('--tokenizer goes with --resume MODEL (a Keras or TF.js text classifier to fine-tune)');
  if (!a.tokenizer && a.labels) throw new UsageError('--labels goes with --resume MODEL --tokenizer FILE (a Keras or TF.js text classifier); a model of ours keeps its labels');
  if (a.earlyStopping > 0 && a.valSize === 0) throw new UsageError('early stopping chooses the epoch on the validation split: give --val-size > 0, or --no-early-stopping');
  if (a.testSize + a.valSize >= 1) throw new UsageError(`--test-size ${a.testSize} and --val-size ${a.valSize} leave nothing to train on`);
  if (a.config.seed !== undefined && /^\d+$/.test(String(a.config.seed))) a.config.seed = Number(a.config.seed);
  try {
    validateModelConfig(withDefaults(a.config));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return a;
}

/** The options an imported model takes from the command line (the rest of a configuration is its layers'). */
const IMPORT_OPTIONS: ReadonlyArray<keyof ModelConfig> = ['learningRate', 'clipNorm', 'maxLen', 'seed'];

export function run(argv: string[]): Promise<number> {
  return runCommand(argv, parseArgs, HELP, train);
}

/** A network from Keras or TF.js to fine-tune, checked as a text classifier, with its tokenizer. */
interface ImportedStart {
  net: Sequential;
  tokenizer: Tokenizer;
  classes: number;
}

/**
 * What --resume names: a sentiment model file of ours (resumed as it was saved), or a text classifier
 * from Keras or TF.js with --tokenizer (fine-tuned; its labels wait for the data). One sentence for
 * anything else: another kind of model of ours, a network that is not a text classifier, a missing tokenizer.
 */
async function openResume(args: Args & { resume: string }): Promise<{ model: SentimentModel } | { imported: ImportedStart }> {
  const file = args.resume;
  const { bytes } = readInputFile(file, 'model');
  const ours = await openModelZip(bytes).then((z) => peekKind(z.manifest), () => null);
  if (ours) {
    if (ours === 'sentiment' && (args.tokenizer || args.labels)) throw new UsageError(`${file} is a sentiment model of webgpu-lstm with its own tokenizer and labels: leave out --tokenizer and --labels`);
    const given = Object.keys(args.config);
    if (ours === 'sentiment' && given.length) throw new UsageError(`--resume takes the model's configuration (${given.join(', ')} included) from the file: leave those options out`);
    return { model: await readModelFile(file, 'sentiment') };
  }
  const loaded = await readAnyModel(file, args.config.seed !== undefined ? { seed: args.config.seed } : {});
  if (loaded.kind !== 'layers') {
    loaded.dispose();
    throw new DatasetError(`${file} is not a model to fine-tune here`);
  }
  let classes: number;
  try {
    classes = textClassifierShape(loaded.graph, file).classes;
    if (!args.tokenizer) throw new DatasetError(`${file} is a Keras or TF.js model that reads token ids: give the Keras Tokenizer it was trained with (--tokenizer tokenizer.json, saved in Python with tokenizer.to_json())`);
  } catch (e) {
    loaded.dispose();
    throw e;
  }
  const { bytes: json } = readInputFile(args.tokenizer, 'tokenizer JSON');
  let tokenizer: Tokenizer;
  try {
    const text = new TextDecoder().decode(json);
    if (!text.trimStart().startsWith('{')) throw new Error('not a JSON object: give the text that tokenizer.to_json() returns, saved to a file');
    tokenizer = Tokenizer.fromKeras(text);
  } catch (e) {
    loaded.dispose();
    throw new DatasetError(`${args.tokenizer}: ${(e as Error).message}`);
  }
  return { imported: { net: loaded, tokenizer, classes } };
}

/**
 * The imported network as a sentiment model for this data: the class of each output unit from --labels,
 * else the data's labels (sorted, as every dataset's are) when there are as many as units; one sentence
 * when they do not fit.
 */
function importedModel(args: Args & { resume: string }, start: ImportedStart, data: Dataset): SentimentModel {
  const { net, tokenizer, classes } = start;
  const csv = data.labelNames;
  let labelNames: string[];
  if (args.labels) {
    if (args.labels.length !== classes) throw new UsageError(`--labels names ${args.labels.length} classes (${args.labels.join(', ')}); ${args.resume} has ${classes} output units`);
    const missing = csv.filter((l) => !args.labels!.includes(l));
    if (missing.length) throw new DatasetError(`the data's label${missing.length > 1 ? 's' : ''} ${missing.map((l) => `"${l}"`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} not among --labels (${args.labels.join(', ')})`);
    labelNames = args.labels;
  } else {
    if (csv.length !== classes) throw new DatasetError(`the data has ${csv.length} labels (${csv.join(', ')}) and ${args.resume} has ${classes} output units: name the class of each unit, in order, with --labels A,B,…`);
    labelNames = csv;
  }
  const model = SentimentModel.fromImported(net, tokenizer, {
    labelNames,
    ...(args.config.maxLen !== undefined ? { maxLen: args.config.maxLen } : {}),
    ...(args.config.learningRate !== undefined ? { learningRate: args.config.learningRate } : {}),
    ...(args.config.clipNorm !== undefined ? { clipNorm: args.config.clipNorm } : {}),
  });
  const c = model.config;
  console.log(`labels: ${labelNames.map((l, k) => `unit ${k} = ${l}`).join(', ')} (${args.labels ? 'from --labels' : "the data's labels, sorted; --labels sets them"})`);
  console.log(
    `tokenizer: ${tokenizer.wordIndex.size} words${tokenizer.config.numWords !== null ? `, num_words ${tokenizer.config.numWords}` : ''}${tokenizer.config.oovToken !== null ? `, OOV "${tokenizer.config.oovToken}"` : ''}; ` +
      (model.maxLen !== null ? `sequence length ${model.maxLen} (${net.graph.input.shape[0] ? "the model's input length" : '--max-len'})` : 'sequence length: chosen from the training texts (--max-len sets it)') +
      `; Adam, learning rate ${c.learningRate}${args.config.learningRate === undefined ? ` (fine-tuning's default; --lr sets it)` : ''}`,
  );
  return model;
}

async function train(args: Args, interrupt: AbortSignal): Promise<number> {
  // Where results go is checked before any work, so no training is lost to an unwritable path.
  checkWritableFile(args.out, 'the model to');
  if (args.exportDir) checkWritableDir(args.exportDir, 'the TF.js model to');
  if (args.kerasFile) checkWritableFile(args.kerasFile, 'the Keras model to');
  if (args.projectorDir) checkWritableDir(args.projectorDir, 'the embedding to');
  // The GPU next: a model too large for it is refused before the data is read.
  const start = args.resume ? await openResume({ ...args, resume: args.resume }) : { model: await createSentimentModel(args.config) };
  if ('imported' in start) {
    const n = start.imported.net;
    console.log(`fine-tuning ${args.resume}: ${n.graph.layers.map((b) => b.layer.className).join(' → ')} (${n.countParams()} parameters), ${start.imported.classes} classes; seed ${n.seed}`);
  } else if (args.resume) {
    const m = start.model;
    console.log(`resuming ${args.resume}: ${m.labelNames.join(', ')}; sequence length ${m.maxLen}; seed ${m.config.seed}`);
  }
  console.log(gpuLine('imported' in start ? start.imported.net.engine : start.model.engine));
  // A CSV file is read piece by piece, never held whole.
  const { source, name } = args.file ? await openInputFile(args.file, '.zip or .csv') : { source: await builtinDatasetBytes(), name: 'sentences.zip' };
  if (!args.file) console.log('dataset: the built-in 3,000 labelled sentences (IMDb, Yelp, Amazon; npm package sentiment@5.0.2)');
  const data = await loadDataset(source, name, args.opts);
  const info = data.info;
  console.log(`file: ${info.fileName}: ${info.totalRows} rows, ${info.columns.length} columns; text "${info.textColumn}", label "${info.labelColumn}"`);
  const why = info.columnReasons;
  if (why.text) console.log(`text column "${info.textColumn}": ${why.text}`);
  if (why.label) console.log(`label column "${info.labelColumn}": ${why.label}${why.labelRunnerUp ? `; runner-up "${why.labelRunnerUp.column}": ${why.labelRunnerUp.reason} (--label-col chooses)` : ''}`);
  for (const group of info.caseVariants) {
    console.error(`warning: labels that differ only in case are separate classes: ${group.join(' / ')} (--label-case fold merges them)`);
  }
  console.log(`kept ${info.rows} rows: ${Object.entries(info.classCounts).map(([k, v]) => `${k} ${v}`).join(', ')}` +
    (info.droppedByLabel ? `; dropped ${info.droppedByLabel} by label` : '') +
    (info.skippedEmptyText ? `; skipped ${info.skippedEmptyText} with empty text` : '') +
    (info.skippedEmptyLabel ? `; skipped ${info.skippedEmptyLabel} with empty label` : '') +
    (info.malformedRows ? `; ${info.malformedRows} malformed rows (field count differs from the header) kept` : '') +
    (info.replacementChars ? `; ${info.replacementChars} invalid UTF-8 sequences replaced` : '') +
    (info.likelyEncoding ? ` (the file looks like ${info.likelyEncoding}: re-save it as UTF-8 to keep those characters)` : '') +
    (info.encoding !== 'utf-8' ? `; read as ${info.encoding.toUpperCase()} (byte-order mark)` : ''));
  const model = 'imported' in start ? importedModel({ ...args, resume: args.resume! }, start.imported, data) : start.model;
  // A resumed model keeps its seed, so the split is the one it was trained on (an imported one's is --seed's).
  const seed = args.resume ? model.config.seed : (args.config.seed ?? 141);
  const splits = splitDataset(data, { testSize: args.testSize, validationSize: args.valSize, seed });
  console.log(`split (seed ${seed}): train ${splits.train.texts.length}, validation ${splits.validation?.texts.length ?? 0}, test ${splits.test.texts.length}`);

  const progress = progressPrinter();
  const t0 = performance.now();
  // The last completed epoch's model file, for an interrupted run.
  let lastEpoch: { epoch: number; file: Uint8Array } | null = null;
  let trainedAt = t0;
  const { history, evaluation } = await trainAndEvaluate(
    model,
    splits,
    { epochs: args.epochs, batchSize: args.batchSize, bucketing: args.bucketing, patience: args.earlyStopping, includeOptimizer: args.optimizerState, lastEpochFile: false },
    {
      signal: interrupt,
      onBatchEnd: (b) => {
        if (b.epoch === 1 && b.batch === 1 && model.maxLenChoice) {
          const c = model.maxLenChoice;
          console.log(
            c.capped
              ? `sequence length ${c.maxLen}: the 99th percentile of the training texts' lengths (the longest, ${c.longest} tokens, is over 4 times that; --max-len sets it)`
              : `sequence length ${c.maxLen}: the longest training text (--max-len sets it)`,
          );
        }
        progress.batch(b, `loss ${b.loss.toFixed(4)}  acc ${b.accuracy.toFixed(4)}`);
      },
      onEpochEnd: (e, file) => {
        progress.epochEnd();
        console.log(
          `epoch ${e.epoch}/${e.epochs}: loss ${e.loss.toFixed(4)}, accuracy ${e.accuracy.toFixed(4)}` +
            (e.valAccuracy !== null ? `, val_loss ${e.valLoss!.toFixed(4)}, val_accuracy ${e.valAccuracy.toFixed(4)}` : '') +
            ` (${e.seconds.toFixed(1)} s, ${e.sequencesPerSecond.toFixed(0)} seq/s)`,
        );
        if (file) lastEpoch = { epoch: e.epoch, file };
        trainedAt = performance.now();
      },
    },
  );
  if (!evaluation) {
    if (lastEpoch) {
      const saved: { epoch: number; file: Uint8Array } = lastEpoch;
      writeFileAtomic(args.out, saved.file);
      console.error(`interrupted during epoch ${saved.epoch + 1}: saved the model of epoch ${saved.epoch} to ${args.out}`);
    } else {
      console.error(`interrupted during the first epoch: no epoch was completed, nothing saved${fs.existsSync(args.out) ? ` (${args.out} is unchanged)` : ''}`);
    }
    model.dispose();
    model.engine.destroy();
    return 130;
  }
  console.log(`trained ${history.epochs.length} epochs in ${((trainedAt - t0) / 1000).toFixed(1)} s`);
  if (history.bestEpoch !== null) {
    console.log(`early stopping: best validation loss at epoch ${history.bestEpoch}${history.stoppedEarly ? ', stopped early' : ''}; keeping that epoch's weights`);
  }
  const ev = evaluation;
  console.log(`\ntest split: ${splits.test.texts.length} rows, loss ${ev.loss.toFixed(4)}, accuracy ${ev.accuracy.toFixed(4)}, macro-F1 ${ev.report.macroAvg.f1.toFixed(4)}\n`);
  console.log(formatReport(ev.report));
  console.log(formatConfusion(ev.report));
  writeFileAtomic(args.out, await model.save({ includeOptimizer: args.optimizerState }));
  console.log(`model saved to ${args.out}`);
  if (args.exportDir) {
    const { modelJson, weightsBin } = await model.exportTfjs();
    writeDirAtomic(args.exportDir, { 'model.json': JSON.stringify(modelJson), 'weights.bin': weightsBin });
    console.log(`TF.js model written to ${path.join(args.exportDir, 'model.json')}`);
  }
  if (args.kerasFile) {
    writeFileAtomic(args.kerasFile, await model.exportKeras());
    console.log(`Keras 3 model written to ${args.kerasFile} (keras.saving.load_model reads it)`);
  }
  if (args.projectorDir) {
    const { vectorsTsv, metadataTsv } = await model.exportEmbeddingProjector();
    writeDirAtomic(args.projectorDir, { 'vectors.tsv': vectorsTsv, 'metadata.tsv': metadataTsv });
    console.log(`embedding written to ${path.join(args.projectorDir, 'vectors.tsv')} and metadata.tsv (load both at projector.tensorflow.org)`);
  }
  model.dispose();
  model.engine.destroy();
  return 0;
}
