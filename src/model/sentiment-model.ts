/**
 * The public model API shared by the web component, the CLI and the benchmarks:
 * createSentimentModel → fit / evaluate / predict / saliency → save / load / exportTfjs → dispose.
 *
 * Text goes through the configured cleaning, a Keras-compatible Tokenizer (fitted on the training texts
 * at the first `fit`) and pad_sequences; the network trains with one submit per step, keeping at most
 * two steps in flight so that the host prepares the next batch while the GPU runs the previous one.
 */
import JSZip from 'jszip';
import seedrandom from 'seedrandom';
import { Engine } from '../engine/engine';
import { cleanText, DEFAULT_CLEANING, type CleaningConfig } from '../data/clean';
import { type LabelledTexts } from '../data/dataset';
import { epochBatches } from '../data/split';
import { padSequences, Tokenizer, type TokenizerJSON } from '../data/tokenizer';
import { classificationReport, type ClassificationReport } from '../metrics/report';
import { exportTfjs, type TfjsArtifacts } from './export-tfjs';
import { DEFAULT_NETWORK, SentimentNetwork, validateNetworkConfig, type Batch, type NetworkConfig, type StepStats } from './network';

/** The network's settings (see NetworkConfig) plus the text pipeline's; classes come from the data. */
export interface ModelConfig extends Omit<NetworkConfig, 'numClasses' | 'classWeights'> {
  /** Per-class loss weights in label order, 'balanced' (n / (k · count)), or null. */
  classWeights: number[] | 'balanced' | null;
  /** Sequence length; null: the longest training sequence (Keras pad_sequences' default). */
  maxLen: number | null;
  padding: 'pre' | 'post';
  truncating: 'pre' | 'post';
  oovToken: string | null;
  cleaning: CleaningConfig;
}

/**
 * The original notebook's recipe: vocabulary 2000, embedding 128, SpatialDropout1D 0.4, LSTM 196 with
 * dropout 0.2 and recurrent dropout 0.2, Dense softmax, Adam 1e-3. One deliberate difference: padding
 * is masked (mask_zero), which the notebook does not do; set maskZero: false for the exact recipe.
 */
const { numClasses: _classes, classWeights: _weights, ...NETWORK_RECIPE } = DEFAULT_NETWORK;
export const NOTEBOOK_RECIPE: ModelConfig = {
  ...NETWORK_RECIPE,
  classWeights: null,
  maxLen: null,
  padding: 'pre',
  truncating: 'pre',
  oovToken: null,
  cleaning: DEFAULT_CLEANING,
};

export interface BatchEndInfo {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** Running mean over the epoch so far. */
  loss: number;
  accuracy: number;
  sequencesPerSecond: number;
  etaSeconds: number;
}

export interface EpochEndInfo {
  epoch: number;
  epochs: number;
  loss: number;
  accuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  seconds: number;
  sequencesPerSecond: number;
}

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  validation?: LabelledTexts | null;
  /** Hold out this fraction of `train` (its last rows, as Keras does) for validation. */
  validationSplit?: number;
  /** Batches of similar length (fewer padded steps to run). */
  bucketing?: boolean;
  signal?: AbortSignal;
  onBatchEnd?: (info: BatchEndInfo) => void;
  onEpochEnd?: (info: EpochEndInfo) => void | Promise<void>;
  /**
   * Keras EarlyStopping: stop when the validation metric has not improved for `patience` epochs, and
   * (by default) put back the weights of the best epoch. Needs validation data.
   */
  earlyStopping?: { patience: number; monitor?: 'val_loss' | 'val_accuracy'; restoreBestWeights?: boolean };
}

