/**
 * <lstm-trainer>: train a sentiment classifier on the user's GPU, see everything, try it, take it away.
 *
 * A thin Lit element: configuration in reactive properties (reflected from attributes), the GPU work in
 * TrainerController. Events (all bubbling and composed, with `detail`):
 *   dataset-loaded  { rows, columns, textColumn, labelColumn, classCounts }
 *   epoch-end       { epoch, loss, accuracy, valLoss, valAccuracy }
 *   train-end       { accuracy, loss, report }
 *   error           { message }
 * CSS parts: panel, dataset, drop, preview, class-balance, settings, progress, chart, report, confusion-matrix,
 * misclassified, try, saliency, inside, saved.
 *
 * "Inside the model" (in the try-it panel; open at start with the `inside` attribute): for the sentence
 * typed, heatmaps of the recurrent layer's gates and states per unit and word (inside-view.ts), asked of
 * the controller (TrainerActions.inspect) only while the section is open. Custom properties: --lstm-accent, --lstm-bg, --lstm-fg, --lstm-border.
 */
import { css, html, LitElement, nothing, type PropertyDeclarations } from 'lit';
import { builtinDatasetUrl } from '../builtin';
import { DEFAULT_CLEANING } from '../data/clean';
import { type DatasetInfo } from '../data/dataset';
import { formatReport } from '../metrics/report';
import { NOTEBOOK_RECIPE } from '../sentiment/config';
import { bars, heatmap, lineChart, lossCurve, progressBar } from './charts';
import { cellSelect, cellTitle, download } from './element-kit';
import { fileButton, fileDrop, fileDropStyles } from './file-drop';
import type { CellName } from '../layers/specs';
import { defaultInsideLayer, renderInside, type InsideState } from './inside-view';
import { indexedDbShelf } from './model-shelf';
import { TrainerThread } from './trainer-thread';
import type { ModelInside, Trainer } from './trainer-types';
import { UrlStateController } from './url-state';

export class LstmTrainer extends LitElement {
  static override properties: PropertyDeclarations = {
    datasetUrl: { type: String, attribute: 'dataset-url' },
    builtinUrl: { type: String, attribute: 'builtin-url' },
    textColumn: { type: String, attribute: 'text-column' },
    labelColumn: { type: String, attribute: 'label-column' },
    dropLabels: { type: String, attribute: 'drop-labels' },
    epochs: { type: Number },
    batchSize: { type: Number, attribute: 'batch-size' },
    units: { type: Number },
    embedDim: { type: Number, attribute: 'embed-dim' },
    vocabSize: { type: Number, attribute: 'vocab-size' },
    maxLen: { type: Number, attribute: 'max-len' },
    learningRate: { type: Number, attribute: 'learning-rate' },
    seed: { type: Number },
    bucketing: { type: Boolean },
    earlyStopping: { type: Number, attribute: 'early-stopping' },
    cleaning: { type: String },
    cell: { type: String },
    labelCase: { type: String, attribute: 'label-case' },
    autoLoad: { type: Boolean, attribute: 'auto-load' },
    urlState: { type: Boolean, attribute: 'url-state' },
    mainThread: { type: Boolean, attribute: 'main-thread' },
    inside: { type: Boolean },
    tryText: { state: true },
    insideData: { state: true },
    insideState: { state: true },
    linkProblem: { state: true },
  };

  /** Dataset to load at start (a .zip with a CSV, or a .csv); empty: the built-in sentences. */
  declare datasetUrl: string;
  /**
   * Where the built-in sentences are served; empty: beside this module (dist/builtin/sentences.zip of
   * the package, which is right for dist/element.js loaded without a bundler).
   */
  declare builtinUrl: string;
  declare textColumn: string;
  declare labelColumn: string;
  /** Comma-separated labels to drop, e.g. "Neutral". */
  declare dropLabels: string;
  declare epochs: number;
  declare batchSize: number;
  declare units: number;
  declare embedDim: number;
  declare vocabSize: number;
  /** 0: the longest training text. */
  declare maxLen: number;
  declare learningRate: number;
  declare seed: number;
  declare bucketing: boolean;
  /** Patience of early stopping on the validation split (the best epoch's weights are kept); 0: off. */
  declare earlyStopping: number;
  /** 'unicode' (default: letters and digits of every script, emoji), 'ascii' (the notebook's) or 'all'. */
  declare cleaning: 'unicode' | 'ascii' | 'all';
  /** The recurrent cell: lstm (default), gru or rnn (SimpleRNN). */
  declare cell: CellName;
  /** 'keep' (default: labels differing in case are separate classes) or 'fold'. */
  declare labelCase: 'keep' | 'fold';
  /** Load `dataset-url` as soon as the GPU is ready (default true). */
  declare autoLoad: boolean;
  /** Keep the configuration in the page's URL hash, so a link reproduces it (default false). */
  declare urlState: boolean;
  /**
   * Train on the page's main thread instead of in a dedicated Worker (default false: a Worker, so the
   * page stays responsive; read when the element connects).
   */
  declare mainThread: boolean;
  /** Open "Inside the model" (the gate and state heatmaps of the sentence typed) at start (default false: closed). */
  declare inside: boolean;
  declare tryText: string;
  /** The inspection of the sentence typed (null: none asked yet, or the section closed). */
  declare insideData: ModelInside | null;
  declare insideState: InsideState;
  /** Bumped on every inspect request: an older answer arriving late is dropped. */
  private insideSeq = 0;

