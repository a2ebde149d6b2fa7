/**
 * <lstm-writer>: train a character (or word) language model on any text on the user's GPU, watch a
 * fresh sample after every validation while the loss falls, then write from a prompt with a temperature
 * slider; download the model or load one. Built on createLanguageModel (the layers API) and GPU-side
 * generation.
 *
 * Attributes: text-url (a .txt; empty: the built-in text beside this module), level (char | word),
 * seq-len, units, embed-dim, steps, eval-every, batch-size, learning-rate, seed.
 * Events (bubbling, composed): text-loaded { characters, vocabulary, invalidUtf8, likelyEncoding }, epoch-end { step, loss, valLoss,
 * valBitsPerToken }, sample { step, text }, train-end { valLoss }, error { message }.
 * CSS parts: panel, settings, progress, chart, sample, write.
 */
import { css, html, nothing, type PropertyDeclarations } from 'lit';
import { builtinTextUrl } from '../builtin';
import { createLanguageModel, DEFAULT_LM, LanguageModel } from '../lm/language-model';
import { checkLanguageText, describeReading, readLanguageText, type LanguageText } from '../lm/text';
import { lineChart } from './charts';
import { cellSelect, cellTitle, download, emit, FileTrainingElement, panelStyles } from './element-kit';
import type { CellName } from '../layers/specs';

type Status = 'idle' | 'loading' | 'ready' | 'training' | 'trained' | 'writing' | 'error';

export class LstmWriter extends FileTrainingElement {
  static override properties: PropertyDeclarations = {
    textUrl: { type: String, attribute: 'text-url' },
    level: { type: String },
    seqLen: { type: Number, attribute: 'seq-len' },
    units: { type: Number },
    cell: { type: String },
    embedDim: { type: Number, attribute: 'embed-dim' },
    steps: { type: Number },
    evalEvery: { type: Number, attribute: 'eval-every' },
    batchSize: { type: Number, attribute: 'batch-size' },
    learningRate: { type: Number, attribute: 'learning-rate' },
    seed: { type: Number },
    status: { state: true },
    message: { state: true },
    progress: { state: true },
    samples: { state: true },
    written: { state: true },
    temperature: { state: true },
  };

  declare textUrl: string;
  declare level: 'char' | 'word';
  declare seqLen: number;
  declare units: number;
  /** The recurrent cell: lstm (default), gru or rnn (SimpleRNN). */
  declare cell: CellName;
  declare embedDim: number;
  declare steps: number;
  declare evalEvery: number;
  declare batchSize: number;
  declare learningRate: number;
  declare seed: number;
  declare status: Status;
  declare message: string;
  declare progress: string;
  declare samples: Array<{ step: number; text: string }>;
  declare written: string;
  declare temperature: number;
  private text: LanguageText | null = null;
  private lm: LanguageModel | null = null;
  private losses: number[] = [];
  private validations: Array<{ step: number; loss: number }> = [];
  private prompt = '';

  constructor() {
    super();
    this.textUrl = '';
    this.level = 'char';
    this.seqLen = DEFAULT_LM.seqLen;
    this.units = DEFAULT_LM.units;
    this.cell = DEFAULT_LM.cell;
    this.embedDim = DEFAULT_LM.embedDim;
    this.steps = 600;
    this.evalEvery = 100;
    this.batchSize = 32;
    this.learningRate = DEFAULT_LM.learningRate;
    this.seed = DEFAULT_LM.seed as number;
    this.status = 'idle';
    this.message = '';
    this.progress = '';
    this.samples = [];
    this.written = '';
    this.temperature = 0.8;
  }

  protected defaultUrl(): string {
    return this.textUrl || builtinTextUrl().href;
  }


  /**
   * A text file's bytes or a File: UTF-8, or UTF-16 with a byte-order mark, decoded as the CLI decodes
   * it; one that is mostly invalid UTF-8 or control characters is an error, a few bad bytes are counted.
   */
  override async loadBytes(bytes: Uint8Array | Blob, name: string): Promise<void> {
    try {
      this.useText(await readLanguageText(bytes, name), name);
    } catch (e) {
      this.fail(e);
    }
  }