export interface History {
  epochs: EpochEndInfo[];
  /** True when the signal stopped training early (the model is consistent: every submitted step completed). */
  stopped: boolean;
  /** With earlyStopping: the best epoch (1-based) and whether training stopped before `epochs`. */
  bestEpoch: number | null;
  stoppedEarly: boolean;
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

export interface SavedManifest {
  format: 'webgpu-lstm-sentiment';
  version: 1;
  config: ModelConfig;
  labelNames: string[];
  maxLen: number;
  gateOrder: string[];
  params: Array<{ name: string; shape: number[] }>;
  tokenizer: TokenizerJSON;
}

let defaultEngine: Promise<Engine> | null = null;
/** One engine per page or process unless the caller brings its own. */
export function getDefaultEngine(): Promise<Engine> {
  defaultEngine ??= Engine.create();
  return defaultEngine;
}

export async function createSentimentModel(config: Partial<ModelConfig> = {}, opts: { engine?: Engine } = {}): Promise<SentimentModel> {
  const full: ModelConfig = { ...NOTEBOOK_RECIPE, ...config, cleaning: { ...NOTEBOOK_RECIPE.cleaning, ...(config.cleaning ?? {}) } };
  validateModelConfig(full);
  return new SentimentModel(opts.engine ?? (await getDefaultEngine()), full);
}

export function validateModelConfig(c: ModelConfig): void {
  validateNetworkConfig(networkConfig(c, 2));
  if (c.maxLen !== null && !(Number.isInteger(c.maxLen) && c.maxLen >= 1)) throw new Error(`maxLen must be a positive integer or null, got ${c.maxLen}`);
  if (c.padding !== 'pre' && c.padding !== 'post') throw new Error(`padding must be 'pre' or 'post', got ${String(c.padding)}`);
  if (c.truncating !== 'pre' && c.truncating !== 'post') throw new Error(`truncating must be 'pre' or 'post', got ${String(c.truncating)}`);
}

function networkConfig(c: ModelConfig, numClasses: number, classWeights: number[] | null = null): NetworkConfig {
  const { maxLen: _maxLen, padding: _padding, truncating: _truncating, oovToken: _oov, cleaning: _cleaning, classWeights: _cw, ...network } = c;
  return { ...network, numClasses, classWeights };
}

/** A macrotask boundary: lets the page render and handle input between chunks of host work. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}

function argmax(a: ArrayLike<number>, from: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (a[from + i]! > a[from + best]!) best = i;
  return best;
}

export class SentimentModel {
  tokenizer: Tokenizer;
  labelNames: string[] = [];
  maxLen: number | null;
  private network: SentimentNetwork | null = null;
  private shuffleRng: () => number;
  private disposed = false;

  constructor(
    readonly engine: Engine,
    readonly config: ModelConfig,
  ) {
    this.tokenizer = new Tokenizer({ numWords: config.vocabSize, oovToken: config.oovToken });
    this.maxLen = config.maxLen;
    this.shuffleRng = seedrandom(`${config.seed}/shuffle`);
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
  encode(texts: readonly string[]): { ids: Uint32Array; lengths: Uint32Array; T: number } {
    return this.pad(this.tokenizer.textsToSequences(texts.map((t) => cleanText(t, this.config.cleaning))));
  }

  private pad(seqs: number[][]): { ids: Uint32Array; lengths: Uint32Array; T: number } {
    if (this.maxLen === null) throw new Error('maxLen is not known before the first fit');
    const { data } = padSequences(seqs, { maxlen: this.maxLen, padding: this.config.padding, truncating: this.config.truncating });
    return { ids: data, lengths: Uint32Array.from(seqs, (s) => Math.min(s.length, this.maxLen!)), T: this.maxLen };
  }

  /**
   * Clean and tokenize in slices, yielding to the event loop between them, so that preparing a large
   * dataset never blocks a page for long.
   */
  private async sequencesOf(texts: readonly string[], fitTokenizer: boolean): Promise<number[][]> {
    const cleaned: string[] = [];
    for (let s = 0; s < texts.length; s += 2000) {
      for (const t of texts.slice(s, s + 2000)) cleaned.push(cleanText(t, this.config.cleaning));
      await yieldToEventLoop();
    }
    if (fitTokenizer) {
      this.tokenizer.fitOnTexts(cleaned);
      await yieldToEventLoop();
    }
    const seqs: number[][] = [];
    for (let s = 0; s < cleaned.length; s += 2000) {
      seqs.push(...this.tokenizer.textsToSequences(cleaned.slice(s, s + 2000)));
      await yieldToEventLoop();
    }
    return seqs;
  }

