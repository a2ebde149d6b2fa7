/**
 * `webgpu-lstm lm`: train a language model on a text file (default: text made at build time from the
 * built-in sentences), report validation loss in nats and bits per token, print a sample, save.
 * `webgpu-lstm generate`: continue a prompt with a saved language model.
 */
import { builtinTextBytes } from '../builtin';
import { createLanguageModel, DEFAULT_LM, type LanguageModelConfig } from '../lm/language-model';
import { describeReading, readLanguageText } from '../lm/text';
import { cellOption, numberOf, readOptions, UsageError } from './args';
import { CELL_TITLES } from '../layers/specs';
import { gpuLine, readInputFile, readModelFile, runCommand } from './command';
import { checkWritableFile, writeFileAtomic } from './files';
import { progressPrinter } from './progress';

const LM_HELP = `usage: webgpu-lstm lm [text.txt] [options]

  file                 a text file (UTF-8, or UTF-16 with a byte-order mark; one that is mostly
                       invalid UTF-8 or control characters is refused); default: the built-in text
                       (the 3,000 built-in sentences)
  --level L            char (default) or word tokens
  --seq-len N          tokens per training window, default ${DEFAULT_LM.seqLen}
  --cell C             recurrent cell: lstm (default), gru or rnn (SimpleRNN)
  --units N            recurrent units, default ${DEFAULT_LM.units}
  --embed N            embedding size, default ${DEFAULT_LM.embedDim}
  --layers N           stacked recurrent layers, default ${DEFAULT_LM.layers}
  --dropout F          dropout on each recurrent layer's input, default 0
  --batch-size N       default 32
  --steps N            optimizer steps, default 300
  --eval-every N       steps between validations, default 100
  --lr F               Adam learning rate, default ${DEFAULT_LM.learningRate}
  --clip-norm F        global gradient-norm clipping, default ${DEFAULT_LM.clipNorm} (0: off)
  --val-share F        the end of the text held out for validation, default ${DEFAULT_LM.validationShare}
  --early-stopping N   stop after N validations without improvement, keeping the best weights
  --seed S             default ${DEFAULT_LM.seed}
  --sample N           characters of sample to print at the end, default 200 (0: none)
  --out FILE           where to save the model, default lm.zip
  --resume FILE        continue training a saved language model on the text (its configuration and
                       vocabulary; with its optimizer state and random streams, exactly)
  --help

Ctrl-C stops after the current step; the model trained so far is saved (and can be resumed).`;

const GEN_HELP = `usage: webgpu-lstm generate model.zip [options]

  --prompt TEXT        what to continue (default: the most frequent token)
  --length N           tokens to generate, default 300
  --temperature F      default 1 (0: always the most likely token)
  --top-k N            sample among the N most likely tokens only (default: all)
  --seed N             default 1: the same seed, the same text
  --help`;

interface LmArgs {
  file: string | null;
  config: Partial<LanguageModelConfig>;
  batchSize: number;
  steps: number;
  evalEvery: number;
  patience: number;
  sample: number;
  out: string;
  resume: string | null;
}