  /** Where training runs (a Worker, or the main thread with the reason) and the trainer it drives. */
  readonly trainer: TrainerThread;
  /** The trainer the element renders and drives (in the Worker, through messages, or on the main thread). */
  get controller(): Trainer {
    return this.trainer.current;
  }
  /** Reads and writes the URL hash when url-state is set (registered with the host; kept for its lifetime). */
  readonly linkState: UrlStateController;

  constructor() {
    super();
    this.datasetUrl = '';
    this.builtinUrl = '';
    this.textColumn = '';
    this.labelColumn = '';
    this.dropLabels = '';
    this.epochs = 7;
    this.batchSize = 32;
    this.units = NOTEBOOK_RECIPE.units;
    this.embedDim = NOTEBOOK_RECIPE.embedDim;
    this.vocabSize = NOTEBOOK_RECIPE.vocabSize;
    this.maxLen = 0;
    this.learningRate = NOTEBOOK_RECIPE.learningRate;
    this.seed = 141;
    this.bucketing = true;
    this.earlyStopping = 2;
    this.cleaning = 'unicode';
    this.cell = NOTEBOOK_RECIPE.cell;
    this.labelCase = 'keep';
    this.autoLoad = true;
    this.urlState = false;
    this.mainThread = false;
    this.inside = false;
    this.tryText = '';
    this.insideData = null;
    this.insideState = { layer: -1, showAll: false, unit: null };
    this.trainer = new TrainerThread(
      this,
      {
        datasetLoaded: (d: DatasetInfo) =>
          this.emit('dataset-loaded', { rows: d.rows, columns: d.columns, textColumn: d.textColumn, labelColumn: d.labelColumn, classCounts: d.classCounts }),
        epochEnd: (p) => this.emit('epoch-end', p),
        trainEnd: (e) => {
          this.emit('train-end', { accuracy: e.accuracy, loss: e.loss, report: e.report });
          // A sentence typed before (or while) training is read again by the model just trained.
          if (this.tryText.trim()) this.tryIt(this.tryText);
        },
        error: (message) => this.emit('error', { message }),
      },
      { mainThread: () => this.mainThread, shelf: () => indexedDbShelf() },
    );
    this.linkState = new UrlStateController(this as unknown as ConstructorParameters<typeof UrlStateController>[0], (message) => {
      this.linkProblem = message;
      this.emit('error', { message });
    });
  }

  /** A link parameter that could not be used (shown until the page is reloaded). */
  private linkProblem: string | null = null;

  /** The page's address with this configuration in its hash (url-state only). */
  get shareableLink(): string {
    return location.href;
  }

