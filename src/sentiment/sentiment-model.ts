/**
 * The sentiment model: the text pipeline (clean → Keras-compatible Tokenizer fitted at the first `fit` →
 * pad_sequences; text-encoder.ts) in front of a layers model (the preset's layer list, recipe.ts). The API
 * shared by the web component, the CLI and the benchmarks: createSentimentModel → fit / evaluate /
 * predict / saliency → save / loadModel / exportTfjs → dispose. Training, evaluation, saliency, the
 * device-limit checks and the file are the layers model's; what is here is text.
 */
import { type Engine } from '../engine/engine';
import { describeCleaning, upgradeCleaning } from '../data/clean';
import { type LabelledTexts } from '../data/dataset';
import { Tokenizer, type TokenizerJSON } from '../data/tokenizer';
import { classificationReport, type ClassificationReport } from '../metrics/report';
import { getDefaultEngine } from '../ops/create-engine';
import { networkConfig, validateModelConfig, withDefaults, type ModelConfig } from './config';
import { buildGraph } from '../layers/graph';
import type { Inputs, Targets } from '../layers/data';
import { checkGraphFits } from '../layers/limits';
import { sequentialFromFile, type PreparedData, type Sequential } from '../layers/sequential';
import { decodeSequential, peekKind, type DecodedFile } from '../layers/file';
import type { TfjsArtifacts } from '../layers/tfjs';
import type { Inspection } from '../layers/inspect';
import type { WeightPrecision } from '../layers/half-weights';
import type { KerasParts } from '../layers/keras';
import type { BatchEndInfo, EarlyStopping, EpochEndInfo, History } from '../layers/fit-loop';
import { openModelZip, type OpenedModelZip } from '../layers/model-zip';
import { decodeLegacySentimentFile, LEGACY_SENTIMENT_FORMAT } from './legacy-file';
import { SENTIMENT_ADVICE, sentimentCompile, sentimentLayers, sentimentNetwork } from './recipe';
import { ruleOf } from '../layers/rules';
import { defaultMaxLen, SequenceEncoder, sequenceLengths, yieldToEventLoop, type EncodedTexts } from './text-encoder';
import { FINE_TUNE_LEARNING_RATE, importedCompile, importedConfig, textClassifierShape } from './imported';

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

/** A unit of the layer under the output and its push toward the predicted class (see SentimentModel.inspect). */
export interface UnitInfluence {
  layer: string;
  direction: 'forward' | 'backward';
  unit: number;
  score: number;
}

export interface TextInspection {
  /** Each word of the cleaned text, its token id (null: out of the vocabulary) and its timestep (null: not in the sequence). */
  tokens: Array<{ word: string; id: number | null; step: number | null }>;
  probabilities: number[];
  predicted: number;
  label: string;
  /** Every recurrent layer's gates and states (one sample). */
  inspection: Inspection;
  /** The top recurrent layer's units, strongest push first. */
  influence: UnitInfluence[];
}

export interface SaliencyToken {
  word: string;
  /** Token id, or null for a word outside the vocabulary (dropped by the tokenizer, as in Keras). */
  id: number | null;
  /** Gradient × input of the predicted class's logit; 0 for dropped words. */
  score: number;
}

export { getDefaultEngine };

/** What a sentiment model's file keeps beside its layers (the manifest's preset data). */
interface SentimentPreset {
  /** Absent: the preset's layers, made from `config`; 'imported': a network from Keras or TF.js (fromImported), described by `config`. */
  network?: 'imported';
  config: ModelConfig;
  labelNames: string[];
  /** null only for an imported network whose input length is free and that has not been fitted (each call pads to its longest text). */
  maxLen: number | null;
  tokenizer: TokenizerJSON;
}

/** Options of SentimentModel.fromImported. */
export interface ImportedTextOptions {
  /** The output units' class names, in unit order (as many as the softmax has units). */
  labelNames: readonly string[];
  /**
   * The sequence length: the network's own input length when it has one (a different one is refused);
   * else this, else chosen at the first fit from the training texts as the recipe does (until then each
   * call pads to its longest text, as Keras's pad_sequences does by default).
   */
  maxLen?: number | null;
  /** Adam's learning rate for fine-tuning (default 1e-4: a tenth of the recipe's, the weights are already trained). */
  learningRate?: number;
  clipNorm?: number;
}

