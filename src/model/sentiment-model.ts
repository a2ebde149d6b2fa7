/**
 * The sentiment model, the API shared by the web component, the CLI and the benchmarks:
 * createSentimentModel → fit / evaluate / predict / saliency → save / load / exportTfjs → dispose.
 *
 * It ties the pieces together: the text encoder (clean → Keras-compatible Tokenizer fitted at the first
 * `fit` → pad_sequences), the network (one submit per training step), the training loop (fit.ts) and the
 * model file (persistence.ts).
 */
import seedrandom from 'seedrandom';
import { type Engine } from '../engine/engine';
import { describeCleaning } from '../data/clean';
import { type LabelledTexts } from '../data/dataset';
import { type Tokenizer } from '../data/tokenizer';
import { classificationReport, type ClassificationReport } from '../metrics/report';
import { getDefaultEngine } from '../training/default-engine';
import { networkConfig, validateModelConfig, withDefaults, type ModelConfig } from './config';
import { buildGraph } from '../layers/graph';
import { toTfjs, type TfjsArtifacts } from '../layers/tfjs';
import type { KerasParts } from '../layers/keras';
import { fitLoop, type BatchEndInfo, type EarlyStopping, type EpochEndInfo, type History } from '../training/fit';
import { checkFitsDevice, defaultMaxLen, maxRowsPerStep } from './limits';
import { SentimentNetwork, sentimentLayers, type Batch } from './network';
import { decodeModelFile, encodeModelFile } from './persistence';
import { SequenceEncoder, sequenceLengths, yieldToEventLoop, type EncodedTexts } from './text-encoder';

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  validation?: LabelledTexts | null;
  /** Hold out this fraction of `train` (its last rows, as Keras does) for validation. */
  validationSplit?: number;
  /**
   * Batches of similar length (fewer padded steps to run); default true, as in the CLI and the element
   * (`false`: plain shuffled batches).
   */
  bucketing?: boolean;
  signal?: AbortSignal;
  /** After each batch; a returned promise is awaited before further steps are submitted. */
  onBatchEnd?: (info: BatchEndInfo) => unknown;
  onEpochEnd?: (info: EpochEndInfo) => void | Promise<void>;
  /**
   * Keras EarlyStopping: stop when the validation metric has not improved for `patience` epochs, and
   * (by default) put back the weights of the best epoch. Needs validation data.
   */
  earlyStopping?: EarlyStopping;
}

export interface Evaluation {
  loss: number;
  accuracy: number;
  report: ClassificationReport;
  /** Predicted class per row. */
  predictions: number[];
  /** Probabilities per row. */
  probabilities: number[][];
}

export interface SaliencyToken {
  word: string;
  /** Token id, or null for a word outside the vocabulary (dropped by the tokenizer, as in Keras). */
  id: number | null;
  /** Gradient × input of the predicted class's logit; 0 for dropped words. */
  score: number;
}

export { getDefaultEngine };

export async function createSentimentModel(config: Partial<ModelConfig> = {}, opts: { engine?: Engine } = {}): Promise<SentimentModel> {
  const full = withDefaults(config);
  validateModelConfig(full);
  const engine = opts.engine ?? (await getDefaultEngine());
  // The parameters must fit the device (the batch shapes are checked when they are known).
  checkFitsDevice(networkConfig(full, 2), engine.device.limits);
  return new SentimentModel(engine, full);
}

/** Rows per evaluation/prediction step. */
const EVAL_CHUNK = 256;

/** Fewer distinct words than this after cleaning is an error, not a model. */
const MIN_VOCABULARY = 10;

function argmax(a: ArrayLike<number>, from: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (a[from + i]! > a[from + best]!) best = i;
  return best;
}

export class SentimentModel {
  labelNames: string[] = [];
  private readonly text: SequenceEncoder;
  private network: SentimentNetwork | null = null;
  private shuffleRng: seedrandom.StatefulPRNG<seedrandom.State.Arc4>;
  private disposed = false;

  constructor(
    readonly engine: Engine,
    readonly config: ModelConfig,
  ) {
    this.text = new SequenceEncoder(config);
    this.shuffleRng = seedrandom(`${config.seed}/shuffle`, { state: true });
  }

  /** The Keras-compatible tokenizer (fitted on the training texts at the first `fit`). */
  get tokenizer(): Tokenizer {
    return this.text.tokenizer;
  }

  /** The sequence length: configured, or chosen at the first fit (see maxLenChoice); null before. */
  get maxLen(): number | null {
    return this.text.maxLen;
  }

  get built(): boolean {
    return this.network !== null;
  }

  /** Live bytes of GPU memory held by the engine's pool (all models on this engine). */
  get gpuBytes(): number {
    return this.engine.pool.allocatedBytes;
  }