  private async build(train: LabelledTexts, seqs: number[][]): Promise<void> {
    this.labelNames = [...train.labelNames];
    if (this.maxLen === null) this.maxLen = seqs.reduce((m, s) => Math.max(m, s.length), 1);
    let weights: number[] | null = null;
    const cw = this.config.classWeights;
    if (cw === 'balanced') {
      const counts = this.labelNames.map((_, c) => train.labels.filter((l) => l === c).length);
      weights = counts.map((n) => (n === 0 ? 0 : train.labels.length / (counts.length * n)));
    } else if (cw) weights = cw;
    await yieldToEventLoop();
    this.network = new SentimentNetwork(this.engine, networkConfig(this.config, this.labelNames.length, weights));
    await yieldToEventLoop();
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
    const seqs = await this.sequencesOf(train.texts, !this.tokenizer.fitted);
    if (!this.network) await this.build(train, seqs);
    const net = this.network!;
    const { ids, lengths, T } = this.pad(seqs);
    const labels = this.labelsFor(train);
    const n = train.texts.length;
    const history: History = { epochs: [], stopped: false, bestEpoch: null, stoppedEarly: false };
    const es = opts.earlyStopping;
    if (es) {
      if (!validation || validation.texts.length === 0) throw new Error('earlyStopping needs validation data (validation or validationSplit)');
      if (!(Number.isInteger(es.patience) && es.patience >= 1)) throw new Error(`earlyStopping.patience must be a positive integer, got ${es.patience}`);
    }
    let best: { score: number; epoch: number; weights: Map<string, Float32Array> | null } | null = null;

    for (let epoch = 0; epoch < epochs; epoch++) {
      const batches = epochBatches(n, batchSize, this.shuffleRng, opts.bucketing ? lengths : undefined);
      const t0 = performance.now();
      let seen = 0;
      let lossSum = 0;
      let correct = 0;
      let done = 0;
      const pending: Array<{ p: Promise<StepStats>; size: number }> = [];
      const settle = async () => {
        const { p, size } = pending.shift()!;
        const s = await p;
        if (!s.finite) {
          // Drain what is still in flight so the model is left consistent.
          await Promise.allSettled(pending.map((q) => q.p));
          pending.length = 0;
          throw new Error(
            `training stopped at epoch ${epoch + 1}, batch ${done + 1}: the loss or gradient became NaN/Inf; ` +
              'that update was skipped, so the model keeps the weights of the last good step (try a lower learning rate or clipNorm)',
          );
        }
        done++;
        seen += size;
        lossSum += s.loss * size;
        correct += s.correct;
        const elapsed = (performance.now() - t0) / 1000;
        const rate = seen / Math.max(elapsed, 1e-9);
        const remaining = (batches.length - done) * batchSize + (epochs - epoch - 1) * n;
        opts.onBatchEnd?.({
          epoch: epoch + 1,
          epochs,
          batch: done,
          batches: batches.length,
          loss: lossSum / seen,
          accuracy: correct / seen,
          sequencesPerSecond: rate,
          etaSeconds: remaining / rate,
        });
      };
      try {
        for (const rows of batches) {
          if (opts.signal?.aborted) break;
          pending.push({ p: net.trainStep(this.batchOf(ids, labels, rows, T)), size: rows.length });
          if (pending.length >= 2) await settle();
        }
        while (pending.length > 0) await settle();
      } catch (e) {
        // Whatever is still in flight fails the same way (or completes); either way nobody awaits it now.
        for (const q of pending) q.p.catch(() => {});
        throw e;
      }
      if (opts.signal?.aborted && done < batches.length) {
        history.stopped = true;
        break;
      }
      const seconds = (performance.now() - t0) / 1000;
      let valLoss: number | null = null;
      let valAccuracy: number | null = null;
      if (validation && validation.texts.length > 0) {
        const v = await this.evaluate(validation);
        valLoss = v.loss;
        valAccuracy = v.accuracy;
      }
      const info: EpochEndInfo = { epoch: epoch + 1, epochs, loss: lossSum / seen, accuracy: correct / seen, valLoss, valAccuracy, seconds, sequencesPerSecond: seen / seconds };
      history.epochs.push(info);
      await opts.onEpochEnd?.(info);
      if (opts.signal?.aborted) {
        history.stopped = epoch + 1 < epochs;
        break;
      }
      if (es) {
        // Higher is better: the accuracy itself, or the negated loss.
        const score = es.monitor === 'val_accuracy' ? valAccuracy! : -valLoss!;
        if (!best || score > best.score) {
          best = { score, epoch: epoch + 1, weights: es.restoreBestWeights === false ? null : await net.params.read() };
        } else if (epoch + 1 - best.epoch >= es.patience) {
          history.stoppedEarly = epoch + 1 < epochs;
          break;
        }
      }
    }
    if (es && best) {
      history.bestEpoch = best.epoch;
      if (best.weights && best.epoch !== history.epochs.length) for (const [name, w] of best.weights) net.params.write(name, w);
    }
    return history;
  }

