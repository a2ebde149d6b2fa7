/**
 * A language model on the layers API: embedding → LSTM layers (returnSequences) → dense softmax over
 * the vocabulary, trained on random windows of the text with the next token as the target at every
 * timestep, validated on the held-out end of the text (nats and bits per token), and sampled with
 * `generate` (GPU-side sampling with the state carried on the GPU).
 */
import seedrandom from 'seedrandom';
import type { Engine } from '../engine/engine';
import { sequential, sequentialFromFile, type Sequential, type TrainBatch } from '../layers/sequential';
import { decodeSequential, peekKind } from '../layers/file';
import { openModelZip, type OpenedModelZip } from '../layers/model-zip';
import { checkCell, layers as L, recurrentLayerFor, type CellName, type Layer } from '../layers/specs';
import { fitLoop, type BatchEndInfo, type EarlyStopping, type EpochEndInfo, type History } from '../layers/fit-loop';
import { generateTokens, type GenerateOptions } from './generate';
import { checkLanguageText, readLanguageText, type LanguageText } from './text';
import { FIRST_TOKEN_ID, Vocabulary, type TokenLevel } from './vocab';
import type { TextSource } from '../data/text';

export interface LanguageModelConfig {
  level: TokenLevel;
  /** The recurrent cell: 'lstm' (default), 'gru' (Keras's default GRU) or 'rnn' (SimpleRNN). */
  cell: CellName;
  /** Tokens per training window. */
  seqLen: number;
  embedDim: number;
  units: number;
  layers: number;
  /** Dropout on each recurrent layer's input (0: none). */
  dropout: number;
  learningRate: number;
  /** Global gradient-norm clipping (0: none). */
  clipNorm: number;
  /** The end share of the text held out for validation. */
  validationShare: number;
  seed: number | string;
}

export const DEFAULT_LM: LanguageModelConfig = { level: 'char', cell: 'lstm', seqLen: 64, embedDim: 32, units: 128, layers: 1, dropout: 0, learningRate: 2e-3, clipNorm: 5, validationShare: 0.1, seed: 141 };

export interface LmFitOptions {
  /** Optimizer steps in all (rounded up to whole evaluation intervals). */
  steps?: number;
  /** Steps between validations (an "epoch" of the progress callbacks); default 100. */
  evalEvery?: number;
  batchSize?: number;
  earlyStopping?: EarlyStopping;
  /** After each batch; a returned promise is awaited before further steps are submitted. */
  onBatchEnd?: (info: BatchEndInfo) => unknown;
  onEpochEnd?: (info: EpochEndInfo & { valBitsPerToken: number | null }) => void | Promise<void>;
  signal?: AbortSignal;
}

const LN2 = Math.log(2);
/** Validation windows at most (taken evenly over the held-out text). */
const MAX_VALIDATION_WINDOWS = 256;

/**
 * A new language model for `text`: a string, the bytes of a text file or a Blob (a File), or what
 * readLanguageText read. Bytes are decoded as UTF-8 (or UTF-16 with a byte-order mark); a text that is
 * mostly invalid UTF-8 or control characters is refused (a DatasetError) before any GPU work.
 */
export async function createLanguageModel(text: string | TextSource | LanguageText, config: Partial<LanguageModelConfig> = {}, opts: { engine?: Engine } = {}): Promise<LanguageModel> {
  const c = { ...DEFAULT_LM, ...config };
  checkCell(c.cell);
  for (const k of ['seqLen', 'embedDim', 'units', 'layers'] as const) {
    if (!(Number.isInteger(c[k]) && c[k] >= 1)) throw new Error(`${k} must be a positive integer, got ${c[k]}`);
  }
  if (!(c.validationShare >= 0 && c.validationShare < 0.5)) throw new Error(`validationShare must be in [0, 0.5), got ${c.validationShare}`);
  const checked = typeof text === 'string' ? checkLanguageText(text) : text instanceof Uint8Array || text instanceof Blob ? await readLanguageText(text) : text;
  const vocab = Vocabulary.fromText(checked.text, c.level);
  const model = await sequential(lmLayers(c, vocab.size), { seed: c.seed, name: 'language_model', ...(opts.engine ? { engine: opts.engine } : {}) });
  const lm = new LanguageModel(model, vocab, c);
  lm.setText(checked);
  return lm;
}