  private ensureUsable(): void {
    if (this.disposed) throw new Error('this model was disposed');
  }

  private net(): SentimentNetwork {
    this.ensureUsable();
    if (!this.network) throw new Error('the model has not been trained or loaded yet');
    return this.network;
  }

  /** Clean, tokenize and pad texts into a [n, maxLen] id matrix (plus each row's real length). */
  encode(texts: readonly string[]): EncodedTexts {
    return this.text.encode(texts);
  }

  /** How the sequence length was chosen when it was not configured (set at the first fit). */
  maxLenChoice: ReturnType<typeof defaultMaxLen> | null = null;

  private async build(train: LabelledTexts, lengths: Uint32Array, batchSize: number): Promise<void> {
    this.labelNames = [...train.labelNames];
    if (this.text.maxLen === null) {
      this.maxLenChoice = defaultMaxLen(lengths);
      this.text.maxLen = this.maxLenChoice.maxLen;
    }
    let weights: number[] | null = null;
    const cw = this.config.classWeights;
    if (cw === 'balanced') {
      const counts = this.labelNames.map((_, c) => train.labels.filter((l) => l === c).length);
      weights = counts.map((n) => (n === 0 ? 0 : train.labels.length / (counts.length * n)));
    } else if (cw) weights = cw;
    await yieldToEventLoop();
    const net = networkConfig(this.config, this.labelNames.length, weights);
    checkFitsDevice(net, this.engine.device.limits, { T: this.text.maxLen, B: batchSize });
    this.network = new SentimentNetwork(this.engine, net);
    await yieldToEventLoop();
  }

  /**
   * Stop before training on nothing: when most texts are empty after cleaning and tokenizing, or the
   * vocabulary is tiny, the model could only learn the class balance.
   */
  private checkTokens(lengths: Uint32Array): void {
    const empty = lengths.reduce((n, l) => n + (l === 0 ? 1 : 0), 0);
    const words = this.tokenizer.wordIndex.size;
    const cleaning = this.config.cleaning;
    const hint =
      cleaning.keep === 'ascii'
        ? "; the 'ascii' cleaning keeps only a–z and 0–9, so text in other scripts disappears: use the default 'unicode' cleaning (CLI: --cleaning unicode)"
        : '; check that the text column holds the texts';
    if (empty * 2 > lengths.length) {
      throw new Error(`${empty} of ${lengths.length} training texts are empty after cleaning with ${describeCleaning(cleaning)}${hint}`);
    }
    if (words < MIN_VOCABULARY) {
      throw new Error(`the training texts hold only ${words} distinct word${words === 1 ? '' : 's'} after cleaning with ${describeCleaning(cleaning)} (at least ${MIN_VOCABULARY} are needed)${hint}`);
    }
  }

  /** Map another dataset's label indices onto this model's label names. */
  private labelsFor(d: LabelledTexts): Uint32Array {
    const index = new Map(this.labelNames.map((n, i) => [n, i]));
    return Uint32Array.from(d.labels, (l) => {
      const name = d.labelNames[l]!;
      const i = index.get(name);
      if (i === undefined) throw new Error(`label "${name}" is not one of this model's labels (${this.labelNames.join(', ')})`);
      return i;
    });
  }

  private batchOf(ids: Uint32Array, labels: Uint32Array, rows: readonly number[], T: number): Batch {
    const B = rows.length;
    const out = new Uint32Array(B * T);
    const lab = new Uint32Array(B);
    rows.forEach((r, i) => {
      out.set(ids.subarray(r * T, (r + 1) * T), i * T);
      lab[i] = labels[r]!;
    });
    return { ids: out, B, T, labels: lab };
  }