export async function createSentimentModel(config: Partial<ModelConfig> = {}, opts: { engine?: Engine } = {}): Promise<SentimentModel> {
  const full = withDefaults(config);
  validateModelConfig(full);
  const engine = opts.engine ?? (await getDefaultEngine());
  // The parameters must fit the device (the batch shapes are checked when they are known).
  checkGraphFits(buildGraph(sentimentLayers(networkConfig(full, 2))), engine.device.limits, undefined, SENTIMENT_ADVICE);
  return new SentimentModel(engine, full);
}

/** What to lower when an imported network does not fit the device: its layers are Keras's, the batch is ours. */
const IMPORTED_ADVICE = { sizes: 'the size of its layers (in Keras: it was imported)', batch: SENTIMENT_ADVICE.batch };

/** Rows per evaluation/prediction step (fewer where long sequences would not fit the device). */
const EVAL_CHUNK = 256;

/** Fewer distinct words than this after cleaning is an error, not a model. */
const MIN_VOCABULARY = 10;

function argmax(a: ArrayLike<number>, from: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (a[from + i]! > a[from + best]!) best = i;
  return best;
}

/** Padded token ids [n, T] as the layers model's prepared inputs, with class ids as targets. */
function prepared(e: EncodedTexts, labels: Uint32Array): PreparedData {
  const n = labels.length;
  const inputs: Inputs = { values: e.ids, shape: [n, e.T], nested: false, N: n, T: e.T, F: 1 };
  const targets: Targets = { kind: 'classes', values: Float64Array.from(labels), perTimestep: false, width: 1 };
  return { inputs, targets, lengths: e.lengths };
}

export class SentimentModel {
  /** What loadModel found: a sentiment model (a text pipeline around a layers model). */
  readonly kind = 'sentiment' as const;
  labelNames: string[] = [];
  private readonly text: SequenceEncoder;
  private network: Sequential | null = null;
  private disposed = false;

  constructor(
    readonly engine: Engine,
    readonly config: ModelConfig,
    /**
     * 'preset': the recipe's layers, made from `config` (createSentimentModel). 'imported': a network from
     * Keras or TF.js with the Keras Tokenizer it was trained with (fromImported); `config` then describes
     * its layers and the text pipeline (no cleaning of ours: the Keras Tokenizer's own lower-casing and filters).
     */
    readonly origin: 'preset' | 'imported' = 'preset',
  ) {
    this.text = new SequenceEncoder(config);
    this.text.padToLongest = origin === 'imported';
  }