  /** Use `text` for training (a new model is made at the next Train); an error when it is mostly not text. */
  setText(text: string, name: string): void {
    try {
      this.useText(checkLanguageText(text, name), name);
    } catch (e) {
      this.fail(e);
    }
  }

  private useText(t: LanguageText, name: string): void {
    if (t.text.trim() === '') throw new Error(`${name} is empty`);
    this.text = t;
    const characters = t.characters;
    const vocabulary = new Set(t.text).size;
    this.message = `${name}: ${characters.toLocaleString('en-US')} characters, ${vocabulary} distinct${describeReading(t)}`;
    this.status = 'ready';
    emit(this, 'text-loaded', { characters, vocabulary, invalidUtf8: t.replacementChars, likelyEncoding: t.likelyEncoding });
  }

  /** Train a new model on the loaded text; a sample after every validation. */
  async train(): Promise<void> {
    if (!this.text || this.status === 'training' || this.status === 'writing') return;
    this.status = 'training';
    this.samples = [];
    this.losses = [];
    this.validations = [];
    this.progress = 'preparing the GPU…';
    this.stop = new AbortController();
    try {
      this.lm?.dispose();
      this.lm = null;
      const lm = await createLanguageModel(this.text, { level: this.level, cell: this.cell, seqLen: this.seqLen, units: this.units, embedDim: this.embedDim, learningRate: this.learningRate, seed: this.seed });
      this.lm = lm;
      const every = Math.min(this.evalEvery, this.steps);
      const perEpoch = Math.ceil(this.steps / Math.ceil(this.steps / every));
      await lm.fit({
        steps: this.steps,
        evalEvery: every,
        batchSize: this.batchSize,
        signal: this.stop.signal,
        onBatchEnd: (b) => {
          this.losses = [...this.losses, b.loss];
          this.progress = `step ${(b.epoch - 1) * perEpoch + b.batch} of ${b.epochs * perEpoch}: loss ${b.loss.toFixed(3)}, ETA ${Math.round(b.etaSeconds)} s`;
        },
        onEpochEnd: async (e) => {
          const step = e.epoch * perEpoch;
          if (e.valLoss !== null) this.validations = [...this.validations, { step, loss: e.valLoss }];
          emit(this, 'epoch-end', { step, loss: e.loss, valLoss: e.valLoss, valBitsPerToken: e.valBitsPerToken });
          const text = await lm.generate('', { length: 160, temperature: 0.8, seed: step });
          this.samples = [{ step, text }, ...this.samples];
          emit(this, 'sample', { step, text });
        },
      });
      this.status = 'trained';
      const last = this.validations.at(-1);
      this.progress = `trained${this.stop.signal.aborted ? ' (stopped)' : ''}${last ? `: validation ${last.loss.toFixed(3)} nats/token (${(last.loss / Math.LN2).toFixed(2)} bits)` : ''}`;
      emit(this, 'train-end', { valLoss: last?.loss ?? null });
    } catch (e) {
      this.fail(e);
    } finally {
      this.stop = null;
    }
  }

  /** Continue `prompt` (streamed into the page). */
  async write(prompt = this.prompt, length = 300): Promise<string> {
    if (!this.lm || this.status === 'training' || this.status === 'writing') return '';
    this.status = 'writing';
    this.written = prompt;
    try {
      await this.lm.generate(prompt, { length, temperature: this.temperature, seed: Math.floor(Math.random() * 2 ** 31), onText: (t) => void (this.written += t) });
      return this.written;
    } catch (e) {
      this.fail(e);
      return '';
    } finally {
      if (this.status === 'writing') this.status = 'trained';
    }
  }

  private async onTextFile(e: Event): Promise<void> {
    const file = (e.target as HTMLInputElement).files?.[0];
    // The bytes, not file.text(): that would replace invalid UTF-8 without a count.
    if (file) await this.loadBytes(file, file.name);
  }

  private async onModelFile(e: Event): Promise<void> {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    try {
      this.lm?.dispose();
      this.lm = await LanguageModel.load(new Uint8Array(await file.arrayBuffer()));
      this.status = 'trained';
      this.progress = `loaded ${file.name}: vocabulary ${this.lm.vocab.size}, ${cellTitle(this.lm.config.cell ?? 'lstm')} ${this.lm.config.units}`;
    } catch (err) {
      this.fail(err);
    }
  }