function parseLm(argv: string[]): LmArgs | null {
  const a: LmArgs = { file: null, config: {}, batchSize: 32, steps: 300, evalEvery: 100, patience: 0, sample: 200, out: 'lm.zip', resume: null };
  const read = readOptions(argv, (o) => {
    const f = o.flag;
    const v = o.value;
    const int = o.int;
    switch (f) {
      case '--level': {
        const l = v();
        if (l !== 'char' && l !== 'word') throw new UsageError(`--level must be char or word, got "${l}"`);
        a.config.level = l;
        break;
      }
      case '--seq-len': a.config.seqLen = int(1); break;
      case '--cell': a.config.cell = cellOption(v()); break;
      case '--units': a.config.units = int(1); break;
      case '--embed': a.config.embedDim = int(1); break;
      case '--layers': a.config.layers = int(1); break;
      case '--dropout': a.config.dropout = numberOf(f, v(), { min: 0, below: 1 }); break;
      case '--batch-size': a.batchSize = int(1); break;
      case '--steps': a.steps = int(1); break;
      case '--eval-every': a.evalEvery = int(1); break;
      case '--lr': a.config.learningRate = numberOf(f, v(), { above: 0 }); break;
      case '--clip-norm': a.config.clipNorm = numberOf(f, v(), { min: 0 }); break;
      case '--val-share': a.config.validationShare = numberOf(f, v(), { min: 0, below: 0.5 }); break;
      case '--early-stopping': a.patience = int(1); break;
      case '--seed': {
        const s = v();
        a.config.seed = /^\d+$/.test(s) ? Number(s) : s;
        break;
      }
      case '--sample': a.sample = int(0); break;
      case '--out': a.out = v(); break;
      case '--resume': a.resume = v(); break;
      default:
        return false;
    }
    return true;
  });
  if (!read) return null;
  a.file = read.file;
  if (a.patience > 0 && a.config.validationShare === 0) throw new UsageError('--early-stopping needs a validation share (--val-share > 0)');
  const given = Object.keys(a.config);
  if (a.resume && given.length) throw new UsageError(`--resume takes the model's configuration (${given.join(', ')} included) from the file: leave those options out`);
  return a;
}

/** A rate is printed only when measured: over at least a chunk of tokens (below that, one submit's latency) and 50 ms. */
const MIN_RATE_TOKENS = 64;
const MIN_RATE_SECONDS = 0.05;

/** Tokens per second, or null when too few tokens or too short a time to measure one. */
function measuredRate(tokens: number, seconds: number): number | null {
  return tokens >= MIN_RATE_TOKENS && seconds >= MIN_RATE_SECONDS ? tokens / seconds : null;
}

export function runLm(argv: string[]): Promise<number> {
  return runCommand(argv, parseLm, LM_HELP, trainLm);
}

async function trainLm(args: LmArgs, interrupt: AbortSignal): Promise<number> {
  checkWritableFile(args.out, 'the model to');
  const { bytes, name } = args.file ? readInputFile(args.file, 'text') : { bytes: await builtinTextBytes(), name: 'sentences.txt' };
  if (!args.file) console.log('text: the built-in one (the 3,000 built-in sentences, one per line)');
  // Decoded and checked before the GPU: a file that is mostly not text is refused with its share.
  const text = await readLanguageText(bytes, name);
  const lm = args.resume ? await readModelFile(args.resume, 'language-model') : await createLanguageModel(text, args.config);
  if (args.resume) console.log(`resuming ${args.resume}`);
  console.log(gpuLine(lm.model.engine));
  const c = lm.config;
  const sizes = lm.setText(text);
  console.log(
    `${name}: ${text.characters.toLocaleString('en-US')} characters${describeReading(text)}; ${c.level} tokens: vocabulary ${lm.vocab.size}, train ${sizes.train.toLocaleString('en-US')}, validation ${sizes.validation.toLocaleString('en-US')} (the last ${Math.round(c.validationShare * 100)}%)`,
  );
  console.log(`model: embedding ${c.embedDim} → ${c.layers} × ${CELL_TITLES[c.cell]} ${c.units} → dense softmax ${lm.vocab.size}; ${lm.model.countParams().toLocaleString('en-US')} parameters; windows of ${c.seqLen}, batch ${args.batchSize}`);
  const progress = progressPrinter();
  const unit = c.level === 'char' ? 'char' : 'token';
  const t0 = performance.now();
  const history = await lm.fit({
    steps: args.steps,
    evalEvery: args.evalEvery,
    batchSize: args.batchSize,
    signal: interrupt,
    ...(args.patience > 0 ? { earlyStopping: { patience: args.patience } } : {}),
    onBatchEnd: (b) => progress.batch(b, `loss ${b.loss.toFixed(4)}`),
    onEpochEnd: (e) => {
      progress.epochEnd();
      console.log(
        `step ${e.epoch * Math.ceil(args.steps / e.epochs)}: train loss ${e.loss.toFixed(4)}` +
          (e.valLoss !== null ? `, validation ${e.valLoss.toFixed(4)} nats/${unit} (${e.valBitsPerToken!.toFixed(3)} bits/${unit})` : '') +
          ` (${e.seconds.toFixed(1)} s, ${(e.sequencesPerSecond * c.seqLen).toFixed(0)} ${unit}s/s)`,
      );
    },
  });
  console.log(`trained in ${((performance.now() - t0) / 1000).toFixed(1)} s${history.bestEpoch !== null ? `; kept the weights of validation ${history.bestEpoch} (the lowest loss)` : ''}`);
  writeFileAtomic(args.out, await lm.save());
  console.log(`model saved to ${args.out}`);
  if (args.sample > 0) {
    const t1 = performance.now();
    const sample = await lm.generate('', { length: args.sample, temperature: 0.8, seed: 1 });
    const rate = measuredRate(args.sample, (performance.now() - t1) / 1000);
    console.log(`\nsample (temperature 0.8${rate === null ? '' : `, ${rate.toFixed(0)} tokens/s`}):\n${sample}\n`);
  }
  lm.dispose();
  lm.model.engine.destroy();
  return interrupt.aborted ? 130 : 0;
}

