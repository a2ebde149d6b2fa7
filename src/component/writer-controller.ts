/**
 * The work behind <lstm-writer>, in its Worker (or on the main thread as a fallback): read the text,
 * train a language model on the controller's own engine with a sample after every validation, write
 * from a prompt (streamed: `written` grows as chunks come back from the GPU), load and save models. The
 * page gets the state as plain data (WriterView) and drives it through WriterActions (RemoteWriter
 * forwards them to a Worker).
 *
 * Every sample is drawn from a seed derived from the seed setting: the samples during training from
 * (seed, step), the n-th Write of a model from (seed, n) — so the same settings write the same texts.
 */
import seedrandom from 'seedrandom';
import type { Engine } from '../engine/engine';
import type { BatchEndInfo } from '../layers/fit-loop';
import type { CellName } from '../layers/specs';
import { createLanguageModel, LanguageModel } from '../lm/language-model';
import { checkLanguageText, describeReading, readLanguageText, type LanguageText } from '../lm/text';
import { splitTokens, type TokenLevel } from '../lm/vocab';
import type { InspectedLayer } from '../layers/inspect';
import { cellTitle } from './cell-title';
import { EngineController, fileNameOf } from './engine-controller';
import type { LossPoint } from './forecaster-controller';
import type { ControllerHost } from './trainer-serve';
import { MAX_COLOURED_CHARS, proposeUnits, type UnitProposal } from './unit-finder';

export { MAX_COLOURED_CHARS };

/**
 * What each recurrent layer's units did at every token of a text (WriterActions.activations): plain data
 * a Worker can send. `h` exists for every cell (LSTM, GRU, SimpleRNN).
 */
export interface TextActivations {
  /** The tokens read (characters, or words and the spaces between them), in order. */
  tokens: string[];
  /** Characters of the text given, and whether only the first MAX_COLOURED_CHARS were read. */
  characters: number;
  cut: boolean;
  /** Per recurrent layer: h, timestep-major [tokens · units]. */
  layers: Array<{ layer: string; cell: InspectedLayer['cell']; units: number; h: Float32Array }>;
  /** Units worth a look (unit-finder.ts), per layer: the highest variance; the strongest correlation with a feature of the text. */
  proposals: Array<UnitProposal & { layer: number }>;
}

export type WriterStatus = 'starting' | 'no-webgpu' | 'idle' | 'loading' | 'ready' | 'training' | 'trained' | 'writing';

export interface WriterSettings {
  level: TokenLevel;
  cell: CellName;
  seqLen: number;
  units: number;
  embedDim: number;
  learningRate: number;
  seed: number;
  /** Optimizer steps in all. */
  steps: number;
  /** Steps between validations, each followed by a sample. */
  evalEvery: number;
  batchSize: number;
}

export interface WriteOptions {
  length: number;
  temperature: number;
  /** The seed setting: the n-th Write of a model draws from (seed, n). */
  seed: number;
}

/** Everything the element renders. */
export interface WriterView {
  status: WriterStatus;
  gpuDescription: string;
  error: string | null;
  /** What the loaded text is ("file: characters, distinct…"). */
  summary: string;
  /** A text is loaded (training can start). */
  hasText: boolean;
  progress: BatchEndInfo | null;
  /** Optimizer steps per validation interval (an "epoch" of `progress` and `epochs`). */
  stepsPerEpoch: number;
  /** Running training loss per batch (nats per token), for the live curve. */
  batchLosses: number[];
  /** Per validation interval: the training loss and the validation loss. */
  epochs: LossPoint[];
  /** Newest first. */
  samples: Array<{ step: number; text: string }>;
  /** The prompt and what was written after it (grows while writing). */
  written: string;
  /** What the model is (null: none yet), and how its training ended. */
  modelInfo: string | null;
  note: string;
  gpuBytes: number;
}

export interface WriterActions {
  loadUrl(url: string): Promise<boolean>;
  /** A text file's bytes or a File: UTF-8, or UTF-16 with a byte-order mark; mostly not text is an error. */
  loadBytes(source: Uint8Array | Blob, name: string): Promise<boolean>;
  setText(text: string, name: string): Promise<boolean>;
  /** Train a new model on the loaded text; settles when done or stopped. */
  train(settings: WriterSettings): Promise<void>;
  stop(): void;
  dismissError(): void;
  /** Continue `prompt`; the whole written text (prompt included), or '' when there is no model. */
  write(prompt: string, o: WriteOptions): Promise<string>;
  loadModel(bytes: Uint8Array, name: string): Promise<boolean>;
  saveModel(): Promise<Uint8Array | null>;
  /** Every unit's h at each token of `text` (its first MAX_COLOURED_CHARS characters), with units worth a look; null without a model or while busy. */
  activations(text: string): Promise<TextActivations | null>;
}