  private async forwardAll(ids: Uint32Array, labels: Uint32Array, n: number, T: number): Promise<{ probs: Float32Array; loss: number; correct: number }> {
    const net = this.net();
    const C = this.labelNames.length;
    const probs = new Float32Array(n * C);
    const chunk = 256;
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
    const { ids, T } = this.encode([text]);
    const scores = await net.saliency(ids, cls);
    const words = this.tokenizer.textToWordSequence(cleanText(text, this.config.cleaning));
    // The ids the tokenizer gives each word (null where it drops the word, as Keras does without an OOV token).
    const tokens: SaliencyToken[] = words.map((word) => ({ word, id: this.tokenizer.textToSequence(word)[0] ?? null, score: 0 }));
    // Kept words occupy consecutive timesteps: after the padding ('pre') or before it ('post'), with
    // truncation dropping words from the configured side.
    const keptWords = tokens.filter((t) => t.id !== null);
    const n = keptWords.length;
    const shown = Math.min(n, T);
    const firstKept = this.config.truncating === 'pre' ? n - shown : 0;
    const firstStep = this.config.padding === 'pre' ? T - shown : 0;
    keptWords.forEach((t, k) => {
      const j = k - firstKept;
      if (j >= 0 && j < shown) t.score = scores[firstStep + j]!;
    });
    return { tokens, probabilities, target: cls };
  }

  /**
   * One zip: manifest.json (config, labels, tokenizer, gate order, parameter shapes) and weights.bin.
   * `compress: false` stores without DEFLATE: much less main-thread work, for in-memory snapshots.
   */
  async save(opts: { compress?: boolean } = {}): Promise<Uint8Array> {
    const net = this.net();
    const values = await net.params.read();
    const manifest: SavedManifest = {
      format: 'webgpu-lstm-sentiment',
      version: 1,
      config: this.config,
      labelNames: this.labelNames,
      maxLen: this.maxLen!,
      gateOrder: ['i', 'f', 'c', 'o'],
      params: net.params.specs.map((s) => ({ name: s.name, shape: s.shape })),
      tokenizer: this.tokenizer.toJSON(),
    };
    const total = net.params.specs.reduce((s, p) => s + p.length, 0);
    const weights = new Float32Array(total);
    let o = 0;
    for (const s of net.params.specs) {
      weights.set(values.get(s.name)!, o);
      o += s.length;
    }
    const zip = new JSZip();
    zip.file('manifest.json', JSON.stringify(manifest, null, 1));
    zip.file('weights.bin', new Uint8Array(weights.buffer));
    return zip.generateAsync({ type: 'uint8array', compression: opts.compress === false ? 'STORE' : 'DEFLATE' });
  }

