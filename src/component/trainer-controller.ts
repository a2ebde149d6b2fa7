/**
 * The GPU work behind <lstm-trainer>: it acquires the device when started (hostConnected) and releases
 * every GPU buffer when stopped (hostDisconnected). The element only renders this controller's state
 * and forwards the user's actions to it — in a Worker (trainer-worker.ts, through RemoteTrainer) or, as
 * a fallback, in the page itself. Its host is told of every change (requestUpdate).
 *
 * Failure handling: a bad file leaves the previous dataset and model untouched; a lost device keeps
 * the weights of the last completed epoch (saved in memory at each epoch end) and offers to resume
 * from there on a fresh device.
 */
import { type Engine } from '../engine/engine';
import { createEngine } from '../ops/create-engine';
import { buildDataset, type Dataset, type DatasetOptions, type LabelledTexts } from '../data/dataset';
import { readTable, type Table } from '../data/table';
import { ChooseCsvError } from '../data/zip';
import { splitDataset, type Splits } from '../data/split';
import { createSentimentModel, SentimentModel, type Evaluation } from '../sentiment/sentiment-model';
import { trainAndEvaluate } from '../sentiment/train';
import type { KerasParts } from '../layers/keras';
import type { DatasetInfo } from '../data/dataset';
import type { EpochPoint, Misclassified, ModelFile, ModelInside, Prediction, Progress, Trainer, TrainerEvents, TrainerStatus, TrainerView, TrainSettings } from './trainer-types';
import type { ModelShelf, SavedModelInfo } from './model-shelf';
import { Tokenizer } from '../data/tokenizer';
import { openModelZip } from '../layers/model-zip';
import { peekKind } from '../layers/file';
import { textClassifierShape } from '../sentiment/imported';

export type { EpochPoint, Misclassified, ModelFile, ModelInside, Prediction, Progress, TrainerEvents, TrainerStatus, TrainSettings } from './trainer-types';

/** What a controller's host needs to offer: a way to be told that the state changed. */
export interface TrainerHost {
  requestUpdate(): void;
}

/** The controller's state as plain data (what a Worker sends to the page). */
export function trainerView(c: TrainerView): TrainerView {
  const ev = c.evaluation;
  return {
    status: c.status,
    gpuDescription: c.gpuDescription,
    error: c.error,
    datasetInfo: c.datasetInfo,
    datasetSource: c.datasetSource,
    busy: c.busy,
    progress: c.progress,
    epochs: c.epochs,
    batchLosses: c.batchLosses,
    evaluation: ev && { loss: ev.loss, accuracy: ev.accuracy, report: ev.report },
    keptEpoch: c.keptEpoch,
    misclassified: c.misclassified,
    prediction: c.prediction,
    modelLabels: c.modelLabels,
    saved: c.saved,
    storageError: c.storageError,
    csvChoices: c.csvChoices,
    gpuBytes: c.gpuBytes,
  };
}

/** A Keras Tokenizer's JSON (tokenizer.to_json()) among chosen files, read; null for any other file. */
function kerasTokenizerOf(f: ModelFile): Tokenizer | null {
  const b = f.bytes;
  let i = 0;
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0xef || b[i] === 0xbb || b[i] === 0xbf)) i++;
  if (b[i] !== 0x7b /* { */) return null;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(b));
  } catch {
    return null; // not JSON: loading says what the file is
  }
  if ((json as { class_name?: unknown } | null)?.class_name !== 'Tokenizer') return null;
  try {
    return Tokenizer.fromKeras(json);
  } catch (e) {
    throw new Error(`${f.name}: ${(e as Error).message}`);
  }
}

export class TrainerController implements Trainer {
  status: TrainerStatus = 'starting';
  gpuDescription = '';
  /** The last error, shown until the next action; nothing else is changed by an error. */
  error: string | null = null;
  table: Table | null = null;
  dataset: Dataset | null = null;
  datasetSource = '';
  splits: Splits | null = null;
  model: SentimentModel | null = null;
  progress: Progress | null = null;
  epochs: EpochPoint[] = [];
  /** Running training loss per batch, for the live curve. */
  batchLosses: number[] = [];
  evaluation: Evaluation | null = null;
  /** The epoch whose weights were kept (chosen on validation loss), or null when every epoch ran and the last was kept. */
  keptEpoch: number | null = null;
  misclassified: Misclassified[] = [];
  prediction: Prediction | null = null;
  busy = false;
  /** Models kept in this browser (newest first; empty without a shelf). */
  saved: SavedModelInfo[] = [];
  /** Why the last save to, or read from, the browser's storage failed (shown; training goes on). */
  storageError: string | null = null;