interface GenArgs {
  file: string | null;
  prompt: string;
  length: number;
  temperature: number;
  topK: number;
  seed: number;
}

function parseGenerate(argv: string[]): GenArgs | null {
  const a: GenArgs = { file: null, prompt: '', length: 300, temperature: 1, topK: 0, seed: 1 };
  const read = readOptions(argv, (o) => {
    const f = o.flag;
    const v = o.value;
    switch (f) {
      case '--prompt': a.prompt = o.raw(); break; // a prompt may itself start with a dash
      case '--length': a.length = numberOf(f, v(), { int: true, min: 1 }); break;
      case '--temperature': a.temperature = numberOf(f, v(), { min: 0 }); break;
      case '--top-k': a.topK = numberOf(f, v(), { int: true, min: 0 }); break;
      case '--seed': a.seed = numberOf(f, v(), { int: true, min: 0 }); break;
      default:
        return false;
    }
    return true;
  });
  if (!read) return null;
  a.file = read.file;
  if (!a.file) throw new UsageError('give the model file: webgpu-lstm generate lm.zip --prompt "…"');
  return a;
}

/** A prompt's unseen characters (or words) listed at most. */
const MAX_LISTED = 10;

export function runGenerate(argv: string[]): Promise<number> {
  return runCommand(argv, parseGenerate, GEN_HELP, generate);
}

async function generate(args: GenArgs, interrupt: AbortSignal): Promise<number> {
  const lm = await readModelFile(args.file!, 'language-model');
  const unknown = lm.vocab.unknownTokens(args.prompt);
  if (unknown.length) {
    const unit = lm.vocab.level === 'char' ? 'character' : 'word';
    const shown = unknown.slice(0, MAX_LISTED).map((t) => JSON.stringify(t)).join(', ') + (unknown.length > MAX_LISTED ? `, and ${unknown.length - MAX_LISTED} more` : '');
    console.error(`prompt: ${unknown.length} ${unit}${unknown.length === 1 ? '' : 's'} not in the vocabulary (${shown}) ${unknown.length === 1 ? 'is' : 'are'} read as the unknown token`);
  }
  process.stdout.write(args.prompt);
  const t0 = performance.now();
  const written = await lm.generate(args.prompt, {
    length: args.length,
    temperature: args.temperature,
    topK: args.topK,
    seed: args.seed,
    signal: interrupt,
    onText: (t) => void process.stdout.write(t),
  });
  process.stdout.write('\n');
  const seconds = (performance.now() - t0) / 1000;
  // Ctrl-C stops generation early: count what was written (its tokens, read back through the vocabulary).
  const tokens = interrupt.aborted ? lm.vocab.encode(written).length : args.length;
  const rate = measuredRate(tokens, seconds);
  console.error(`${tokens} tokens${rate === null ? '' : ` in ${seconds.toFixed(2)} s (${rate.toFixed(0)} tokens/s)`}${interrupt.aborted ? ` (interrupted; ${args.length} asked for)` : ''}`);
  lm.dispose();
  lm.model.engine.destroy();
  return 0;
}