  private async download(): Promise<void> {
    if (!this.lm) return;
    download('lm.zip', await this.lm.save(), 'application/zip');
  }

  private num(name: 'seqLen' | 'units' | 'embedDim' | 'steps' | 'evalEvery', label: string) {
    return html`<label>${label} <input type="number" min="1" .value=${String(this[name])} ?disabled=${this.status === 'training'}
      @change=${(e: Event) => { const v = Number((e.target as HTMLInputElement).value); if (Number.isInteger(v) && v >= 1) this[name] = v; }} /></label>`;
  }

  override render() {
    const busy = this.status === 'training' || this.status === 'writing';
    const charts = this.losses.length
      ? lineChart('loss (nats per token): training batches, and validation', [
          { name: 'training', values: this.losses, color: '#93c5fd' },
          { name: 'validation', values: this.validations.map((v) => v.loss), xs: this.validations.map((v) => v.step - 1), color: '#1d4ed8' },
        ], { xLabel: 'step', width: 640 })
      : nothing;
    return html`<section class="panel" part="panel">
      <div class="row">
        <label>Text (.txt) <input type="file" accept=".txt,text/plain" ?disabled=${busy} @change=${this.onTextFile} /></label>
        <label>Model (.zip) <input type="file" accept=".zip" ?disabled=${busy} @change=${this.onModelFile} /></label>
      </div>
      <p data-testid="text-summary" class=${this.status === 'error' ? 'error' : ''}>${this.status === 'loading' ? 'loading…' : this.message}</p>
      <div class="row" part="settings">
        <label>Tokens <select ?disabled=${busy} @change=${(e: Event) => (this.level = (e.target as HTMLSelectElement).value as 'char' | 'word')}>
          <option value="char" ?selected=${this.level === 'char'}>characters</option><option value="word" ?selected=${this.level === 'word'}>words</option></select></label>
        ${this.num('seqLen', 'Window')} ${cellSelect(this.cell, busy, (cell) => (this.cell = cell))} ${this.num('units', `${cellTitle(this.cell)} units`)} ${this.num('embedDim', 'Embedding')} ${this.num('steps', 'Steps')} ${this.num('evalEvery', 'Sample every')}
        ${this.status === 'training'
          ? html`<button @click=${() => this.stop?.abort()}>Stop</button>`
          : html`<button data-testid="train" ?disabled=${!this.text || busy} @click=${() => void this.train()}>Train</button>`}
        ${this.lm && !busy ? html`<button @click=${() => void this.download()}>Download model</button>` : nothing}
      </div>
      <p part="progress" data-testid="progress">${this.progress}</p>
      ${charts}
      ${this.samples.length
        ? html`<div part="sample" data-testid="samples">${this.samples.map((s) => html`<figure><figcaption>after step ${s.step}</figcaption><pre>${s.text}</pre></figure>`)}</div>`
        : nothing}
      ${this.lm
        ? html`<div part="write" class="write">
            <label>Prompt <input data-testid="prompt" .value=${this.prompt} @input=${(e: Event) => (this.prompt = (e.target as HTMLInputElement).value)} /></label>
            <label>Temperature ${this.temperature.toFixed(2)} <input type="range" min="0" max="2" step="0.05" .value=${String(this.temperature)}
              @input=${(e: Event) => (this.temperature = Number((e.target as HTMLInputElement).value))} /></label>
            <button data-testid="write" ?disabled=${busy} @click=${() => void this.write()}>Write</button>
            <pre data-testid="written">${this.written}</pre>
          </div>`
        : nothing}
    </section>`;
  }

  static override styles = [
    panelStyles,
    css`
      .write { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin: 6px 0; }
      pre { white-space: pre-wrap; background: #f9fafb; border-radius: 6px; padding: 8px; margin: 4px 0; font-size: 13px; }
      figure { margin: 6px 0; }
      .write pre { flex-basis: 100%; }
    `,
  ];
}