  private engine: Engine | null = null;
  private abort: AbortController | null = null;
  private snapshot: { bytes: Uint8Array; epoch: number } | null = null;
  private settings: TrainSettings | null = null;
  private completedEpochs = 0;
  private predictSeq = 0;
  private inspectSeq = 0;
  private connected = false;
  /** The training run being saved to the shelf (its record is updated after every epoch). */
  private current: { id: string; name: string; dataset: string } | null = null;

  constructor(
    private readonly host: TrainerHost,
    private readonly events: TrainerEvents,
    private readonly engineFactory: () => Promise<Engine> = () => createEngine(),
    /** Where models are kept between visits (the element: IndexedDB); null: nowhere. */
    private readonly shelf: ModelShelf | null = null,
  ) {}

  /** Settles when the GPU has been acquired (or found missing) after the host connected. */
  ready: Promise<void> = Promise.resolve();

  hostConnected(): void {
    this.connected = true;
    this.ready = this.start();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.abort?.abort();
    this.release();
  }

  private update(): void {
    this.host.requestUpdate();
  }

  private fail(e: unknown): void {
    this.error = e instanceof Error ? e.message : String(e);
    this.events.error(this.error);
    this.update();
  }

  /** Acquire the GPU. Without WebGPU the status says so, with the explanation in `error`. */
  private async start(): Promise<void> {
    try {
      const engine = await this.engineFactory();
      if (!this.connected) {
        engine.destroy();
        return;
      }
      this.attach(engine);
      this.status = 'idle';
      this.update();
    } catch (e) {
      this.status = 'no-webgpu';
      this.fail(e);
    }
    await this.refreshSaved();
  }

  /** Re-read the list of saved models. */
  async refreshSaved(): Promise<void> {
    if (!this.shelf) return;
    try {
      this.saved = await this.shelf.list();
    } catch (e) {
      this.storageError = (e as Error).message;
    }
    this.update();
  }

  /** Save the current run's model with what resuming it needs; a failure is shown, training goes on. */
  private async persist(bytes: Uint8Array, test: number | null): Promise<void> {
    if (!this.shelf || !this.current || !this.settings) return;
    const last = this.epochs.at(-1);
    try {
      await this.shelf.put({
        ...this.current,
        savedAt: new Date().toISOString(),
        epoch: this.completedEpochs,
        epochs: this.settings.epochs,
        valAccuracy: last?.valAccuracy ?? null,
        testAccuracy: test,
        finished: test !== null,
        bytes,
        settings: this.settings,
        history: this.epochs,
      });
      this.storageError = null;
    } catch (e) {
      this.storageError = `${(e as Error).message}; training goes on, and "Download model" still works`;
      this.events.error(this.storageError);
    }
    await this.refreshSaved();
  }

  /** A saved model's zip (for a download). */
  async savedBytes(id: string): Promise<Uint8Array | null> {
    if (!this.shelf) return null;
    try {
      return (await this.shelf.get(id)).bytes;
    } catch (e) {
      this.fail(e);
      return null;
    }
  }

  async deleteSaved(id: string): Promise<void> {
    if (!this.shelf) return;
    try {
      await this.shelf.remove(id);
      if (this.current?.id === id) this.current = null;
    } catch (e) {
      this.fail(e);
    }
    await this.refreshSaved();
  }

  /** Use a saved model as it is (predictions, exports; evaluated when its dataset is loaded). */
  async useSaved(id: string): Promise<boolean> {
    const bytes = await this.savedBytes(id);
    return bytes ? this.loadModel(bytes) : false;
  }

