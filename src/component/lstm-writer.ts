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
 * CSS parts: panel, drop, settings, progress, chart, sample, write, cell-view.
 *
 * "One cell's view" (once there is a model): a text — the latest sample or written text, or any text
 * pasted — coloured character by character by one unit's h (blue negative … red positive), with a unit
 * picker that proposes the units whose h tracks something findable in that text (unit-finder.ts).
 */
import { css, html, nothing, type PropertyDeclarations } from 'lit';
import { builtinTextUrl } from '../builtin';
import type { CellName } from '../layers/specs';
import { DEFAULT_LM } from '../lm/language-model';
import { lossCurve, progressOrNote } from './charts';
import { alerts, cellSelect, cellTitle, download, emit, FileTrainingElement, gpuLine, panelStyles } from './element-kit';
import { fileButton, fileDrop } from './file-drop';
import { divergingColor } from './inside-view';
import { CRITERIA, CRITERION_TITLES, MAX_COLOURED_CHARS } from './unit-finder';
import { ControllerThread } from './trainer-thread';
import type { TextActivations, Writer, WriterEvents, WriterSettings } from './writer-controller';
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
    colourText: { state: true },
    colouring: { state: true },
    colourLayer: { state: true },
    colourUnit: { state: true },
    colourStretch: { state: true },
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
  /** The text to colour by a unit (the box under "One cell's view"). */
  declare colourText: string;
  /** Every unit's h over the coloured text, and the units proposed (null: nothing coloured yet). */
  declare colouring: TextActivations | null;
  declare colourLayer: number;
  declare colourUnit: number;
  /** Colour by the unit's own range over the text (its largest |h| at full strength) instead of ±1. */
  declare colourStretch: boolean;
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
    this.colourText = '';
    this.colouring = null;
    this.colourLayer = 0;
    this.colourUnit = 0;
    this.colourStretch = false;
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

  /**
   * Colour `text` (its first MAX_COLOURED_CHARS characters) by one unit's h; the unit shown first is the
   * layer's first proposal (the one that varies most). Resolves to the activations (null: no model, or busy).
   */
  async colour(text = this.colourText): Promise<TextActivations | null> {
    await this.thread.ready();
    this.colourText = text;
    const a = await this.controller.activations(text);
    if (a) {
      this.colourLayer = a.layers.length - 1;
      this.colourUnit = a.proposals.find((p) => p.layer === this.colourLayer)?.unit ?? 0;
    }
    this.colouring = a;
    return a;
  }

  /** The latest text the model wrote: the last Write, else the newest sample. */
  private latestWritten(): string {
    const c = this.controller;
    return c.written || c.samples[0]?.text || '';
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

  private renderCellView() {
    const c = this.controller;
    if (!c.modelInfo) return nothing;
    const busy = c.status === 'training' || c.status === 'writing';
    const a = this.colouring;
    return html`<section class="panel" part="panel cell-view" data-testid="cell-view">
      <h2>4. One cell's view of the text</h2>
      <p class="hint">
        Each character is coloured by one unit's h after reading it: red positive, blue negative, white near 0. Most units look like noise; a few track
        something you can see — the position in the line, being inside quotes or brackets, a space just read. The picker proposes those, measured on the
        text coloured. Only the first ${MAX_COLOURED_CHARS} characters are read.
      </p>
      <textarea
        data-testid="colour-text"
        rows="4"
        placeholder="Paste a text here, or use the latest sample"
        .value=${this.colourText}
        @input=${(e: Event) => (this.colourText = (e.target as HTMLTextAreaElement).value)}
      ></textarea>
      <div class="actions">
        <button data-testid="colour-latest" ?disabled=${busy || !this.latestWritten()} @click=${() => void this.colour(this.latestWritten())}>Colour the latest sample</button>
        <button class="primary" data-testid="colour" ?disabled=${busy || !this.colourText} @click=${() => void this.colour()}>Colour this text</button>
      </div>
      ${a ? this.renderColouring(a) : nothing}
    </section>`;
  }

  private renderColouring(a: TextActivations) {
    const layer = a.layers[this.colourLayer] ?? a.layers[a.layers.length - 1]!;
    const j = Math.min(this.colourUnit, layer.units - 1);
    const U = layer.units;
    let max = 0;
    for (let t = 0; t < a.tokens.length; t++) max = Math.max(max, Math.abs(layer.h[t * U + j]!));
    // tanh-bounded cells (LSTM, GRU, a tanh SimpleRNN) keep their own scale, ±1; a larger h (a relu RNN) sets it.
    // Stretched: the unit's own largest |h| over this text is full strength (a young model's faint units show).
    const scale = this.colourStretch ? max || 1 : Math.max(1, max);
    const mine = a.proposals.filter((p) => p.layer === this.colourLayer);
    // A unit proposed for several criteria is marked once, at its first.
    const chosen = mine.find((p) => p.unit === j);
    const fmt = (v: number) => (v >= 0 ? `+${v.toFixed(2)}` : v.toFixed(2));
    return html`<div class="row">
        ${a.layers.length > 1
          ? html`<label
              >Layer
              <select @change=${(e: Event) => ((this.colourLayer = Number((e.target as HTMLSelectElement).value)), (this.colourUnit = 0))}>
                ${a.layers.map((l, k) => html`<option value=${k} .selected=${k === this.colourLayer}>${l.layer} (${l.cell})</option>`)}
              </select></label
            >`
          : nothing}
        <label
          >Unit worth a look
          <select data-testid="unit-pick" @change=${(e: Event) => (this.colourUnit = Number((e.target as HTMLSelectElement).value))}>
            ${chosen ? nothing : html`<option value=${j} disabled selected>unit ${j} (not proposed)</option>`}
            ${CRITERIA.map((k) => {
              const ps = mine.filter((p) => p.criterion === k);
              return ps.length
                ? html`<optgroup label=${CRITERION_TITLES[k]}>
                    ${ps.map(
                      (p) => html`<option value=${p.unit} .selected=${p === chosen}>
                        unit ${p.unit} — ${k === 'variance' ? `variance ${p.score >= 0.001 ? p.score.toFixed(3) : p.score.toExponential(1)}` : `r = ${fmt(p.score)}`}
                      </option>`,
                    )}
                  </optgroup>`
                : nothing;
            })}
          </select></label
        >
        <label
          >Any unit
          <input
            type="number"
            data-testid="unit"
            min="0"
            max=${U - 1}
            .value=${String(j)}
            @change=${(e: Event) => {
              const v = Number((e.target as HTMLInputElement).value);
              if (Number.isInteger(v) && v >= 0 && v < U) this.colourUnit = v;
            }}
        /></label>
        <label class="check"
          ><input type="checkbox" data-testid="colour-stretch" .checked=${this.colourStretch} @change=${(e: Event) => (this.colourStretch = (e.target as HTMLInputElement).checked)} />
          Stretch the colours to this unit's range</label
        >
      </div>
      <p class="hint" data-testid="colour-summary">
        ${layer.layer} (${layer.cell}) unit ${j} over ${a.tokens.length} ${a.tokens.length === 1 ? 'token' : 'tokens'}: blue −${scale.toFixed(2)} … white 0 … red +${scale.toFixed(2)}.
        ${a.cut ? `The text has ${a.characters.toLocaleString('en-US')} characters: the first ${MAX_COLOURED_CHARS} were read.` : ''}
      </p>
      <pre class="coloured" data-testid="coloured" data-unit=${j}>${a.tokens.map((tok, t) => {
        const v = layer.h[t * U + j]!;
        return html`<span data-v=${v} title=${`unit ${j}: h = ${v.toFixed(3)}`} style="background:${divergingColor(v, scale)}">${tok}</span>`;
      })}</pre>`;
  }

  override render() {
    return html`${alerts(this.controller)} ${this.renderText()} ${this.renderTraining()} ${this.renderWrite()} ${this.renderCellView()}`;
  }

  static override styles = [
    ...panelStyles,
    css`
      pre { white-space: pre-wrap; background: #f9fafb; border-radius: 6px; padding: 8px; margin: 4px 0; font-size: 13px; }
      figure { margin: 6px 0; }
      .charts .chart { width: min(640px, 100%); }
      label.check { flex-direction: row; align-items: center; gap: 4px; }
      .hint { font-size: 13px; opacity: 0.8; max-width: 90ch; }
      textarea { width: min(760px, 100%); font: 13px/1.4 ui-monospace, monospace; }
      pre.coloured { font: 14px/1.6 ui-monospace, monospace; background: #fff; border: 1px solid var(--lstm-border); }
      pre.coloured span { border-radius: 2px; }
    `,
  ];
}