  /**
   * A sentiment model around an imported text classifier (loadModel of a Keras `.keras`/`.h5` or a TF.js
   * model.json: Embedding → … → Dense softmax over K classes) and the Keras Tokenizer it was trained with
   * (`Tokenizer.fromKeras(tokenizer.to_json())`): it predicts texts, evaluates, fine-tunes (`fit`), saves
   * (loadModel reads the file back as this model) and exports like a model made here. Texts go through the
   * tokenizer exactly as Keras's texts_to_sequences and pad_sequences ('pre') send them. The network is
   * compiled afresh for fine-tuning: sparse categorical cross-entropy, Adam (learning rate 1e-4 unless
   * given). It becomes this model's: dispose the sentiment model, not the network. A network that does not
   * read token ids, does not end in a K-way softmax, or reads fewer ids than the tokenizer gives, is
   * refused with one sentence.
   */
  static fromImported(net: Sequential, tokenizer: Tokenizer, opts: ImportedTextOptions): SentimentModel {
    const shape = textClassifierShape(net.graph, `the model "${net.name}"`);
    const labels = [...opts.labelNames];
    if (labels.length !== shape.classes) throw new Error(`the model "${net.name}" has ${shape.classes} output classes, and ${labels.length} label names were given (${labels.join(', ')})`);
    if (labels.some((l) => typeof l !== 'string' || l === '') || new Set(labels).size !== labels.length) throw new Error(`the label names must be distinct and not empty, got ${JSON.stringify(labels)}`);
    if (!tokenizer.fitted) throw new Error('the tokenizer has no vocabulary (word_index is empty)');
    if (tokenizer.vocabSize > shape.vocabSize) throw new Error(`the tokenizer gives ids up to ${tokenizer.vocabSize - 1}, over the embedding's ${shape.vocabSize} rows: is it the tokenizer this model was trained with?`);
    const given = opts.maxLen ?? null;
    if (given !== null && !(Number.isInteger(given) && given >= 1)) throw new Error(`maxLen must be a positive integer, got ${given}`);
    if (shape.fixedLength !== null && given !== null && given !== shape.fixedLength) throw new Error(`the model "${net.name}" reads sequences of ${shape.fixedLength} token ids, not maxLen ${given}`);
    const maxLen = shape.fixedLength ?? given;
    const config = importedConfig(net.graph, tokenizer, { maxLen, learningRate: opts.learningRate ?? FINE_TUNE_LEARNING_RATE, clipNorm: opts.clipNorm ?? 0, seed: net.seed });
    validateModelConfig(config);
    net.compile(importedCompile(config, shape.classes));
    const model = new SentimentModel(net.engine, config, 'imported');
    model.restore(net, labels, maxLen, tokenizer);
    return model;
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

  /** The layers model behind the text pipeline (its summary, weights, exports); null before the first fit. */
  get sequential(): Sequential | null {
    return this.network;
  }

  /** Live bytes of GPU memory held by the engine's pool (all models on this engine). */
  get gpuBytes(): number {
    return this.engine.pool.allocatedBytes;
  }

  private ensureUsable(): void {
    if (this.disposed) throw new Error('this model was disposed');
  }

  private net(): Sequential {
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
    await yieldToEventLoop();
    const net = networkConfig(this.config, this.labelNames.length);
    checkGraphFits(buildGraph(sentimentLayers(net, this.text.maxLen)), this.engine.device.limits, { T: this.text.maxLen, B: batchSize }, SENTIMENT_ADVICE);
    this.network = sentimentNetwork(this.engine, net, this.text.maxLen);
    await yieldToEventLoop();
  }

  /**
   * The loss weight of each class for training on `labels`: configured, 'balanced' (n / (k · count), from
   * these labels, as Keras's compute_class_weight), or none.
   */
  private classWeights(labels: Uint32Array): number[] | undefined {
    const cw = this.config.classWeights;
    if (cw === 'balanced') {
      const counts = this.labelNames.map((_, c) => labels.reduce((k, l) => k + (l === c ? 1 : 0), 0));
      return counts.map((n) => (n === 0 ? 0 : labels.length / (counts.length * n)));
    }
    return cw ?? undefined;
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

  /**
   * An imported model's tokenizer came with it: when most training texts hold no word of its vocabulary
   * (and it has no OOV token), the texts or the tokenizer are not the ones meant.
   */
  private checkKnownWords(lengths: Uint32Array): void {
    const empty = lengths.reduce((n, l) => n + (l === 0 ? 1 : 0), 0);
    if (empty * 2 > lengths.length) {
      throw new Error(`${empty} of ${lengths.length} training texts hold no word of the tokenizer's vocabulary (${this.tokenizer.wordIndex.size} words): is it the tokenizer the model was trained with, and the text column the texts?`);
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
    if (this.origin === 'imported') this.checkKnownWords(seqLengths);
    // An imported network of free input length fits at one length, chosen from the training texts as the recipe chooses it.
    if (this.network && this.text.maxLen === null) {
      this.maxLenChoice = defaultMaxLen(seqLengths);
      this.text.maxLen = this.maxLenChoice.maxLen;
    }
    const cw = this.config.classWeights;
    const classes = this.network ? this.labelNames.length : train.labelNames.length;
    if (Array.isArray(cw) && cw.length !== classes) throw new Error(`classWeights must be ${classes} non-negative numbers (one per label: ${(this.network ? this.labelNames : train.labelNames).join(', ')}), got ${cw.length}`);
    if (!this.network) await this.build(train, seqLengths, batchSize);
    const net = this.network!;
    const labels = this.labelsFor(train);
    const val = validation && validation.texts.length > 0 ? validation : null;
    const classWeight = this.classWeights(labels);
    return net.fitPrepared(prepared(this.text.pad(seqs), labels), val ? prepared(this.encode(val.texts), this.labelsFor(val)) : null, {
      epochs,
      batchSize,
      bucketing: opts.bucketing ?? true,
      ...(classWeight ? { classWeight } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onBatchEnd ? { onBatchEnd: opts.onBatchEnd } : {}),
      ...(opts.onEpochEnd ? { onEpochEnd: opts.onEpochEnd } : {}),
      ...(opts.earlyStopping ? { earlyStopping: opts.earlyStopping } : {}),
    });
  }

  /** Probabilities [n·C] and the mean loss of texts, without dropout (labels: zeros when there are none). */
  private async forwardAll(texts: readonly string[], labels: Uint32Array): Promise<{ probs: Float32Array; loss: number }> {
    const r = await this.net().evaluatePrepared(prepared(this.encode(texts), labels), { batchSize: EVAL_CHUNK });
    return { probs: r.outputs, loss: r.loss };
  }

  async evaluate(data: LabelledTexts): Promise<Evaluation> {
    this.net();
    const n = data.texts.length;
    if (n === 0) throw new Error('no rows to evaluate');
    const labels = this.labelsFor(data);
    const C = this.labelNames.length;
    const { probs, loss } = await this.forwardAll(data.texts, labels);
    const predictions = Array.from({ length: n }, (_, i) => argmax(probs, i * C, C));
    const probabilities = Array.from({ length: n }, (_, i) => Array.from(probs.subarray(i * C, (i + 1) * C)));
    const report = classificationReport(labels, predictions, this.labelNames);
    return { loss, accuracy: report.accuracy, report, predictions, probabilities };
  }

  /**
   * Class probabilities per text, in `labelNames` order. `weightPrecision: 'float16'` reads the LSTM's
   * recurrent weights as float16 (Sequential.predict's option of that name).
   */
  async predict(texts: readonly string[], opts: { weightPrecision?: WeightPrecision } = {}): Promise<number[][]> {
    const net = this.net();
    if (texts.length === 0) return [];
    const e = this.encode(texts);
    const C = this.labelNames.length;
    const probs = await net.predictPrepared(prepared(e, new Uint32Array(texts.length)).inputs, { batchSize: EVAL_CHUNK, ...opts });
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
   * Inside the model for one text: what each recurrent layer (and direction) computed at every word's
   * timestep (Sequential.inspect: the LSTM's i, f, o, candidate, c, h; a GRU's z, r, candidate, h; a
   * SimpleRNN's h), the words and their timesteps, the probabilities, and the units of the layer under
   * the output ranked by how much they move the predicted class (the output weight of unit j for that
   * class × h_j at the last step; positive pushes toward it).
   */
  async inspect(text: string): Promise<TextInspection> {
    const net = this.net();
    const { ids } = this.encode([text]);
    const inspection = await net.inspect({ data: ids, shape: [1, ids.length] });
    const probabilities = Array.from((inspection.prediction as { data: Float32Array }).data);
    const predicted = argmax(probabilities, 0, probabilities.length);
    const tokens = this.text.wordSteps(text);
    // The output layer's kernel [F, C] reads the last recurrent layer's final h: F = units, or 2·units (forward
    // then backward). Only where the output reads it directly (dropout aside): an imported network may have a
    // hidden dense layer between them, or merge the directions otherwise, and then no unit is ranked.
    const w = await net.getWeights();
    const dense = net.layers[net.layers.length - 1]!;
    const kernel = w.get(`${dense.name}/kernel`)!;
    const C = probabilities.length;
    const below = net.layers.slice(0, -1).filter((b) => b.layer.className !== 'Dropout').at(-1);
    const dirsOf = below ? inspection.layers.filter((l) => l.layer === below.name) : [];
    const F = dense.inputShape[dense.inputShape.length - 1];
    const dirs = dirsOf.reduce((s, l) => s + l.units, 0) === F ? dirsOf : [];
    const T = inspection.timesteps;
    const influence: UnitInfluence[] = [];
    dirs.forEach((l, d) => {
      // Its final state: the last input position forward, the first for a direction that ran backward.
      const p = l.direction === 'backward' ? 0 : T - 1;
      const h = l.values.h![0]!.subarray(p * l.units, (p + 1) * l.units);
      for (let j = 0; j < l.units; j++) influence.push({ layer: l.layer, direction: l.direction, unit: j, score: kernel[(d * l.units + j) * C + predicted]! * h[j]! });
    });
    influence.sort((a, b) => Math.abs(b.score) - Math.abs(a.score));
    return { tokens, probabilities, predicted, label: this.labelNames[predicted]!, inspection, influence };
  }

  /**
   * The model file (loadModel reads it): the layers model and, beside it, the configuration, labels,
   * tokenizer and sequence length; by default Adam's state, the dropout draw counter and the shuffle stream's position,
   * so that `fit` on the loaded model continues exactly (`includeOptimizer: false` leaves them out).
   * `compress: false` stores without DEFLATE: much less main-thread work, for in-memory snapshots.
   */
  async save(opts: { compress?: boolean; includeOptimizer?: boolean } = {}): Promise<Uint8Array> {
    const net = this.net();
    const preset: SentimentPreset = { ...(this.origin === 'imported' ? { network: 'imported' as const } : {}), config: this.config, labelNames: this.labelNames, maxLen: this.maxLen, tokenizer: this.tokenizer.toJSON() };
    return net.saveAs({ kind: 'sentiment', data: preset as unknown as Record<string, unknown> }, opts);
  }

  /**
   * A sentiment model from its file (this version's, or a 0.2 sentiment file). A malformed or mismatched
   * file, or one of another kind, is rejected with a reason before any GPU work. loadModel reads every kind.
   */
  static async load(bytes: Uint8Array | ArrayBuffer, opts: { engine?: Engine } = {}): Promise<SentimentModel> {
    const opened = await openModelZip(bytes);
    const kind = peekKind(opened.manifest);
    if (kind && kind !== 'sentiment') throw new Error(`this is a ${kind} model file, not a sentiment model: load it with loadModel`);
    return SentimentModel.fromFile(opened, opts);
  }

  /** @internal An opened sentiment model file (either format) as a model (loadModel). */
  static async fromFile(opened: OpenedModelZip, opts: { engine?: Engine } = {}): Promise<SentimentModel> {
    if (opened.manifest.format === LEGACY_SENTIMENT_FORMAT) {
      const saved = await decodeLegacySentimentFile(opened);
      const engine = opts.engine ?? (await getDefaultEngine());
      const net = networkConfig(saved.config, saved.labelNames.length);
      checkGraphFits(buildGraph(sentimentLayers(net, saved.maxLen)), engine.device.limits, { T: saved.maxLen, B: 1 }, SENTIMENT_ADVICE);
      const model = new SentimentModel(engine, saved.config);
      model.restore(sentimentNetwork(engine, net, saved.maxLen, saved.weights), saved.labelNames, saved.maxLen, saved.tokenizer);
      try {
        // The 0.2 file's streams are the layers model's own: "shuffle" continues; its "dropout" stream's state
        // gives way to the draw counter, set to the optimizer's step (restoredDropoutDraws).
        if (saved.training) model.network!.restoreTraining(saved.training);
      } catch (e) {
        model.dispose();
        throw new Error(`not a valid model file: ${(e as Error).message}`);
      }
      return model;
    }
    // Everything is checked before any GPU work: the file, the preset's data against the layers, the device.
    const saved = await decodeSequential(opened);
    if (saved.kind !== 'sentiment') throw new Error(`this is a ${saved.kind} model file, not a sentiment model: load it with loadModel`);
    const p = checkPreset(saved.preset);
    const tokenizer = Tokenizer.fromJSON(p.tokenizer);
    if (p.network === 'imported') return SentimentModel.importedFromFile(saved, p, tokenizer, opts);
    if (p.maxLen === null) throw new Error('not a valid sentiment model file: the saved maxLen is invalid');
    // The layers (every setting, not only the weights' shapes) and the compile settings are what the
    // configuration makes: a file cannot train with one thing and report another.
    const net0 = networkConfig(p.config, p.labelNames.length);
    const expected = buildGraph(sentimentLayers(net0, p.maxLen));
    const described = (g: typeof expected) => canonical([g.input, g.layers.map((b) => [ruleOf(b.layer).named(b), b.outputShape, b.weights])]);
    if (described(expected) !== described(saved.graph)) throw new Error('not a valid sentiment model file: its layers do not match its configuration');
    if (canonical(saved.compile) !== canonical(sentimentCompile(net0))) throw new Error('not a valid sentiment model file: its compile settings do not match its configuration');
    if (tokenizer.vocabSize > p.config.vocabSize) throw new Error(`not a valid sentiment model file: its tokenizer gives ids up to ${tokenizer.vocabSize - 1}, over the embedding's ${p.config.vocabSize} rows`);
    // One row at a time is the least a prediction needs.
    const engine = opts.engine ?? (await getDefaultEngine());
    checkGraphFits(saved.graph, engine.device.limits, { T: p.maxLen, B: 1 }, SENTIMENT_ADVICE);
    const net = await sequentialFromFile(saved, { engine });
    const model = new SentimentModel(net.engine, p.config);
    model.restore(net, p.labelNames, p.maxLen, tokenizer);
    return model;
  }

  /**
   * The file of an imported network (saved by a model of fromImported): its layers are its own, so they are
   * checked as a text classifier with as many classes as labels, its configuration against the summary of
   * those layers, its compile settings against that configuration, its tokenizer against the embedding.
   */
  private static async importedFromFile(saved: DecodedFile, p: SentimentPreset, tokenizer: Tokenizer, opts: { engine?: Engine }): Promise<SentimentModel> {
    const bad = (why: string) => new Error(`not a valid sentiment model file: ${why}`);
    let shape;
    try {
      shape = textClassifierShape(saved.graph, 'its network');
    } catch (e) {
      throw bad((e as Error).message);
    }
    if (shape.classes !== p.labelNames.length) throw bad(`its network has ${shape.classes} output classes and ${p.labelNames.length} labels`);
    if (shape.fixedLength !== null && p.maxLen !== shape.fixedLength) throw bad(`its network reads sequences of ${shape.fixedLength} and its saved maxLen is ${p.maxLen}`);
    const c = p.config;
    // The configured length (null: chosen at the first fit) is the sequence length, once there is one.
    if (c.maxLen !== null && c.maxLen !== p.maxLen) throw bad(`its configured maxLen ${c.maxLen} is not its saved maxLen ${p.maxLen}`);
    const described = importedConfig(saved.graph, tokenizer, { maxLen: c.maxLen, learningRate: c.learningRate, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon, clipNorm: c.clipNorm, seed: c.seed, classWeights: c.classWeights });
    if (canonical(described) !== canonical(c)) throw bad('its configuration does not describe its layers');
    if (String(saved.seed) !== String(c.seed)) throw bad(`its layers' seed ${JSON.stringify(saved.seed)} is not its configuration's ${JSON.stringify(c.seed)}`);
    if (canonical(saved.compile) !== canonical(importedCompile(c, shape.classes))) throw bad('its compile settings do not match its configuration');
    if (tokenizer.vocabSize > shape.vocabSize) throw bad(`its tokenizer gives ids up to ${tokenizer.vocabSize - 1}, over the embedding's ${shape.vocabSize} rows`);
    const engine = opts.engine ?? (await getDefaultEngine());
    checkGraphFits(saved.graph, engine.device.limits, { T: p.maxLen ?? 1, B: 1 }, IMPORTED_ADVICE);
    const net = await sequentialFromFile(saved, { engine });
    const model = new SentimentModel(net.engine, c, 'imported');
    model.restore(net, p.labelNames, p.maxLen, tokenizer);
    return model;
  }

  private restore(net: Sequential, labelNames: string[], maxLen: number | null, tokenizer: Tokenizer): void {
    net.limitAdvice = this.origin === 'imported' ? IMPORTED_ADVICE : SENTIMENT_ADVICE;
    this.network = net;
    this.labelNames = [...labelNames];
    this.text.maxLen = maxLen;
    this.text.tokenizer = tokenizer;
  }

  /**
   * The embedding in the TensorFlow Embedding Projector's format: vectors.tsv (one row of embedDim
   * tab-separated values per word) and metadata.tsv (the word on the same line), for every token id from
   * 1 up to the vocabulary size that the tokenizer gives a word (id 0 is padding).
   */
  async exportEmbeddingProjector(): Promise<{ vectorsTsv: string; metadataTsv: string }> {
    const net = this.net();
    const weights = await net.getWeights();
    // The first layer is the embedding (an imported network's has its own name): [rows, E].
    const [rows, E] = net.layers[0]!.weights[0]!.shape as [number, number];
    const table = weights.get(net.layers[0]!.weights[0]!.name)!;
    const wordOf = new Map<number, string>();
    for (const [word, id] of this.tokenizer.wordIndex) wordOf.set(id, word);
    const vectors: string[] = [];
    const words: string[] = [];
    for (let id = 1; id < rows; id++) {
      const word = wordOf.get(id);
      if (word === undefined) continue;
      vectors.push(Array.from(table.subarray(id * E, (id + 1) * E), (v) => String(v)).join('\t'));
      // The projector reads one label per line: tabs and line breaks inside a word would shift it.
      words.push(word.replace(/[\t\r\n]/g, ' '));
    }
    return { vectorsTsv: `${vectors.join('\n')}\n`, metadataTsv: `${words.join('\n')}\n` };
  }

  /** model.json + weights.bin in the TF.js Layers format (tf.loadLayersModel reads it; inputs are the padded token ids of `encode`). */
  async exportTfjs(): Promise<TfjsArtifacts> {
    return this.net().exportTfjs();
  }

  /** A Keras 3 `.keras` archive of the network (keras.saving.load_model reads it; inputs are the padded token ids of `encode`). */
  async exportKeras(): Promise<Uint8Array> {
    return this.net().exportKeras();
  }

  /**
   * @internal What exportKeras() writes, as plain data without the HDF5 library: the element's Worker
   * sends it to the page, which writes the archive.
   */
  async kerasParts(): Promise<KerasParts> {
    return this.net().kerasParts();
  }

  /** The weights by parameter name (Keras names). */
  async weights(): Promise<Map<string, Float32Array>> {
    return this.net().getWeights();
  }

  dispose(): void {
    if (this.disposed) return;
    this.network?.dispose();
    this.network = null;
    this.disposed = true;
  }
}

/** The preset data of a sentiment model file, checked (the configuration, labels, length and tokenizer). */
function checkPreset(preset: Record<string, unknown> | null): SentimentPreset {
  const p = (preset ?? {}) as Partial<SentimentPreset>;
  if (!p.config || typeof p.config !== 'object') throw new Error('not a valid sentiment model file: it has no configuration');
  const cleaning = p.config.cleaning as unknown;
  if (cleaning !== undefined && (cleaning === null || typeof cleaning !== 'object')) throw new Error(`not a valid sentiment model file: its cleaning configuration is ${JSON.stringify(cleaning)}`);
  const config = withDefaults({ ...p.config, cleaning: upgradeCleaning(p.config.cleaning ?? {}) as ModelConfig['cleaning'] });
  validateModelConfig(config);
  const labels = p.labelNames;
  if (!Array.isArray(labels) || labels.length < 2 || labels.some((l) => typeof l !== 'string')) throw new Error('not a valid sentiment model file: the saved labels are invalid');
  if (new Set(labels).size !== labels.length) throw new Error(`not a valid sentiment model file: the saved labels repeat a name (${labels.join(', ')})`);
  if (p.network !== undefined && p.network !== 'imported') throw new Error(`not a valid sentiment model file: its network is ${JSON.stringify(p.network)} (known: "imported", or none for the preset's)`);
  const freeLength = p.network === 'imported' && p.maxLen === null;
  if (!freeLength && !(Number.isInteger(p.maxLen) && p.maxLen! >= 1)) throw new Error('not a valid sentiment model file: the saved maxLen is invalid');
  if (!p.tokenizer || typeof p.tokenizer !== 'object') throw new Error('not a valid sentiment model file: it has no tokenizer');
  return { ...(p.network ? { network: p.network } : {}), config, labelNames: labels, maxLen: p.maxLen ?? null, tokenizer: p.tokenizer };
}

/** JSON with every object's keys in order: equal for equal data, whatever order the keys were written in. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));
}