  /**
   * Continue training a saved model exactly where it stopped: its weights, optimizer state and random
   * streams, the same splits of the same dataset (which must be loaded), its settings and history. A
   * run that was stopped continues to its planned epochs; a finished one to `epochs` in all.
   */
  async resumeSaved(id: string, epochs: number): Promise<void> {
    if (!this.engine || !this.shelf || this.status === 'training') return;
    this.error = null;
    try {
      const rec = await this.shelf.get(id);
      if (!this.dataset || this.datasetSource !== rec.dataset) {
        throw new Error(`"${rec.name}" was trained on ${rec.dataset}: load that dataset first, then resume (now loaded: ${this.datasetSource || 'nothing'})`);
      }
      const total = rec.finished ? epochs : rec.settings.epochs;
      if (total <= rec.epoch) throw new Error(`"${rec.name}" has trained ${rec.epoch} epochs: set Epochs above ${rec.epoch} to train on`);
      const model = await SentimentModel.load(rec.bytes, { engine: this.engine });
      this.model?.dispose();
      this.model = model;
      this.splits = splitDataset(this.dataset, { testSize: 0.2, validationSize: 0.1, seed: rec.settings.config.seed ?? 141 });
      this.settings = { ...rec.settings, epochs: total };
      this.completedEpochs = rec.epoch;
      this.epochs = rec.history;
      this.snapshot = { bytes: rec.bytes, epoch: rec.epoch };
      this.current = { id: rec.id, name: rec.name, dataset: rec.dataset };
      this.batchLosses = [];
      this.evaluation = null;
      this.misclassified = [];
      this.prediction = null;
      this.keptEpoch = null;
    } catch (e) {
      this.fail(e);
      return;
    }
    await this.run();
  }

  private attach(engine: Engine): void {
    this.engine = engine;
    const a = engine.gpu.adapterInfo;
    this.gpuDescription = `${[a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' ') || engine.gpu.backend} (${engine.tuning}-tuned kernels)`;
    engine.onError((err) => {
      if (engine !== this.engine) return;
      if (err.kind === 'lost') {
        this.abort?.abort();
        this.status = 'device-lost';
        this.error = `${err.message}. ${this.snapshot ? `The weights of epoch ${this.snapshot.epoch} are kept: resume to continue from there.` : 'No epoch had completed yet: train again.'}`;
        this.events.error(this.error);
      } else {
        this.fail(new Error(`GPU ${err.kind} error: ${err.message}`));
      }
      this.update();
    });
  }

  private release(): void {
    this.model?.dispose();
    this.model = null;
    this.engine?.destroy();
    this.engine = null;
  }

  get gpuBytes(): number {
    return this.engine?.pool.allocatedBytes ?? 0;
  }

  get datasetInfo(): DatasetInfo | null {
    return this.dataset?.info ?? null;
  }

  get modelLabels(): string[] | null {
    return this.model?.built ? this.model.labelNames : null;
  }

  get csvChoices(): string[] | null {
    return this.csvChoice?.choices ?? null;
  }

  dismissError(): void {
    this.error = null;
    this.update();
  }

  /** A zip with several CSVs waiting for the user to pick one (the element shows a chooser). */
  private csvChoice: { source: Uint8Array | Blob; name: string; opts: DatasetOptions; choices: string[] } | null = null;

  async chooseCsv(csvName: string): Promise<boolean> {
    const choice = this.csvChoice;
    if (!choice) return false;
    return this.loadBytes(choice.source, choice.name, { ...choice.opts, csvName });
  }

  /** Read a file's bytes into a table; the current dataset changes only if this succeeds. */
  async loadBytes(source: Uint8Array | Blob, name: string, opts: DatasetOptions = {}): Promise<boolean> {
    if (this.status === 'training') {
      this.fail(new Error('stop training before loading another dataset'));
      return false;
    }
    this.busy = true;
    this.error = null;
    this.update();
    try {
      const table = await readTable(source, name, opts);
      const dataset = buildDataset(table, opts);
      this.table = table;
      this.dataset = dataset;
      this.datasetSource = name;
      this.splits = null;
      this.csvChoice = null;
      this.events.datasetLoaded(dataset.info);
      return true;
    } catch (e) {
      this.csvChoice = e instanceof ChooseCsvError ? { source, name, opts, choices: e.choices } : null;
      this.fail(e);
      return false;
    } finally {
      this.busy = false;
      this.update();
    }
  }