  /** Rebuild a saved model. A malformed or mismatched file is rejected with a reason before any GPU work. */
  static async load(bytes: Uint8Array | ArrayBuffer, opts: { engine?: Engine } = {}): Promise<SentimentModel> {
    let zip: JSZip;
    try {
      zip = await JSZip.loadAsync(bytes);
    } catch {
      throw new Error('not a saved model: the file is not a zip archive');
    }
    const mf = zip.file('manifest.json');
    const wf = zip.file('weights.bin');
    if (!mf || !wf) throw new Error('not a saved model: manifest.json or weights.bin is missing');
    let m: SavedManifest;
    try {
      m = JSON.parse(await mf.async('string')) as SavedManifest;
    } catch {
      throw new Error('not a saved model: manifest.json is not valid JSON');
    }
    if (m.format !== 'webgpu-lstm-sentiment') throw new Error(`not a saved model of this engine (format "${String(m.format)}")`);
    if (m.version !== 1) throw new Error(`unsupported saved-model version ${String(m.version)} (this build reads version 1)`);
    if (JSON.stringify(m.gateOrder) !== JSON.stringify(['i', 'f', 'c', 'o'])) throw new Error(`unsupported gate order ${JSON.stringify(m.gateOrder)}`);
    const config: ModelConfig = { ...NOTEBOOK_RECIPE, ...m.config };
    validateModelConfig(config);
    if (!Array.isArray(m.labelNames) || m.labelNames.length < 2 || m.labelNames.some((l) => typeof l !== 'string')) throw new Error('the saved labels are invalid');
    if (!(Number.isInteger(m.maxLen) && m.maxLen >= 1)) throw new Error('the saved maxLen is invalid');
    const tokenizer = Tokenizer.fromJSON(m.tokenizer);
    const weights = await wf.async('uint8array');
    // Expected parameters: what this config builds, by name and shape, in order.
    const expected = SentimentNetwork.paramShapes(networkConfig(config, m.labelNames.length));
    const same = expected.length === m.params.length && expected.every((e, i) => e.name === m.params[i]!.name && JSON.stringify(e.shape) === JSON.stringify(m.params[i]!.shape));
    if (!same) throw new Error('the saved parameters do not match the saved configuration (names or shapes differ)');
    const total = expected.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
    if (weights.byteLength !== total * 4) throw new Error(`weights.bin holds ${weights.byteLength} bytes; the configuration needs ${total * 4}`);
    const values = new Float32Array(weights.slice().buffer);
    for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) throw new Error('weights.bin contains NaN or infinite values');
    const probe = new SentimentModel(opts.engine ?? (await getDefaultEngine()), config);
    probe.tokenizer = tokenizer;
    probe.labelNames = [...m.labelNames];
    probe.maxLen = m.maxLen;
    probe.network = new SentimentNetwork(probe.engine, networkConfig(config, m.labelNames.length));
    let o = 0;
    for (const s of probe.network.params.specs) {
      probe.network.params.write(s.name, values.subarray(o, o + s.length));
      o += s.length;
    }
    return probe;
  }

  /** model.json + weights.bin in the TF.js Layers format (tf.loadLayersModel reads it). */
  async exportTfjs(): Promise<TfjsArtifacts> {
    const net = this.net();
    const c = this.config;
    return exportTfjs({
      vocabSize: c.vocabSize,
      embedDim: c.embedDim,
      units: c.units,
      layers: c.layers,
      bidirectional: c.bidirectional,
      goBackwards: c.goBackwards,
      spatialDropout: c.spatialDropout,
      dropout: c.dropout,
      recurrentDropout: c.recurrentDropout,
      maskZero: c.maskZero,
      maxLen: this.maxLen!,
      numClasses: this.labelNames.length,
      weights: await net.params.read(),
      shapes: new Map(net.params.specs.map((s) => [s.name, s.shape])),
    });
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