  async fit(train: LabelledTexts, opts: FitOptions = {}): Promise<History> {
    this.ensureUsable();
    const epochs = opts.epochs ?? 7;
    const batchSize = opts.batchSize ?? 32;
    if (!(Number.isInteger(epochs) && epochs >= 1)) throw new Error(`epochs must be a positive integer, got ${epochs}`);
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
    if (train.texts.length === 0) throw new Error('no training rows');
    let validation = opts.validation ?? null;
    if (opts.validationSplit) {
      const f = opts.validationSplit;
      if (!(f > 0 && f < 1)) throw new Error(`validationSplit must be in (0, 1), got ${f}`);
      const cut = Math.floor(train.texts.length * (1 - f));
      validation = { texts: train.texts.slice(cut), labels: train.labels.slice(cut), labelNames: train.labelNames };
      train = { texts: train.texts.slice(0, cut), labels: train.labels.slice(0, cut), labelNames: train.labelNames };
    }
    const es = opts.earlyStopping;
    if (es) {
      if (!validation || validation.texts.length === 0) throw new Error('earlyStopping needs validation data (validation or validationSplit)');
      if (!(Number.isInteger(es.patience) && es.patience >= 1)) throw new Error(`earlyStopping.patience must be a positive integer, got ${es.patience}`);
    }
    const fitting = !this.tokenizer.fitted;
    const seqs = await this.text.sequencesOf(train.texts, fitting);
    const seqLengths = sequenceLengths(seqs);
    if (fitting) this.checkTokens(seqLengths);
    if (!this.network) await this.build(train, seqLengths, batchSize);
    const net = this.network!;
    const { ids, lengths, T } = this.text.pad(seqs);
    const labels = this.labelsFor(train);
    const val = validation && validation.texts.length > 0 ? validation : null;
    return fitLoop(
      {
        rows: train.texts.length,
        lengths,
        batchOf: (rows) => this.batchOf(ids, labels, rows, T),
        trainStep: (batch) => net.trainStep(batch),
        validate: val ? () => this.evaluate(val) : null,
        readWeights: () => net.params.read(),
        writeWeights: (w) => {
          for (const [name, values] of w) net.params.write(name, values);
        },
        shuffleRng: this.shuffleRng,
        lossScale: Math.log(this.labelNames.length),
      },
      { ...opts, epochs, batchSize, bucketing: opts.bucketing ?? true },
    );
  }

  private async forwardAll(ids: Uint32Array, labels: Uint32Array, n: number, T: number): Promise<{ probs: Float32Array; loss: number; correct: number }> {
    const net = this.net();
    const C = this.labelNames.length;
    const probs = new Float32Array(n * C);
    // Up to EVAL_CHUNK rows a step, fewer where long sequences would not fit the device.
    const chunk = Math.min(EVAL_CHUNK, maxRowsPerStep(net.config, this.engine.device.limits, T));
    const parts: Array<Promise<{ probs: Float32Array; loss: number; correct: number }>> = [];
    for (let s = 0; s < n; s += chunk) {
      const rows = Array.from({ length: Math.min(chunk, n - s) }, (_, i) => s + i);
      parts.push(net.evaluateBatch(this.batchOf(ids, labels, rows, T)));
      if (parts.length % 4 === 0) await parts[parts.length - 4]; // bounded in flight
    }
    let loss = 0;
    let correct = 0;
    const results = await Promise.all(parts);
    results.forEach((r, k) => {
      const rowsHere = r.probs.length / C;
      probs.set(r.probs, k * chunk * C);
      loss += r.loss * rowsHere;
      correct += r.correct;
    });
    return { probs, loss: loss / Math.max(1, n), correct };
  }

  async evaluate(data: LabelledTexts): Promise<Evaluation> {
    this.net();
    const n = data.texts.length;
    if (n === 0) throw new Error('no rows to evaluate');
    const { ids, T } = this.encode(data.texts);
    const labels = this.labelsFor(data);
    const C = this.labelNames.length;
    const { probs, loss } = await this.forwardAll(ids, labels, n, T);
    const predictions = Array.from({ length: n }, (_, i) => argmax(probs, i * C, C));
    const probabilities = Array.from({ length: n }, (_, i) => Array.from(probs.subarray(i * C, (i + 1) * C)));
    const report = classificationReport(labels, predictions, this.labelNames);
    return { loss, accuracy: report.accuracy, report, predictions, probabilities };
  }

  /** Class probabilities per text, in `labelNames` order. */
  async predict(texts: readonly string[]): Promise<number[][]> {
    this.net();
    if (texts.length === 0) return [];
    const { ids, T } = this.encode(texts);
    const C = this.labelNames.length;
    const { probs } = await this.forwardAll(ids, new Uint32Array(texts.length), texts.length, T);
    return Array.from({ length: texts.length }, (_, i) => Array.from(probs.subarray(i * C, (i + 1) * C)));
  }

  /** Per-word gradient × input saliency for the predicted class (or `target`). */
  async saliency(text: string, target?: number): Promise<{ tokens: SaliencyToken[]; probabilities: number[]; target: number }> {
    const net = this.net();
    const probabilities = (await this.predict([text]))[0]!;
    const cls = target ?? argmax(probabilities, 0, probabilities.length);
    const { ids } = this.encode([text]);
    const scores = await net.saliency(ids, cls);
    const tokens = this.text.wordSteps(text).map(({ word, id, step }) => ({ word, id, score: step === null ? 0 : scores[step]! }));
    return { tokens, probabilities, target: cls };
  }