function lmLayers(c: LanguageModelConfig, V: number): Layer[] {
  return [
    L.embedding({ inputDim: V, outputDim: c.embedDim }),
    ...Array.from({ length: c.layers }, () => recurrentLayerFor(c.cell, { units: c.units, returnSequences: true, dropout: c.dropout })),
    L.dense({ units: V, activation: 'softmax' }),
  ];
}

export class LanguageModel {
  /** What loadModel found: a language model (a vocabulary and generation around a layers model). */
  readonly kind = 'language-model' as const;
  private train = new Uint32Array(0);
  private validation = new Uint32Array(0);
  private windowRng: seedrandom.StatefulPRNG<seedrandom.State.Arc4>;

  /** @internal Use createLanguageModel or LanguageModel.load. */
  constructor(
    readonly model: Sequential,
    readonly vocab: Vocabulary,
    readonly config: LanguageModelConfig,
    opts: { keepOptimizer?: boolean } = {},
  ) {
    this.windowRng = seedrandom(`${config.seed}/windows`, { state: true });
    // A loaded model comes compiled, with its optimizer state: compiling again would reset it.
    if (!opts.keepOptimizer || !model.compiledWith) {
      model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: { type: 'adam', learningRate: config.learningRate, clipNorm: config.clipNorm }, metrics: ['accuracy'] });
    }
  }

  /**
   * The text to train on (a string, refused when mostly not text — see lm/text.ts — or what
   * readLanguageText read): the last `validationShare` of it is held out. Tokens the vocabulary lacks
   * become "unknown".
   */
  setText(text: string | LanguageText): { train: number; validation: number } {
    const ids = this.vocab.encode(typeof text === 'string' ? checkLanguageText(text).text : text.text);
    const cut = Math.floor(ids.length * (1 - this.config.validationShare));
    const need = this.config.seqLen + 1;
    if (cut < need) throw new Error(`the text has ${ids.length} tokens: too few for windows of ${this.config.seqLen} (at least ${Math.ceil(need / (1 - this.config.validationShare))} needed)`);
    this.train = ids.slice(0, cut);
    this.validation = ids.slice(cut);
    return { train: this.train.length, validation: this.validation.length };
  }

  /** Windows starting at `starts` of `ids`: inputs batch-major [B, T], next-token targets time-major [T·B]. */
  private batch(ids: Uint32Array, starts: readonly number[]): TrainBatch {
    const T = this.config.seqLen;
    const B = starts.length;
    const x = new Uint32Array(B * T);
    const y = new Float64Array(T * B);
    starts.forEach((s, b) => {
      for (let t = 0; t < T; t++) {
        x[b * T + t] = ids[s + t]!;
        y[t * B + b] = ids[s + t + 1]!;
      }
    });
    return { input: { B, T, ids: x }, targets: y };
  }

  /** Mean loss per token (nats) and accuracy over windows spread evenly across the held-out text. */
  async validate(batchSize = 64): Promise<{ loss: number; accuracy: number } | null> {
    const T = this.config.seqLen;
    const count = Math.min(MAX_VALIDATION_WINDOWS, Math.floor((this.validation.length - 1) / T));
    if (count < 1) return null;
    const stride = Math.floor((this.validation.length - 1 - T) / Math.max(1, count - 1));
    const starts = Array.from({ length: count }, (_, i) => i * stride);
    let loss = 0, accuracy = 0, n = 0;
    for (let s = 0; s < starts.length; s += batchSize) {
      const r = await this.model.evaluateBatch(this.batch(this.validation, starts.slice(s, s + batchSize)));
      loss += r.loss * r.count;
      accuracy += r.accuracy * r.count;
      n += r.count;
    }
    return { loss: loss / n, accuracy: accuracy / n };
  }

  /** Train on random windows of the training text; validation loss after every `evalEvery` steps. */
  async fit(opts: LmFitOptions = {}): Promise<History> {
    const batchSize = opts.batchSize ?? 32;
    const every = opts.evalEvery ?? 100;
    const steps = opts.steps ?? every;
    for (const [k, v] of [['steps', steps], ['evalEvery', every], ['batchSize', batchSize]] as const) {
      if (!(Number.isInteger(v) && v >= 1)) throw new Error(`${k} must be a positive integer, got ${v}`);
    }
    const epochs = Math.ceil(steps / Math.min(every, steps));
    const perEpoch = Math.ceil(steps / epochs);
    const T = this.config.seqLen;
    const lastStart = this.train.length - T - 1;
    return fitLoop<TrainBatch>(
      {
        rows: perEpoch * batchSize,
        lengths: new Uint32Array(perEpoch * batchSize),
        batchOf: (rows) => this.batch(this.train, rows.map(() => Math.floor(this.windowRng() * (lastStart + 1)))),
        trainStep: (b) => this.model.trainBatch(b),
        validate: this.validation.length > T ? () => this.validate().then((v) => v!) : null,
        readWeights: () => this.model.getWeights(),
        writeWeights: (w) => this.model.setWeights(w),
        shuffleRng: this.windowRng,
        lossScale: Math.log(this.vocab.size),
      },
      {
        epochs,
        batchSize,
        shuffle: false,
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.onBatchEnd ? { onBatchEnd: opts.onBatchEnd } : {}),
        ...(opts.earlyStopping ? { earlyStopping: opts.earlyStopping } : {}),
        onEpochEnd: (e) => opts.onEpochEnd?.({ ...e, valBitsPerToken: e.valLoss === null ? null : e.valLoss / LN2 }),
      },
    );
  }

  /** Continue `prompt` by `length` tokens, sampled on the GPU (see GenerateOptions). */
  async generate(prompt: string, o: Omit<GenerateOptions, 'onChunk'> & { onText?: (text: string) => void | Promise<void> }): Promise<string> {
    let ids = this.vocab.encode(prompt);
    // An empty prompt starts from the text's most frequent token.
    if (ids.length === 0) ids = Uint32Array.of(FIRST_TOKEN_ID);
    const { onText, ...rest } = o;
    // The unknown token may be read (a prompt's unseen characters: vocab.unknownTokens names them) but is never drawn.
    const out = await generateTokens(this.model, ids, { ...rest, ...(onText ? { onChunk: (t: Uint32Array) => onText(this.vocab.decode(t)) } : {}) }, FIRST_TOKEN_ID);
    return this.vocab.decode(out.subarray(prompt.length === 0 ? 1 : ids.length));
  }

  /**
   * The model file (loadModel reads it): the layers model and, beside it, the vocabulary and
   * configuration; with the optimizer state and the random streams (windows included), fit on the loaded
   * model continues exactly.
   */
  async save(opts: { includeOptimizer?: boolean } = {}): Promise<Uint8Array> {
    const data = { vocab: this.vocab.toJSON(), config: this.config, ...(opts.includeOptimizer === false ? {} : { windows: this.windowRng.state() }) };
    return this.model.saveAs({ kind: 'language-model', data }, opts);
  }

  /** A language model from its file (this version's or 0.2's); another kind of file is refused before any GPU work. loadModel reads every kind. */
  static async load(bytes: Uint8Array | ArrayBuffer, opts: { engine?: Engine } = {}): Promise<LanguageModel> {
    const opened = await openModelZip(bytes);
    const kind = peekKind(opened.manifest);
    if (kind && kind !== 'language-model') throw new Error(`this is a ${kind} model file, not a language model: load it with loadModel`);
    return LanguageModel.fromFile(opened, opts);
  }

  /** @internal An opened language model file as a model (loadModel). */
  static async fromFile(opened: OpenedModelZip, opts: { engine?: Engine } = {}): Promise<LanguageModel> {
    // The file and its vocabulary are checked before any GPU work.
    const saved = await decodeSequential(opened);
    if (saved.kind !== 'language-model') throw new Error(`this is a ${saved.kind} model file, not a language model: load it with loadModel`);
    const meta = saved.preset as { vocab?: unknown; config?: LanguageModelConfig; windows?: seedrandom.State.Arc4 } | null;
    if (!meta?.vocab || !meta.config) throw new Error('not a valid language model file: it has no vocabulary or configuration');
    const vocab = Vocabulary.fromJSON(meta.vocab);
    const model = await sequentialFromFile(saved, opts);
    const lm = new LanguageModel(model, vocab, { ...DEFAULT_LM, ...meta.config }, { keepOptimizer: true });
    if (meta.windows) lm.windowRng = seedrandom('', { state: meta.windows });
    return lm;
  }

  dispose(): void {
    this.model.dispose();
  }
}
