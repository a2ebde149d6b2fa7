/**
 * <lstm-writer>: train a character (or word) language model on any text on the user's GPU, watch a
 * fresh sample after every validation while the loss falls, then write from a prompt with a temperature
 * slider; download the model or load one. Built on createLanguageModel (the layers API) and GPU-side
 * generation.
 *
 * A thin Lit element: configuration in reactive properties, the work in WriterController, which runs in
 * a dedicated Worker (or on the main thread: `main-thread`, or when a Worker cannot use WebGPU) and is
 * stopped, its model and engine released, when the element leaves the page. Every sample's seed comes
 * from the `seed` setting (see writer-controller.ts).
 *
 * Attributes: text-url (a .txt; empty: the built-in text beside this module), level (char | word), cell,
 * seq-len, units, embed-dim, steps, eval-every, batch-size, learning-rate, seed, main-thread.
 * Events (bubbling, composed): text-loaded { characters, vocabulary, invalidUtf8, likelyEncoding }, epoch-end { step, loss, valLoss,
 * valBitsPerToken }, sample { step, text }, train-end { valLoss }, error { message }.
 * CSS parts: panel, drop, settings, progress, chart, sample, write.
 */
import { css, html, nothing, type PropertyDeclarations } from 'lit';
import { builtinTextUrl } from '../builtin';
import type { CellName } from '../layers/specs';
import { DEFAULT_LM } from '../lm/language-model';
import { lossCurve, progressOrNote } from './charts';
import { alerts, cellSelect, cellTitle, download, emit, FileTrainingElement, gpuLine, panelStyles } from './element-kit';
import { fileButton, fileDrop } from './file-drop';
import { ControllerThread } from './trainer-thread';
import type { Writer, WriterEvents, WriterSettings } from './writer-controller';
import { RemoteWriter } from './writer-remote';