export type Writer = WriterView & WriterActions;

export interface WriterEvents {
  textLoaded(d: { characters: number; vocabulary: number; invalidUtf8: number; likelyEncoding: string | null }): void;
  epochEnd(d: { step: number; loss: number; valLoss: number | null; valBitsPerToken: number | null }): void;
  sample(d: { step: number; text: string }): void;
  trainEnd(d: { valLoss: number | null }): void;
  error(message: string): void;
}

export const WRITER_EVENTS = ['textLoaded', 'epochEnd', 'sample', 'trainEnd', 'error'] as const satisfies ReadonlyArray<keyof WriterEvents>;

/** The controller's state as plain data (what a Worker sends to the page). */
export function writerView(c: WriterView): WriterView {
  return {
    status: c.status,
    gpuDescription: c.gpuDescription,
    error: c.error,
    summary: c.summary,
    hasText: c.hasText,
    progress: c.progress,
    stepsPerEpoch: c.stepsPerEpoch,
    batchLosses: c.batchLosses,
    epochs: c.epochs,
    samples: c.samples,
    written: c.written,
    modelInfo: c.modelInfo,
    note: c.note,
    gpuBytes: c.gpuBytes,
  };
}

/** A sampling seed (u32) from the seed setting and what is drawn ("sample/300", "write/2"). */
export function samplingSeed(seed: number, what: string): number {
  return seedrandom(`${seed}/${what}`).int32() >>> 0;
}

export class WriterController extends EngineController<WriterStatus> implements Writer {
  summary = '';
  progress: BatchEndInfo | null = null;
  stepsPerEpoch = 1;
  batchLosses: number[] = [];
  epochs: LossPoint[] = [];
  samples: Array<{ step: number; text: string }> = [];
  written = '';
  modelInfo: string | null = null;
  note = '';
  private text: LanguageText | null = null;
  private lm: LanguageModel | null = null;
  /** Writes since the model was made or loaded (the n of the n-th Write's seed). */
  private writes = 0;

  constructor(
    host: ControllerHost,
    private readonly events: WriterEvents,
    engineFactory?: () => Promise<Engine>,
  ) {
    super(host, (m) => events.error(m), engineFactory);
  }

  get hasText(): boolean {
    return this.text !== null;
  }

  protected disposeModel(): void {
    this.lm?.dispose();
    this.lm = null;
    this.modelInfo = null;
  }

  async loadUrl(url: string): Promise<boolean> {
    let bytes: Uint8Array;
    try {
      bytes = await this.fetchBytes(url);
    } catch (e) {
      this.fail(e);
      return false;
    }
    return this.loadBytes(bytes, fileNameOf(url));
  }

  async loadBytes(source: Uint8Array | Blob, name: string): Promise<boolean> {
    return this.read(name, () => readLanguageText(source, name));
  }

  async setText(text: string, name: string): Promise<boolean> {
    return this.read(name, async () => checkLanguageText(text, name));
  }

  /** Use the text `read` gives for training (a new model is made at the next Train); the loaded one stays on failure. */
  private async read(name: string, read: () => Promise<LanguageText>): Promise<boolean> {
    if (this.status === 'training' || this.status === 'writing') {
      this.fail(new Error('stop training before loading another text'));
      return false;
    }
    const before = this.status;
    this.status = 'loading';
    this.error = null;
    this.update();
    try {
      const t = await read();
      if (t.text.trim() === '') throw new Error(`${name} is empty`);
      this.text = t;
      const vocabulary = new Set(t.text).size;
      this.summary = `${name}: ${t.characters.toLocaleString('en-US')} characters, ${vocabulary} distinct${describeReading(t)}`;
      this.status = this.lm ? 'trained' : 'ready';
      this.events.textLoaded({ characters: t.characters, vocabulary, invalidUtf8: t.replacementChars, likelyEncoding: t.likelyEncoding });
      return true;
    } catch (e) {
      this.status = before === 'loading' ? 'idle' : before;
      this.fail(e);
      return false;
    } finally {
      this.update();
    }
  }