  private emit(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private startedLoad = false;

  override updated(): void {
    const c = this.controller;
    if (this.autoLoad && !this.startedLoad && c.status === 'idle' && !c.datasetInfo) {
      this.startedLoad = true;
      void c.loadUrl(this.datasetUrl ? new URL(this.datasetUrl, document.baseURI).href : this.builtinHref(), this.datasetOptions());
    }
  }

  /** The try-it box changed: predict (and saliency), and look inside when that section is open. */
  private tryIt(text: string): void {
    this.tryText = text;
    void this.controller.predict(text);
    if (this.inside) void this.lookInside();
  }

  /** Ask the controller what every gate did for the sentence typed; a newer request supersedes this one. */
  private async lookInside(): Promise<void> {
    const seq = ++this.insideSeq;
    const text = this.tryText;
    const d = text.trim() ? await this.controller.inspect(text) : null;
    if (seq !== this.insideSeq) return;
    if (d && (this.insideData === null || this.insideData.layers.length !== d.layers.length)) this.insideState = { layer: defaultInsideLayer(d), showAll: this.insideState.showAll, unit: null };
    else if (d && this.insideState.unit !== null && this.insideState.unit >= (d.layers[this.insideState.layer]?.units ?? 0)) this.insideState = { ...this.insideState, unit: null };
    this.insideData = d;
  }

  private renderInsideSection() {
    const c = this.controller;
    // The inspection shown belongs to the model that answered the prediction (a new model clears both).
    const d = c.prediction ? this.insideData : null;
    return html`<details
      part="inside"
      class="inside"
      data-testid="inside"
      .open=${this.inside}
      @toggle=${(e: Event) => {
        const open = (e.target as HTMLDetailsElement).open;
        if (open === this.inside) return;
        this.inside = open;
        if (open) void this.lookInside();
      }}
    >
      <summary>Inside the model</summary>
      ${d
        ? renderInside(d, this.insideState.layer >= 0 ? this.insideState : { ...this.insideState, layer: defaultInsideLayer(d) }, {
            set: (patch) => (this.insideState = { ...this.insideState, ...patch }),
          })
        : html`<p class="hint">Type a sentence above: what each gate of the recurrent layer did at each word shows here.</p>`}
    </details>`;
  }

  private builtinHref(): string {
    return this.builtinUrl ? new URL(this.builtinUrl, document.baseURI).href : builtinDatasetUrl().href;
  }

  private datasetOptions() {
    return {
      textColumn: this.textColumn || undefined,
      labelColumn: this.labelColumn || undefined,
      dropLabels: this.dropLabels
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      labelCase: this.labelCase,
    };
  }

  private settings() {
    return {
      epochs: this.epochs,
      batchSize: this.batchSize,
      bucketing: this.bucketing,
      patience: this.earlyStopping,
      config: {
        cell: this.cell,
        units: this.units,
        embedDim: this.embedDim,
        vocabSize: this.vocabSize,
        learningRate: this.learningRate,
        seed: this.seed,
        maxLen: this.maxLen > 0 ? this.maxLen : null,
        cleaning: { ...DEFAULT_CLEANING, keep: this.cleaning },
      },
    };
  }

  private async onFile(file: File | undefined): Promise<void> {
    if (!file) return;
    // The File itself: a CSV is read piece by piece (in the Worker), never held whole.
    const ok = await this.controller.loadBytes(file, file.name, {
      dropLabels: this.datasetOptions().dropLabels,
    });
    if (ok) {
      this.datasetUrl = ''; // a file from the user's disk has no URL: a shared link cannot carry it
      this.textColumn = this.controller.datasetInfo!.textColumn;
      this.labelColumn = this.controller.datasetInfo!.labelColumn;
    }
  }

  private setColumn(which: 'text' | 'label', value: string): void {
    if (which === 'text') this.textColumn = value;
    else this.labelColumn = value;
    const d = this.controller.datasetInfo!;
    void this.controller.reconfigure({
      ...this.datasetOptions(),
      textColumn: which === 'text' ? value : d.textColumn,
      labelColumn: which === 'label' ? value : d.labelColumn,
    });
  }

  private setLabelCase(fold: boolean): void {
    this.labelCase = fold ? 'fold' : 'keep';
    this.dropLabels = '';
    const d = this.controller.datasetInfo!;
    void this.controller.reconfigure({ ...this.datasetOptions(), textColumn: d.textColumn, labelColumn: d.labelColumn });
  }

  private async toggleLabel(label: string, keep: boolean): Promise<void> {
    const drop = new Set(this.datasetOptions().dropLabels);
    if (keep) drop.delete(label);
    else drop.add(label);
    const previous = this.dropLabels;
    this.dropLabels = [...drop].join(',');
    const d = this.controller.datasetInfo!;
    if (!(await this.controller.reconfigure({ ...this.datasetOptions(), textColumn: d.textColumn, labelColumn: d.labelColumn }))) this.dropLabels = previous;
  }

  private numberInput(label: string, prop: 'epochs' | 'batchSize' | 'units' | 'embedDim' | 'vocabSize' | 'maxLen' | 'learningRate' | 'seed' | 'earlyStopping', step = '1') {
    return html`<label
      >${label}
      <input
        type="number"
        step=${step}
        min="0"
        .value=${String(this[prop])}
        ?disabled=${this.controller.status === 'training'}
        @change=${(e: Event) => {
          const v = Number((e.target as HTMLInputElement).value);
          if (Number.isFinite(v)) this[prop] = v;
        }}
    /></label>`;
  }

  private renderDataset() {
    const c = this.controller;
    const d = c.datasetInfo;
    const labelsAll = d?.allLabels ?? [];
    const dropped = new Set(this.datasetOptions().dropLabels);
    return html`<section part="panel dataset" class="panel">
      <h2>1. Data</h2>
      ${fileDrop({
        label: 'Choose a .zip or .csv',
        accept: '.zip,.csv,.tsv,text/csv,application/zip',
        hint: "or drop one here (the notebook's Sentiment.zip works as is), or",
        onFile: (f) => void this.onFile(f),
        extra: html`<form
            @submit=${(e: Event) => {
              e.preventDefault();
              const url = (this.renderRoot.querySelector('input[name=url]') as HTMLInputElement).value.trim();
              if (url) {
                this.datasetUrl = url;
                void c.loadUrl(url, { dropLabels: this.datasetOptions().dropLabels });
              }
            }}
          >
            <input name="url" type="url" placeholder="https://…/data.zip" aria-label="dataset URL" />
            <button type="submit" ?disabled=${c.busy || c.status === 'training'}>Load URL</button>
          </form>
          <button ?disabled=${c.busy || c.status === 'training'} @click=${() => void c.loadUrl(this.builtinHref(), { dropLabels: this.datasetOptions().dropLabels })}>
            Built-in sentences
          </button>`,
      })}
      ${d
        ? html`<p class="summary" data-testid="dataset-summary">
              <strong>${c.datasetSource}</strong> → ${d.fileName}: ${d.totalRows} rows, ${d.columns.length} columns; using
              <strong>${d.rows}</strong> rows${d.droppedByLabel ? html`, ${d.droppedByLabel} dropped by label` : nothing}${d.skippedEmptyText
                ? html`, ${d.skippedEmptyText} with empty text skipped`
                : nothing}${d.replacementChars ? html`, ${d.replacementChars} invalid UTF-8 sequences replaced` : nothing}${d.likelyEncoding
                ? html` (the file looks like ${d.likelyEncoding}: re-save it as UTF-8)`
                : nothing}${d.malformedRows ? html`, ${d.malformedRows} malformed rows kept` : nothing}.
            </p>
            <div class="columns">
              <label
                >Text column
                <select @change=${(e: Event) => this.setColumn('text', (e.target as HTMLSelectElement).value)} ?disabled=${c.status === 'training'}>
                  ${d.columns.map((col) => html`<option .selected=${col === d.textColumn} value=${col}>${col}</option>`)}
                </select></label
              >
              <label
                >Label column
                <select @change=${(e: Event) => this.setColumn('label', (e.target as HTMLSelectElement).value)} ?disabled=${c.status === 'training'}>
                  ${d.columns.map((col) => html`<option .selected=${col === d.labelColumn} value=${col}>${col}</option>`)}
                </select></label
              >
              ${d.columnReasons.label || d.columnReasons.text
                ? html`<p class="why" data-testid="column-why">
                    ${d.columnReasons.text ? html`Text “${d.textColumn}”: ${d.columnReasons.text}. ` : nothing}
                    ${d.columnReasons.label ? html`Label “${d.labelColumn}”: ${d.columnReasons.label}.` : nothing}
                    ${d.columnReasons.labelRunnerUp ? html` Runner-up: “${d.columnReasons.labelRunnerUp.column}”.` : nothing}
                  </p>`
                : nothing}
              ${d.caseVariants.length > 0 || this.labelCase === 'fold'
                ? html`<label class="check case" data-testid="label-case"
                    ><input
                      type="checkbox"
                      .checked=${this.labelCase === 'fold'}
                      ?disabled=${c.status === 'training'}
                      @change=${(e: Event) => this.setLabelCase((e.target as HTMLInputElement).checked)}
                    />Merge labels that differ only in case${d.caseVariants.length
                      ? html` (${d.caseVariants.map((g) => g.join(' / ')).join('; ')} are separate classes now)`
                      : nothing}</label
                  >`
                : nothing}
              <fieldset>
                <legend>Labels to use</legend>
                ${labelsAll.map(
                  (l) => html`<label class="check"
                    ><input
                      type="checkbox"
                      .checked=${!dropped.has(l)}
                      ?disabled=${c.status === 'training'}
                      @change=${(e: Event) => void this.toggleLabel(l, (e.target as HTMLInputElement).checked)}
                    />${l}</label
                  >`,
                )}
              </fieldset>
            </div>
            ${bars(d.classCounts)}
            <div class="preview-wrap">
              <table part="preview" class="preview">
                <thead>
                  <tr>
                    ${d.columns.map((col) => html`<th>${col}</th>`)}
                  </tr>
                </thead>
                <tbody>
                  ${d.preview.slice(0, 5).map(
                    (row) => html`<tr>
                      ${d.columns.map((col) => html`<td>${row[col]}</td>`)}
                    </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
        : html`<p>${c.busy ? 'Loading…' : 'No dataset loaded yet.'}</p>`}
    </section>`;
  }

  private renderTraining() {
    const c = this.controller;
    const p = c.progress;
    const training = c.status === 'training';
    const epochsX = c.epochs.map((e) => e.epoch);
    return html`<section part="panel settings" class="panel">
      <h2>2. Train</h2>
      <div class="settings">
        ${this.numberInput('Epochs', 'epochs')} ${this.numberInput('Batch size', 'batchSize')} ${cellSelect(this.cell, training, (cell) => (this.cell = cell))} ${this.numberInput(`${cellTitle(this.cell)} units`, 'units')}
        ${this.numberInput('Embedding size', 'embedDim')} ${this.numberInput('Vocabulary', 'vocabSize')} ${this.numberInput('Max length (0 = longest)', 'maxLen')}
        ${this.numberInput('Learning rate', 'learningRate', '0.0001')} ${this.numberInput('Seed', 'seed')}
        ${this.numberInput('Early stopping patience (0 = off)', 'earlyStopping')}
        <label
          >Text cleaning
          <select data-testid="cleaning" ?disabled=${training} @change=${(e: Event) => (this.cleaning = (e.target as HTMLSelectElement).value as 'unicode' | 'ascii' | 'all')}>
            <option value="unicode" .selected=${this.cleaning === 'unicode'}>letters of every script</option>
            <option value="ascii" .selected=${this.cleaning === 'ascii'}>a–z, 0–9 (the notebook's)</option>
            <option value="all" .selected=${this.cleaning === 'all'}>none</option>
          </select></label
        >
        <label class="check"
          ><input type="checkbox" .checked=${this.bucketing} ?disabled=${training} @change=${(e: Event) => (this.bucketing = (e.target as HTMLInputElement).checked)} />Length
          bucketing</label
        >
      </div>
      <div class="actions">
        <button class="primary" data-testid="train" ?disabled=${!c.datasetInfo || training || c.status === 'starting' || c.status === 'no-webgpu'} @click=${() => void c.train(this.settings())}>
          Train
        </button>
        <button data-testid="stop" ?disabled=${!training} @click=${() => c.stop()}>Stop</button>
        ${this.urlState
          ? html`<button data-testid="copy-link" title="the page's address holds these settings" @click=${() => void navigator.clipboard?.writeText(this.shareableLink)}>
              Copy link
            </button>`
          : nothing}
        <button data-testid="resume" ?disabled=${!(c.status === 'stopped' || c.status === 'device-lost')} @click=${() => void c.resume()}>
          Resume${c.status === 'device-lost' ? ' on a new device' : ''}
        </button>
      </div>
      ${p ? progressBar(p, { accuracy: true }) : nothing}
      <div class="charts">
        ${lossCurve({ batchLosses: c.batchLosses, epochs: c.epochs, progress: p })}
        ${lineChart('Accuracy', [
          { name: 'train', values: c.epochs.map((e) => e.accuracy), color: '#2563eb', xs: epochsX },
          { name: 'validation', values: c.epochs.map((e) => e.valAccuracy), color: '#dc2626', xs: epochsX },
        ], { yMin: 0, yMax: 1, xLabel: 'epoch' })}
      </div>
      <p class="gpu" data-testid="gpu">GPU: ${c.gpuDescription || '…'} · GPU memory held: ${(c.gpuBytes / 2 ** 20).toFixed(1)} MiB · ${this.trainer.thread}</p>
      ${this.renderSaved()}
    </section>`;
  }

  /** Models kept in this browser (saved after every epoch): use, resume, download, delete. */
  private renderSaved() {
    const c = this.controller;
    const training = c.status === 'training';
    const when = (iso: string) => new Date(iso).toLocaleString();
    const acc = (m: (typeof c.saved)[number]) =>
      m.testAccuracy !== null ? `test accuracy ${m.testAccuracy.toFixed(3)}` : m.valAccuracy !== null && m.valAccuracy !== undefined ? `validation accuracy ${m.valAccuracy.toFixed(3)}` : '';
    return html`<div part="saved" class="saved" data-testid="saved">
      <h3>Saved in this browser</h3>
      ${c.storageError ? html`<p class="error" data-testid="storage-error">${c.storageError}</p>` : nothing}
      ${c.saved.length === 0
        ? html`<p class="hint">Each epoch of training is saved here, so a reload loses nothing.</p>`
        : html`<ul>
            ${c.saved.map(
              (m) => html`<li data-testid="saved-model" data-id=${m.id}>
                <span
                  >${m.name} · epoch ${m.epoch}/${m.epochs}${m.finished ? '' : ' (stopped)'} · ${acc(m)} · saved ${when(m.savedAt)}</span
                >
                <button data-testid="saved-use" ?disabled=${training} @click=${() => void c.useSaved(m.id)}>Use</button>
                <button
                  data-testid="saved-resume"
                  title=${m.finished ? 'train on to the Epochs set above' : `train on to epoch ${m.epochs}`}
                  ?disabled=${training}
                  @click=${() => void c.resumeSaved(m.id, this.epochs)}
                >
                  Resume training
                </button>
                <button
                  data-testid="saved-download"
                  @click=${async () => {
                    const bytes = await c.savedBytes(m.id);
                    if (bytes) download('lstm-model.zip', bytes, 'application/zip');
                  }}
                >
                  Download
                </button>
                <button data-testid="saved-delete" ?disabled=${training} @click=${() => void c.deleteSaved(m.id)}>Delete</button>
              </li>`,
            )}
          </ul>`}
    </div>`;
  }

  private renderResults() {
    const c = this.controller;
    const ev = c.evaluation;
    if (!ev) return nothing;
    const labels = ev.report.classes.map((k) => k.label);
    return html`<section part="panel report" class="panel" data-testid="results">
      <h2>3. Results on the held-out test split</h2>
      <p data-testid="accuracy">Test accuracy <strong>${ev.accuracy.toFixed(4)}</strong>, macro-F1 ${ev.report.macroAvg.f1.toFixed(4)}, loss ${ev.loss.toFixed(4)}</p>
      ${c.keptEpoch !== null
        ? html`<p data-testid="kept-epoch">The weights of epoch ${c.keptEpoch} (the lowest validation loss) were kept; the test split was evaluated once, now.</p>`
        : nothing}
      <div class="results">
        ${heatmap(labels, ev.report.confusion)}
        <table class="report" part="report">
          <thead>
            <tr>
              <th></th>
              <th>precision</th>
              <th>recall</th>
              <th>f1-score</th>
              <th>support</th>
            </tr>
          </thead>
          <tbody>
            ${[
              ...ev.report.classes.map((k) => [k.label, k] as const),
              ['macro avg', ev.report.macroAvg] as const,
              ['weighted avg', ev.report.weightedAvg] as const,
            ].map(
              ([name, k], i) => html`${i === ev.report.classes.length
                  ? html`<tr>
                      <th>accuracy</th>
                      <td></td>
                      <td></td>
                      <td>${ev.accuracy.toFixed(2)}</td>
                      <td>${ev.report.total}</td>
                    </tr>`
                  : nothing}<tr>
                  <th>${name}</th>
                  <td>${k.precision.toFixed(2)}</td>
                  <td>${k.recall.toFixed(2)}</td>
                  <td>${k.f1.toFixed(2)}</td>
                  <td>${k.support}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <details>
        <summary>As printed by scikit-learn</summary>
        <pre>${formatReport(ev.report)}</pre>
      </details>
      <h3>Most confidently misclassified</h3>
      <ol part="misclassified" class="misclassified">
        ${c.misclassified.map((m) => html`<li><q>${m.text}</q> — true <strong>${m.label}</strong>, predicted ${m.predicted} (${(100 * m.confidence).toFixed(0)}%)</li>`)}
      </ol>
    </section>`;
  }

  private renderTry() {
    const c = this.controller;
    const labels = c.modelLabels;
    if (!labels) return nothing;
    const pr = c.prediction;
    const maxAbs = Math.max(1e-9, ...(pr?.tokens.map((t) => Math.abs(t.score)) ?? [0]));
    return html`<section part="panel try" class="panel">
      <h2>4. Try it</h2>
      <input
        class="try"
        data-testid="try"
        type="text"
        placeholder="Type a sentence…"
        .value=${this.tryText}
        @input=${(e: Event) => this.tryIt((e.target as HTMLInputElement).value)}
      />
      ${pr
        ? html`<div class="probs" data-testid="probabilities">
              ${labels.map(
                (l, i) => html`<div class="bar-row">
                  <span class="bar-label">${l}</span><span class="bar" style="width:${(100 * pr.probabilities[i]!).toFixed(1)}%"></span
                  ><span class="bar-value">${(100 * pr.probabilities[i]!).toFixed(1)}%</span>
                </div>`,
              )}
            </div>
            <p part="saliency" class="saliency" data-testid="saliency" title="gradient × input of the predicted class, per word">
              ${pr.tokens.map((t) => {
                const a = t.score / maxAbs;
                const bg = t.id === null ? 'transparent' : a >= 0 ? `rgba(22, 163, 74, ${Math.abs(a).toFixed(2)})` : `rgba(220, 38, 38, ${Math.abs(a).toFixed(2)})`;
                return html`<span class=${t.id === null ? 'oov' : ''} style="background:${bg}" title=${t.id === null ? 'not in the vocabulary' : t.score.toExponential(2)}>${t.word}</span> `;
              })}
            </p>`
        : nothing}
      ${this.renderInsideSection()}
      <div class="actions">
        <button
          data-testid="download"
          @click=${async () => {
            const bytes = await c.saveModel();
            if (bytes) download('lstm-model.zip', bytes, 'application/zip');
          }}
        >
          Download model
        </button>
        <button
          @click=${async () => {
            const r = await c.exportTfjs();
            if (r) {
              download('model.json', r.modelJson, 'application/json');
              download('weights.bin', r.weightsBin, 'application/octet-stream');
            }
          }}
        >
          Export to TF.js
        </button>
        <button
          data-testid="export-keras"
          title="a Keras 3 .keras file: keras.saving.load_model('lstm-model.keras') in Python"
          @click=${async () => {
            const bytes = await c.exportKeras();
            if (bytes) download('lstm-model.keras', bytes, 'application/octet-stream');
          }}
        >
          Export to Keras 3
        </button>
        <button
          data-testid="export-projector"
          title="vectors.tsv and metadata.tsv for projector.tensorflow.org"
          @click=${async () => {
            const r = await c.exportEmbeddingProjector();
            if (r) {
              download('vectors.tsv', r.vectorsTsv, 'text/tab-separated-values');
              download('metadata.tsv', r.metadataTsv, 'text/tab-separated-values');
            }
          }}
        >
          Embedding for the Projector
        </button>
        ${this.renderLoadModel()}
      </div>
    </section>`;
  }

  /**
   * A model file of this page (.zip), or a text classifier from Keras (.keras, .h5) or TF.js (model.json
   * with its .bin shards), chosen together with the Keras tokenizer JSON it was trained with.
   */
  private renderLoadModel() {
    return fileButton({
      label: 'Load a model',
      accept: '.zip,.keras,.h5,.json,.bin',
      testid: 'load-model',
      title: "a model downloaded here (.zip), or a Keras text classifier (.keras, .h5) or TF.js model (model.json and its .bin files): choose it together with its tokenizer JSON (Keras's tokenizer.to_json())",
      onFiles: async (files) => {
        const chosen = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
        await this.controller.loadModelFiles(chosen);
      },
    });
  }

  /** A zip with several CSVs: pick one and read it. */
  private renderCsvChoice(choices: string[]) {
    const c = this.controller;
    return html`<form
      class="csv-choice"
      @submit=${(ev: Event) => {
        ev.preventDefault();
        const csvName = (this.renderRoot.querySelector('select[name=csv]') as HTMLSelectElement).value;
        void c.chooseCsv(csvName);
      }}
    >
      <select name="csv" data-testid="csv-choice" aria-label="CSV file in the zip">
        ${choices.map((n) => html`<option value=${n}>${n}</option>`)}
      </select>
      <button type="submit">Read this CSV</button>
    </form>`;
  }

  override render() {
    const c = this.controller;
    return html`
      ${c.status === 'no-webgpu'
        ? html`<div class="error" role="alert" data-testid="no-webgpu">
            <strong>WebGPU is not available here.</strong> ${c.error}
            <p>This page trains on your GPU through WebGPU: use a current Chrome or Edge (113+), Safari 18+, or Firefox 141+; on Linux enable chrome://flags/#enable-unsafe-webgpu.</p>
          </div>`
        : nothing}
      ${c.error && c.status !== 'no-webgpu'
        ? html`<div class="error" role="alert" data-testid="error">
            ${c.error}
            <button class="dismiss" aria-label="dismiss" @click=${() => c.dismissError()}>×</button>
            ${c.csvChoices ? this.renderCsvChoice(c.csvChoices) : nothing}
          </div>`
        : nothing}
      ${this.linkProblem ? html`<p class="error" role="alert" data-testid="link-problem">${this.linkProblem}</p>` : nothing}
      ${c.status === 'starting' ? html`<p>Starting the GPU…</p>` : nothing} ${this.renderDataset()} ${this.renderTraining()} ${this.renderResults()} ${this.renderTry()}
      ${!c.modelLabels && c.status !== 'no-webgpu' ? html`<p class="load-only">Have a trained model? ${this.renderLoadModel()} <span class="hint">a .zip from this page, or a Keras .keras/.h5 or TF.js model.json with its .bin files, chosen together with its tokenizer.json</span></p>` : nothing}
    `;
  }

  static override styles = [
    fileDropStyles,
    css`
    :host {
      --lstm-accent: #2563eb;
      --lstm-bg: #ffffff;
      --lstm-fg: #111827;
      --lstm-border: #d1d5db;
      display: block;
      font: 14px/1.45 system-ui, sans-serif;
      color: var(--lstm-fg);
      background: var(--lstm-bg);
    }
    .panel { border: 1px solid var(--lstm-border); border-radius: 8px; padding: 12px 16px; margin: 12px 0; }
    h2 { font-size: 16px; margin: 0 0 8px; }
    h3 { font-size: 14px; }
    button, .button { font: inherit; padding: 4px 10px; border: 1px solid var(--lstm-border); border-radius: 6px; background: #f9fafb; cursor: pointer; display: inline-block; }
    button.primary { background: var(--lstm-accent); color: white; border-color: var(--lstm-accent); }
    button:disabled { opacity: 0.5; cursor: default; }
    .columns, .settings { display: flex; flex-wrap: wrap; gap: 12px; align-items: end; margin: 8px 0; }
    .settings input { width: 7em; }
    label { display: inline-flex; flex-direction: column; gap: 2px; }
    label.check { flex-direction: row; align-items: center; gap: 4px; }
    fieldset { border: 1px solid var(--lstm-border); border-radius: 6px; display: flex; gap: 8px; }
    .bars, .probs { max-width: 520px; }
    .bar-row { display: grid; grid-template-columns: 9em 1fr 5em; gap: 8px; align-items: center; margin: 2px 0; }
    .bar { display: block; height: 12px; background: var(--lstm-accent); border-radius: 3px; min-width: 1px; }
    .bar-label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .preview-wrap { overflow-x: auto; max-height: 220px; }
    table { border-collapse: collapse; }
    .preview td, .preview th { border: 1px solid var(--lstm-border); padding: 2px 6px; max-width: 28em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-size: 12px; }
    .actions { display: flex; gap: 8px; margin: 8px 0; flex-wrap: wrap; }
    .progress { display: flex; gap: 8px; align-items: center; }
    .progress progress { width: 240px; }
    .charts { display: flex; gap: 16px; flex-wrap: wrap; }
    .chart { margin: 0; width: 340px; }
    .chart svg { width: 100%; height: auto; }
    .legend { display: flex; gap: 10px; font-size: 12px; flex-wrap: wrap; }
    .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
    .results { display: flex; gap: 24px; flex-wrap: wrap; align-items: start; }
    .heatmap td, .heatmap th, .report td, .report th { border: 1px solid var(--lstm-border); padding: 4px 10px; text-align: right; }
    .error { border: 1px solid #dc2626; background: #fef2f2; color: #7f1d1d; padding: 8px 12px; border-radius: 6px; margin: 8px 0; position: relative; }
    .dismiss { position: absolute; right: 6px; top: 4px; border: none; background: none; }
    input.try { width: min(40em, 100%); font-size: 16px; padding: 6px; }
    .saliency span { padding: 1px 2px; border-radius: 3px; }
    .saliency .oov { text-decoration: line-through; opacity: 0.6; }
    details.inside { margin: 8px 0; }
    details.inside > summary { cursor: pointer; font-weight: 600; }
    .inside-lead { font-size: 13px; max-width: 90ch; }
    .inside-lead .hint, .inside .hint { opacity: 0.75; }
    label.inline { display: inline-flex; flex-direction: row; gap: 4px; align-items: center; margin-right: 8px; }
    .inside-maps { display: flex; flex-wrap: wrap; gap: 16px; align-items: start; }
    .inside-map { margin: 0; max-width: 100%; }
    .inside-map figcaption { font-size: 13px; }
    .inside-map .scale { font-size: 11px; opacity: 0.7; }
    .inside-map .caption { font-size: 12px; max-width: 46ch; margin: 4px 0; }
    .inside-scroll { overflow-x: auto; max-width: 100%; }
    table.units-words { border-collapse: collapse; }
    table.units-words td { width: 16px; min-width: 16px; height: 14px; padding: 0; border: 1px solid #f3f4f6; }
    table.units-words th { font-weight: normal; font-size: 11px; padding: 0 4px 0 0; text-align: right; }
    table.units-words th.word { vertical-align: bottom; padding: 0; height: 72px; }
    table.units-words th.word span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; max-height: 70px; overflow: hidden; display: inline-block; }
    table.units-words button.unit { font-size: 11px; padding: 0 4px; border-radius: 3px; min-width: 3em; }
    table.units-words tr.selected th button.unit { background: var(--lstm-accent); color: white; }
    .unit-chart .words-axis { font-size: 11px; max-width: 480px; }
    .gpu { font-size: 12px; opacity: 0.75; }
    .saved h3 { font-size: 14px; margin: 12px 0 4px; }
    .saved ul { list-style: none; padding: 0; margin: 0; }
    .saved li { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; padding: 4px 0; border-top: 1px solid var(--lstm-border); font-size: 13px; }
    .saved li span { flex: 1 1 100%; }
    .saved .hint { font-size: 12px; opacity: 0.75; margin: 0; }
  `,
  ];
}