export class LstmWriter extends FileTrainingElement<Writer> {
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
  /** The seed of the weights, the training windows and every sample (the n-th Write draws from (seed, n)). */
  declare seed: number;
  declare temperature: number;
  readonly thread: ControllerThread<Writer, WriterEvents>;
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
    this.temperature = 0.8;
    const events: WriterEvents = {
      textLoaded: (d) => emit(this, 'text-loaded', d),
      epochEnd: (d) => emit(this, 'epoch-end', d),
      sample: (d) => emit(this, 'sample', d),
      trainEnd: (d) => emit(this, 'train-end', d),
      error: (message) => emit(this, 'error', { message }),
    };
    this.thread = new ControllerThread<Writer, WriterEvents>(this, events, {
      kind: 'lstm-writer',
      mainThread: () => this.mainThread,
      remote: (port, host, e) => new RemoteWriter(port, host, e),
      notStarted: (host, e) => RemoteWriter.notStarted(host, e),
      local: async (host, e) => new (await import('./writer-controller')).WriterController(host, e),
    });
  }

  protected defaultUrl(): string {
    return this.textUrl || builtinTextUrl().href;
  }

  protected load(url: string): Promise<boolean> {
    return this.controller.loadUrl(url);
  }

  /**
   * A text file's bytes or a File: UTF-8, or UTF-16 with a byte-order mark, decoded as the CLI decodes
   * it; one that is mostly invalid UTF-8 or control characters is an error, a few bad bytes are counted.
   * (The bytes, not file.text(): that would replace invalid UTF-8 without a count.)
   */
  async loadBytes(bytes: Uint8Array | Blob, name: string): Promise<boolean> {
    await this.thread.ready();
    return this.controller.loadBytes(bytes, name);
  }

  /** Use `text` for training (a new model is made at the next Train); an error when it is mostly not text. */
  async setText(text: string, name: string): Promise<boolean> {
    await this.thread.ready();
    return this.controller.setText(text, name);
  }

  private settings(): WriterSettings {
    return {
      level: this.level,
      cell: this.cell,
      seqLen: this.seqLen,
      units: this.units,
      embedDim: this.embedDim,
      learningRate: this.learningRate,
      seed: this.seed,
      steps: this.steps,
      evalEvery: this.evalEvery,
      batchSize: this.batchSize,
    };
  }

  /** Train a new model on the loaded text; a sample after every validation. Resolves when done (or stopped). */
  async train(): Promise<void> {
    await this.thread.ready();
    await this.controller.train(this.settings());
  }

  /** Continue `prompt` (streamed into the page); resolves to the prompt and what was written after it. */
  async write(prompt = this.prompt, length = 300): Promise<string> {
    await this.thread.ready();
    return this.controller.write(prompt, { length, temperature: this.temperature, seed: this.seed });
  }

  private async loadModelFile(file: File): Promise<void> {
    await this.thread.ready();
    await this.controller.loadModel(new Uint8Array(await file.arrayBuffer()), file.name);
  }

  private async download(): Promise<void> {
    const bytes = await this.controller.saveModel();
    if (bytes) download('lm.zip', bytes, 'application/zip');
  }

  private num(name: 'seqLen' | 'units' | 'embedDim' | 'steps' | 'evalEvery', label: string, disabled: boolean) {
    return html`<label
      >${label}
      <input
        type="number"
        min="1"
        .value=${String(this[name])}
        ?disabled=${disabled}
        @change=${(e: Event) => {
          const v = Number((e.target as HTMLInputElement).value);
          if (Number.isInteger(v) && v >= 1) this[name] = v;
        }}
    /></label>`;
  }

  private renderText() {
    const c = this.controller;
    const busy = c.status === 'training' || c.status === 'writing';
    return html`<section class="panel" part="panel">
      <h2>1. Text</h2>
      ${fileDrop({ label: 'Choose a .txt', accept: '.txt,text/plain', disabled: busy || c.status === 'starting', onFile: (f) => void this.loadBytes(f, f.name) })}
      <p class="summary" data-testid="text-summary">${c.status === 'loading' ? 'loading…' : c.summary || (c.status === 'starting' ? 'Starting the GPU…' : '')}</p>
    </section>`;
  }

  private renderTraining() {
    const c = this.controller;
    const training = c.status === 'training';
    const busy = training || c.status === 'writing';
    return html`<section class="panel" part="panel">
      <h2>2. Train</h2>
      <div class="row" part="settings">
        <label
          >Tokens
          <select ?disabled=${busy} @change=${(e: Event) => (this.level = (e.target as HTMLSelectElement).value as 'char' | 'word')}>
            <option value="char" .selected=${this.level === 'char'}>characters</option>
            <option value="word" .selected=${this.level === 'word'}>words</option>
          </select></label
        >
        ${this.num('seqLen', 'Window', busy)} ${cellSelect(this.cell, busy, (cell) => (this.cell = cell))} ${this.num('units', `${cellTitle(this.cell)} units`, busy)}
        ${this.num('embedDim', 'Embedding', busy)} ${this.num('steps', 'Steps', busy)} ${this.num('evalEvery', 'Sample every', busy)}
      </div>
      <div class="actions">
        <button class="primary" data-testid="train" ?disabled=${!c.hasText || busy || c.status === 'loading'} @click=${() => void this.train()}>Train</button>
        <button data-testid="stop" ?disabled=${!busy} @click=${() => c.stop()}>Stop</button>
        ${c.modelInfo && !busy ? html`<button data-testid="download" @click=${() => void this.download()}>Download model</button>` : nothing}
        ${fileButton({ label: 'Load a model', accept: '.zip', disabled: busy || c.status === 'starting', onFile: (f) => void this.loadModelFile(f) })}
      </div>
      ${progressOrNote(c.progress, c.note, { stepsPerEpoch: c.stepsPerEpoch })}
      ${c.batchLosses.length
        ? html`<div class="charts">
            ${lossCurve({
              batchLosses: c.batchLosses,
              epochs: c.epochs,
              progress: c.progress,
              xPerEpoch: c.stepsPerEpoch,
              xLabel: 'step',
              title: 'Loss (nats per token): training batches, and validation',
              width: 640,
            })}
          </div>`
        : nothing}
      ${c.samples.length
        ? html`<div part="sample" data-testid="samples">${c.samples.map((s) => html`<figure><figcaption>after step ${s.step}</figcaption><pre>${s.text}</pre></figure>`)}</div>`
        : nothing}
      ${gpuLine(c, this.thread.thread)}
    </section>`;
  }

  private renderWrite() {
    const c = this.controller;
    if (!c.modelInfo) return nothing;
    const busy = c.status === 'training' || c.status === 'writing';
    return html`<section class="panel" part="panel write">
      <h2>3. Write</h2>
      <div class="row">
        <label>Prompt <input data-testid="prompt" .value=${this.prompt} @input=${(e: Event) => (this.prompt = (e.target as HTMLInputElement).value)} /></label>
        <label
          >Temperature ${this.temperature.toFixed(2)}
          <input type="range" min="0" max="2" step="0.05" .value=${String(this.temperature)} @input=${(e: Event) => (this.temperature = Number((e.target as HTMLInputElement).value))}
        /></label>
        <button class="primary" data-testid="write" ?disabled=${busy} @click=${() => void this.write()}>Write</button>
      </div>
      <pre data-testid="written">${c.written}</pre>
    </section>`;
  }

  override render() {
    return html`${alerts(this.controller)} ${this.renderText()} ${this.renderTraining()} ${this.renderWrite()}`;
  }

  static override styles = [
    ...panelStyles,
    css`
      pre { white-space: pre-wrap; background: #f9fafb; border-radius: 6px; padding: 8px; margin: 4px 0; font-size: 13px; }
      figure { margin: 6px 0; }
      .charts .chart { width: min(640px, 100%); }
    `,
  ];
}