  async train(s: WriterSettings): Promise<void> {
    const text = this.text;
    if (!text || this.status === 'training' || this.status === 'writing' || this.status === 'loading') return;
    this.status = 'training';
    this.error = null;
    this.samples = [];
    this.batchLosses = [];
    this.epochs = [];
    this.progress = null;
    this.note = '';
    this.abort = new AbortController();
    const signal = this.abort.signal;
    this.update();
    try {
      this.disposeModel();
      this.writes = 0;
      const engine = await this.gpu();
      const lm = await createLanguageModel(text, { level: s.level, cell: s.cell, seqLen: s.seqLen, units: s.units, embedDim: s.embedDim, learningRate: s.learningRate, seed: s.seed }, { engine });
      this.lm = lm;
      this.modelInfo = describeModel(lm);
      const every = Math.min(s.evalEvery, s.steps);
      const perEpoch = Math.ceil(s.steps / Math.ceil(s.steps / every));
      this.stepsPerEpoch = perEpoch;
      await lm.fit({
        steps: s.steps,
        evalEvery: every,
        batchSize: s.batchSize,
        signal,
        onBatchEnd: (b) => {
          this.progress = b;
          this.batchLosses.push(b.loss);
          this.update();
        },
        onEpochEnd: async (e) => {
          const step = e.epoch * perEpoch;
          this.epochs = [...this.epochs, { epoch: e.epoch, loss: e.loss, valLoss: e.valLoss }];
          this.events.epochEnd({ step, loss: e.loss, valLoss: e.valLoss, valBitsPerToken: e.valBitsPerToken });
          this.update();
          const sample = await lm.generate('', { length: 160, temperature: 0.8, seed: samplingSeed(s.seed, `sample/${step}`) });
          this.samples = [{ step, text: sample }, ...this.samples];
          this.events.sample({ step, text: sample });
          this.update();
        },
      });
      this.status = 'trained';
      this.progress = null;
      const last = this.epochs.at(-1)?.valLoss ?? null;
      this.note = `trained${signal.aborted ? ' (stopped)' : ''}${last !== null ? `: validation ${last.toFixed(3)} nats/token (${(last / Math.LN2).toFixed(2)} bits)` : ''}`;
      this.events.trainEnd({ valLoss: last });
    } catch (e) {
      this.progress = null;
      if (this.status === 'training') this.status = this.lm ? 'trained' : 'ready';
      this.fail(e);
    } finally {
      this.abort = null;
      this.update();
    }
  }

  async write(prompt: string, o: WriteOptions): Promise<string> {
    const lm = this.lm;
    if (!lm || this.status === 'training' || this.status === 'writing') return '';
    this.status = 'writing';
    this.error = null;
    this.written = prompt;
    this.abort = new AbortController();
    const n = ++this.writes;
    this.update();
    try {
      await lm.generate(prompt, {
        length: o.length,
        temperature: o.temperature,
        seed: samplingSeed(o.seed, `write/${n}`),
        signal: this.abort.signal,
        onText: (t) => {
          this.written += t;
          this.update();
        },
      });
      return this.written;
    } catch (e) {
      this.fail(e);
      return '';
    } finally {
      this.abort = null;
      if (this.status === 'writing') this.status = 'trained';
      this.update();
    }
  }

  /** Replace the model with a saved one; the current model stays if the file is refused. */
  async loadModel(bytes: Uint8Array, name: string): Promise<boolean> {
    if (this.status === 'training' || this.status === 'writing') return false;
    try {
      const lm = await LanguageModel.load(bytes, { engine: await this.gpu() });
      this.disposeModel();
      this.lm = lm;
      this.writes = 0;
      this.modelInfo = describeModel(lm);
      this.note = `loaded ${name}: ${this.modelInfo}`;
      this.samples = [];
      this.batchLosses = [];
      this.epochs = [];
      this.written = '';
      this.status = 'trained';
      this.error = null;
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    } finally {
      this.update();
    }
  }

  async saveModel(): Promise<Uint8Array | null> {
    return this.lm && this.status !== 'training' ? this.lm.save() : null;
  }

  async activations(text: string): Promise<TextActivations | null> {
    const lm = this.lm;
    if (!lm || this.status === 'training' || this.status === 'writing') return null;
    const chars = Array.from(text);
    const read = chars.slice(0, MAX_COLOURED_CHARS).join('');
    try {
      if (read.length === 0) throw new Error('there is no text to colour: write a sample or paste some text');
      const tokens = splitTokens(read, lm.vocab.level);
      const ids = lm.vocab.encode(read);
      const r = await lm.model.inspect({ data: ids, shape: [1, ids.length] });
      const layers = r.layers.map((l) => ({ layer: l.layer, cell: l.cell, units: l.units, h: l.values.h![0]! }));
      const proposals = layers.flatMap((l, k) => proposeUnits(l.h, l.units, tokens).map((p) => ({ ...p, layer: k })));
      return { tokens, characters: chars.length, cut: chars.length > MAX_COLOURED_CHARS, layers, proposals };
    } catch (e) {
      this.fail(e);
      return null;
    }
  }
}

function describeModel(lm: LanguageModel): string {
  return `vocabulary ${lm.vocab.size}, ${cellTitle(lm.config.cell ?? 'lstm')} ${lm.config.units}`;
}