  async loadUrl(url: string, opts: DatasetOptions = {}): Promise<boolean> {
    let bytes: Uint8Array;
    try {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`could not download ${url}: HTTP ${res.status}`);
      bytes = new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      this.fail(e instanceof TypeError ? new Error(`could not download ${url}: ${e.message}`) : e);
      return false;
    }
    return this.loadBytes(bytes, url.split('/').pop() || url, opts);
  }

  /** Re-read the current table with other columns or label filters. */
  async reconfigure(opts: DatasetOptions): Promise<boolean> {
    if (!this.table) return false;
    try {
      this.dataset = buildDataset(this.table, opts);
      this.splits = null;
      this.error = null;
      this.events.datasetLoaded(this.dataset.info);
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    } finally {
      this.update();
    }
  }

  /** Train from scratch on the current dataset. */
  async train(settings: TrainSettings): Promise<void> {
    if (!this.engine || !this.dataset) return;
    if (this.status === 'training') return;
    this.error = null;
    try {
      const seed = settings.config.seed ?? 141;
      this.splits = splitDataset(this.dataset, { testSize: 0.2, validationSize: 0.1, seed });
      const model = await createSentimentModel(settings.config, { engine: this.engine });
      this.model?.dispose();
      this.model = model;
    } catch (e) {
      this.fail(e);
      return;
    }
    this.settings = settings;
    this.completedEpochs = 0;
    this.snapshot = null;
    const started = new Date();
    this.current = {
      id: `${started.toISOString()}-${Math.floor(performance.now())}`,
      name: `${this.datasetSource} · LSTM ${settings.config.units ?? 'default'} · ${started.toLocaleString()}`,
      dataset: this.datasetSource,
    };
    this.epochs = [];
    this.batchLosses = [];
    this.evaluation = null;
    this.misclassified = [];
    this.prediction = null;
    await this.run();
  }

  /** Continue after Stop, or after a lost device from the last completed epoch. */
  async resume(): Promise<void> {
    if (!this.settings || !this.splits) return;
    this.error = null;
    if (this.status === 'device-lost') {
      try {
        this.release();
        const engine = await this.engineFactory();
        this.attach(engine);
        if (this.snapshot) {
          this.model = await SentimentModel.load(this.snapshot.bytes, { engine });
          this.completedEpochs = this.snapshot.epoch;
          this.epochs = this.epochs.slice(0, this.snapshot.epoch);
        } else {
          this.model = await createSentimentModel(this.settings.config, { engine });
          this.completedEpochs = 0;
          this.epochs = [];
        }
      } catch (e) {
        this.fail(e);
        return;
      }
    }
    await this.run();
  }

  /** Read through a method: the status changes under awaits (device loss), which narrowing cannot see. */
  private lost(): boolean {
    return this.status === 'device-lost';
  }

  stop(): void {
    this.abort?.abort();
  }

  private async run(): Promise<void> {
    const model = this.model;
    const settings = this.settings!;
    const splits = this.splits!;
    if (!model) return;
    const remaining = settings.epochs - this.completedEpochs;
    if (remaining <= 0) return this.finish(model, splits.test);
    this.status = 'training';
    this.abort = new AbortController();
    const signal = this.abort.signal;
    this.update();
    try {
      const offset = this.completedEpochs;
      const { history, evaluation } = await trainAndEvaluate(
        model,
        splits,
        { epochs: remaining, batchSize: settings.batchSize, bucketing: settings.bucketing, patience: settings.patience },
        {
          signal,
          onBatchEnd: (b) => {
            this.progress = { ...b, epoch: b.epoch + offset, epochs: settings.epochs };
            this.batchLosses.push(b.loss);
            this.update();
          },
          onEpochEnd: async (e, epochFile) => {
            const file = epochFile!; // every epoch's file is handed over (lastEpochFile defaults to true)
            const point: EpochPoint = { epoch: e.epoch + offset, loss: e.loss, accuracy: e.accuracy, valLoss: e.valLoss, valAccuracy: e.valAccuracy };
            this.epochs = [...this.epochs, point];
            this.completedEpochs = point.epoch;
            this.snapshot = { bytes: file, epoch: point.epoch };
            this.events.epochEnd(point);
            this.update();
            await this.persist(file, null);
          },
        },
      );
      if (this.lost()) return;
      if (!evaluation) {
        this.status = 'stopped';
        this.update();
        return;
      }
      this.keptEpoch = history.bestEpoch === null ? null : history.bestEpoch + offset;
      await this.finish(model, splits.test, evaluation);
    } catch (e) {
      if (this.lost()) return;
      this.status = this.epochs.length > 0 ? 'stopped' : 'idle';
      this.fail(e);
    }
  }

  private async finish(model: SentimentModel, test: LabelledTexts, evaluation?: Evaluation): Promise<void> {
    const ev = evaluation ?? (await model.evaluate(test));
    this.evaluation = ev;
    const wrong: Misclassified[] = [];
    ev.predictions.forEach((p, i) => {
      const truth = model.labelNames.indexOf(test.labelNames[test.labels[i]!]!);
      if (p !== truth) wrong.push({ text: test.texts[i]!, label: model.labelNames[truth]!, predicted: model.labelNames[p]!, confidence: ev.probabilities[i]![p]! });
    });
    this.misclassified = wrong.sort((a, b) => b.confidence - a.confidence).slice(0, 8);
    this.status = 'trained';
    this.progress = null;
    this.events.trainEnd({ loss: ev.loss, accuracy: ev.accuracy, report: ev.report });
    this.update();
    // The run's record now holds the weights it kept (the best epoch's, with early stopping) and its test accuracy.
    if (this.current) await this.persist(await model.save({ compress: false }), ev.accuracy);
  }

  /** Probabilities and per-word saliency for a sentence; a newer call supersedes an older one. */
  async predict(text: string): Promise<void> {
    const model = this.model;
    if (!model?.built || this.status === 'training') return;
    const seq = ++this.predictSeq;
    if (text.trim() === '') {
      this.prediction = null;
      this.update();
      return;
    }
    try {
      const s = await model.saliency(text);
      if (seq !== this.predictSeq) return;
      this.prediction = { text, probabilities: s.probabilities, tokens: s.tokens };
      this.update();
    } catch (e) {
      this.fail(e);
    }
  }

  /**
   * Inside the model for a sentence (SentimentModel.inspect) as plain data: one sample's values per
   * recurrent layer and direction, the words and their timesteps, the units ranked by influence. Null
   * without a model, while training, for an empty text, or when a newer call superseded this one.
   */
  async inspect(text: string): Promise<ModelInside | null> {
    const model = this.model;
    if (!model?.built || this.status === 'training') return null;
    const seq = ++this.inspectSeq;
    if (text.trim() === '') return null;
    try {
      const r = await model.inspect(text);
      if (seq !== this.inspectSeq) return null;
      return {
        text,
        tokens: r.tokens,
        probabilities: r.probabilities,
        predicted: r.predicted,
        label: r.label,
        timesteps: r.inspection.timesteps,
        layers: r.inspection.layers.map((l) => ({
          layer: l.layer,
          cell: l.cell,
          direction: l.direction,
          units: l.units,
          names: l.names,
          values: Object.fromEntries(l.names.map((n) => [n, l.values[n]![0]!])),
          masked: l.masked[0]!,
        })),
        influence: r.influence,
      };
    } catch (e) {
      this.fail(e);
      return null;
    }
  }

  async saveModel(): Promise<Uint8Array | null> {
    if (!this.model?.built) return null;
    return this.model.save();
  }

  async exportTfjs(): Promise<{ modelJson: string; weightsBin: Uint8Array } | null> {
    if (!this.model?.built) return null;
    const { modelJson, weightsBin } = await this.model.exportTfjs();
    return { modelJson: JSON.stringify(modelJson), weightsBin };
  }

  async exportKeras(): Promise<Uint8Array | null> {
    if (!this.model?.built) return null;
    try {
      return await this.model.exportKeras();
    } catch (e) {
      this.fail(e);
      return null;
    }
  }

  async kerasParts(): Promise<KerasParts | null> {
    return this.model?.built ? this.model.kerasParts() : null;
  }

  async weights(): Promise<Map<string, Float32Array> | null> {
    return this.model?.built ? this.model.weights() : null;
  }

  async exportEmbeddingProjector(): Promise<{ vectorsTsv: string; metadataTsv: string } | null> {
    if (!this.model?.built) return null;
    return this.model.exportEmbeddingProjector();
  }

  /** Replace the model with a saved one; the current model stays if the file is rejected. */
  async loadModel(bytes: Uint8Array): Promise<boolean> {
    return this.useModel((engine) => SentimentModel.load(bytes, { engine }));
  }

  /**
   * Replace the model with one from the files the user chose (see TrainerActions.loadModelFiles); the
   * current model stays if they are rejected. An imported classifier's classes are the loaded dataset's
   * labels (sorted) when it has as many as the model has outputs, else the output units' numbers.
   */
  async loadModelFiles(files: ModelFile[]): Promise<boolean> {
    return this.useModel((engine) => this.openModelFiles(files, engine));
  }

  /** A sentiment model from the chosen files, or one sentence saying what is wrong or missing. */
  private async openModelFiles(files: ModelFile[], engine: Engine): Promise<SentimentModel> {
    if (files.length === 0) throw new Error('choose a model file');
    const tokenizers: Array<{ file: ModelFile; tokenizer: Tokenizer }> = [];
    const rest: ModelFile[] = [];
    for (const f of files) {
      const t = kerasTokenizerOf(f);
      if (t) tokenizers.push({ file: f, tokenizer: t });
      else rest.push(f);
    }
    if (tokenizers.length > 1) throw new Error(`${tokenizers.map((t) => t.file.name).join(' and ')} are all Keras tokenizers: choose the one the model was trained with`);
    const tok = tokenizers[0] ?? null;
    if (rest.length === 0) throw new Error(`${tok!.file.name} is a Keras tokenizer: choose it together with the model it belongs to (a .keras or .h5 file, or a TF.js model.json with its .bin files)`);
    if (rest.length === 1) {
      const kind = await openModelZip(rest[0]!.bytes).then((z) => peekKind(z.manifest), () => null);
      if (kind === 'sentiment' || kind === 'language-model') {
        if (tok && kind === 'sentiment') throw new Error(`${rest[0]!.name} is a sentiment model of webgpu-lstm with its own tokenizer: load it without ${tok.file.name}`);
        return SentimentModel.load(rest[0]!.bytes, { engine });
      }
    }
    // A network: Keras or TF.js files, or a layers file of this library (what the page makes of a Keras file's HDF5, model-files.ts).

    const { loadModel } = await import('../load-model');
    const net = await loadModel(
      rest.map((f) => new File([f.bytes as Uint8Array<ArrayBuffer>], f.name)),
      { engine, kind: 'layers' },
    );
    const name = rest.find((f) => /\.json$/i.test(f.name))?.name ?? rest[0]!.name;
    try {
      const { classes } = textClassifierShape(net.graph, name);
      if (!tok) throw new Error(`${name} is a Keras or TF.js model that reads token ids: add the Keras tokenizer JSON it was trained with (tokenizer.to_json() saved to a file, e.g. tokenizer.json), choosing both files together`);
      const data = this.dataset?.labelNames;
      const labelNames = data && data.length === classes ? data : Array.from({ length: classes }, (_, k) => String(k));
      return SentimentModel.fromImported(net, tok.tokenizer, { labelNames });
    } catch (e) {
      net.dispose();
      throw e;
    }
  }

  /** Put a model in place of the current one (kept if `open` fails), and evaluate it when the dataset's labels are its own. */
  private async useModel(open: (engine: Engine) => Promise<SentimentModel>): Promise<boolean> {
    if (!this.engine || this.status === 'training') return false;
    try {
      const model = await open(this.engine);
      this.model?.dispose();
      this.model = model;
      this.current = null; // a loaded model is not a run of this page's: nothing to save
      this.evaluation = null;
      this.misclassified = [];
      this.prediction = null;
      this.status = 'trained';
      this.error = null;
      if (this.dataset) {
        const ok = this.dataset.labelNames.every((l) => model.labelNames.includes(l));
        if (ok) {
          this.splits ??= splitDataset(this.dataset, { testSize: 0.2, validationSize: 0.1, seed: model.config.seed });
          await this.finish(model, this.splits.test);
        }
      }
      this.update();
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    }
  }
}