  /**
   * One zip: manifest.json (config, labels, tokenizer, gate order, parameter shapes) and weights.bin,
   * and by default Adam's state and the dropout and shuffle streams' positions, so that `fit` on the
   * loaded model continues exactly (`includeOptimizer: false` leaves them out). `compress: false` stores
   * without DEFLATE: much less main-thread work, for in-memory snapshots.
   */
  async save(opts: { compress?: boolean; includeOptimizer?: boolean } = {}): Promise<Uint8Array> {
    const net = this.net();
    const values = await net.params.read();
    const training = opts.includeOptimizer === false ? undefined : { ...(await net.params.readOptimizer()), rng: { dropout: net.dropoutState(), shuffle: this.shuffleRng.state() } };
    return encodeModelFile({ config: this.config, labelNames: this.labelNames, maxLen: this.maxLen!, tokenizer: this.tokenizer, specs: net.params.specs, values, ...(training ? { training } : {}) }, { ...(opts.compress !== undefined ? { compress: opts.compress } : {}) });
  }

  /** Rebuild a saved model. A malformed or mismatched file is rejected with a reason before any GPU work. */
  static async load(bytes: Uint8Array | ArrayBuffer, opts: { engine?: Engine } = {}): Promise<SentimentModel> {
    const saved = await decodeModelFile(bytes);
    const engine = opts.engine ?? (await getDefaultEngine());
    // A saved configuration too large for this device is refused before any GPU work (one row at a time is the least a prediction needs).
    checkFitsDevice(networkConfig(saved.config, saved.labelNames.length), engine.device.limits, { T: saved.maxLen, B: 1 });
    const model = new SentimentModel(engine, saved.config);
    model.text.tokenizer = saved.tokenizer;
    model.text.maxLen = saved.maxLen;
    model.labelNames = saved.labelNames;
    model.network = new SentimentNetwork(model.engine, networkConfig(saved.config, saved.labelNames.length));
    for (const [name, values] of saved.weights) model.network.params.write(name, values);
    if (saved.training) {
      model.network.params.writeOptimizer(saved.training);
      model.network.restoreDropoutState(saved.training.rng.dropout);
      model.shuffleRng = seedrandom('', { state: saved.training.rng.shuffle as seedrandom.State.Arc4 });
    }
    return model;
  }

  /**
   * The embedding in the TensorFlow Embedding Projector's format: vectors.tsv (one row of embedDim
   * tab-separated values per word) and metadata.tsv (the word on the same line), for every token id from
   * 1 up to the vocabulary size that the tokenizer gives a word (id 0 is padding).
   */
  async exportEmbeddingProjector(): Promise<{ vectorsTsv: string; metadataTsv: string }> {
    const weights = await this.net().params.read();
    const E = this.config.embedDim;
    const table = weights.get('embedding/embeddings')!;
    const wordOf = new Map<number, string>();
    for (const [word, id] of this.tokenizer.wordIndex) wordOf.set(id, word);
    const vectors: string[] = [];
    const words: string[] = [];
    for (let id = 1; id < this.config.vocabSize; id++) {
      const word = wordOf.get(id);
      if (word === undefined) continue;
      vectors.push(Array.from(table.subarray(id * E, (id + 1) * E), (v) => String(v)).join('\t'));
      // The projector reads one label per line: tabs and line breaks inside a word would shift it.
      words.push(word.replace(/[\t\r\n]/g, ' '));
    }
    return { vectorsTsv: `${vectors.join('\n')}\n`, metadataTsv: `${words.join('\n')}\n` };
  }

  /** model.json + weights.bin in the TF.js Layers format (tf.loadLayersModel reads it). */
  async exportTfjs(): Promise<TfjsArtifacts> {
    const net = this.net();
    // The preset's layers with the padded length as the input length (TF.js's Embedding input_length).
    return toTfjs(buildGraph(sentimentLayers(net.config, this.maxLen!)), 'sentiment', await net.params.read());
  }

  /** A Keras 3 `.keras` archive of the network (keras.saving.load_model reads it; inputs are the padded token ids of `encode`). */
  async exportKeras(): Promise<Uint8Array> {
    const parts = await this.kerasParts();
    const { writeKeras } = await import('../layers/keras-archive');
    return writeKeras(parts);
  }

  /**
   * @internal What exportKeras() writes, as plain data without the HDF5 library: the element's Worker
   * sends it to the page, which writes the archive.
   */
  async kerasParts(): Promise<KerasParts> {
    const net = this.net();
    const { kerasParts } = await import('../layers/keras');
    return kerasParts(buildGraph(sentimentLayers(net.config, this.maxLen!)), 'sentiment', await net.params.read());
  }

  /** The weights by parameter name (Keras names). */
  async weights(): Promise<Map<string, Float32Array>> {
    return this.net().params.read();
  }

  dispose(): void {
    if (this.disposed) return;
    this.network?.dispose();
    this.network = null;
    this.disposed = true;
  }
}
