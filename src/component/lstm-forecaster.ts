/**
 * <lstm-forecaster>: forecast a numeric series on the user's GPU with the layers API (recurrent → dense),
 * and see it tested honestly: a chronological split, scaling fitted on the training part, and the model's
 * test RMSE/MAE beside persistence and the window mean, with actual vs predicted plotted over the test range.
 *
 * A thin Lit element: configuration in reactive properties, the work in ForecasterController, which runs
 * in a dedicated Worker (or on the main thread: `main-thread`, or when a Worker cannot use WebGPU) and is
 * stopped, its model and engine released, when the element leaves the page.
 *
 * Attributes: series-url (a CSV, or a zip holding one; empty: the built-in series beside this module),
 * column, window, horizon, epochs, cell, units, learning-rate, seed, main-thread. Events (bubbling, composed):
 *   series-loaded { rows, columns, column, values, skipped }
 *   epoch-end     { epoch, loss, valLoss }
 *   forecast-end  { rmse, mae, persistence: { rmse, mae }, windowMean: { rmse, mae } }
 *   error         { message }
 * CSS parts: panel, drop, settings, progress, chart, results.
 */
import { css, html, nothing, type PropertyDeclarations } from 'lit';
import { builtinSeriesUrl } from '../builtin';
import { DEFAULT_FORECAST, type ForecastSettings } from '../forecast/train';
import type { CellName } from '../layers/specs';
import { lineChart, lossCurve, progressOrNote } from './charts';
import { alerts, cellSelect, cellTitle, download, emit, FileTrainingElement, gpuLine, panelStyles } from './element-kit';
import { fileDrop } from './file-drop';
import type { Forecaster, ForecasterEvents } from './forecaster-controller';
import { RemoteForecaster } from './forecaster-remote';
import { ControllerThread } from './trainer-thread';

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4));

export class LstmForecaster extends FileTrainingElement<Forecaster> {
  static override properties: PropertyDeclarations = {
    seriesUrl: { type: String, attribute: 'series-url' },
    column: { type: String },
    window: { type: Number },
    horizon: { type: Number },
    epochs: { type: Number },
    units: { type: Number },
    cell: { type: String },
    learningRate: { type: Number, attribute: 'learning-rate' },
    seed: { type: Number },
  };

  declare seriesUrl: string;
  declare column: string;
  declare window: number;
  declare horizon: number;
  declare epochs: number;
  declare units: number;
  /** The recurrent cell: lstm (default), gru or rnn (SimpleRNN). */
  declare cell: CellName;
  declare learningRate: number;
  declare seed: number;
  readonly thread: ControllerThread<Forecaster, ForecasterEvents>;

  constructor() {
    super();
    const d = DEFAULT_FORECAST;
    this.seriesUrl = '';
    this.column = '';
    this.window = d.window;
    this.horizon = d.horizon;
    this.epochs = d.epochs;
    this.units = d.units;
    this.cell = d.cell;
    this.learningRate = d.learningRate;
    this.seed = d.seed as number;
    const events: ForecasterEvents = {
      seriesLoaded: (d) => {
        this.column = d.column;
        emit(this, 'series-loaded', d);
      },
      epochEnd: (d) => emit(this, 'epoch-end', d),
      forecastEnd: (d) => emit(this, 'forecast-end', d),
      error: (message) => emit(this, 'error', { message }),
    };
    this.thread = new ControllerThread<Forecaster, ForecasterEvents>(this, events, {
      kind: 'lstm-forecaster',
      mainThread: () => this.mainThread,
      remote: (port, host, e) => new RemoteForecaster(port, host, e),
      notStarted: (host, e) => RemoteForecaster.notStarted(host, e),
      local: async (host, e) => new (await import('./forecaster-controller')).ForecasterController(host, e),
    });
  }

  protected defaultUrl(): string {
    return this.seriesUrl || builtinSeriesUrl().href;
  }

  protected load(url: string): Promise<boolean> {
    return this.controller.loadUrl(url, this.column || undefined);
  }

  /** Load a series from a file's bytes (or a File); the column is `column` when numeric, else the first numeric one. */
  async loadBytes(bytes: Uint8Array | Blob, name: string): Promise<boolean> {
    await this.thread.ready();
    return this.controller.loadBytes(bytes, name, this.column || undefined);
  }

  private settings(): ForecastSettings {
    return { ...DEFAULT_FORECAST, window: this.window, horizon: this.horizon, epochs: this.epochs, cell: this.cell, units: this.units, learningRate: this.learningRate, seed: this.seed };
  }

  /** Train and test; resolves when done (or stopped). */
  async train(): Promise<void> {
    await this.thread.ready();
    await this.controller.train(this.settings());
  }

  private async download(): Promise<void> {
    const bytes = await this.controller.saveModel();
    if (bytes) download('forecast-model.zip', bytes, 'application/zip');
  }

  private num(name: 'window' | 'horizon' | 'epochs' | 'units', label: string, min: number, disabled: boolean) {
    return html`<label
      >${label}
      <input
        type="number"
        min=${min}
        .value=${String(this[name])}
        ?disabled=${disabled}
        @change=${(e: Event) => {
          const v = Number((e.target as HTMLInputElement).value);
          if (Number.isInteger(v) && v >= min) this[name] = v;
        }}
    /></label>`;
  }

  private renderSeries() {
    const c = this.controller;
    const training = c.status === 'training';
    return html`<section class="panel" part="panel">
      <h2>1. Series</h2>
      ${fileDrop({
        label: 'Choose a .csv or .zip',
        accept: '.csv,.zip,text/csv,application/zip',
        disabled: training || c.status === 'starting',
        onFile: (f) => void this.loadBytes(f, f.name),
      })}
      ${c.columns.length > 1
        ? html`<div class="row">
            <label
              >Column
              <select ?disabled=${training} @change=${(e: Event) => void c.pickColumn((e.target as HTMLSelectElement).value)}>
                ${c.columns.map((col) => html`<option .selected=${col === c.column}>${col}</option>`)}
              </select></label
            >
          </div>`
        : nothing}
      <p class="summary" data-testid="series-summary">${c.status === 'loading' ? 'loading…' : c.summary || (c.status === 'starting' ? 'Starting the GPU…' : '')}</p>
    </section>`;
  }

  private renderTraining() {
    const c = this.controller;
    const training = c.status === 'training';
    const r = c.result;
    return html`<section class="panel" part="panel">
      <h2>2. Train</h2>
      <div class="row" part="settings">
        ${this.num('window', 'Window', 1, training)} ${this.num('horizon', 'Horizon', 1, training)} ${this.num('epochs', 'Epochs', 1, training)}
        ${cellSelect(this.cell, training, (cell) => (this.cell = cell))} ${this.num('units', `${cellTitle(this.cell)} units`, 1, training)}
      </div>
      <div class="actions">
        <button class="primary" data-testid="train" ?disabled=${!c.summary || training || c.status === 'loading'} @click=${() => void this.train()}>Train</button>
        <button data-testid="stop" ?disabled=${!training} @click=${() => c.stop()}>Stop</button>
        ${c.hasModel ? html`<button data-testid="download" @click=${() => void this.download()}>Download model</button>` : nothing}
      </div>
      ${progressOrNote(c.progress, r ? `trained ${r.epochsTrained} epochs${r.stopped ? ' (stopped)' : ''}` : '')}
      ${c.batchLosses.length ? html`<div class="charts">${lossCurve({ batchLosses: c.batchLosses, epochs: c.epochs, progress: c.progress, title: 'Loss (mean squared error, scaled)' })}</div>` : nothing}
      ${gpuLine(c, this.thread.thread)}
    </section>`;
  }

  private renderResults() {
    const r = this.controller.result;
    if (!r) return nothing;
    const model = cellTitle(r.cell);
    return html`<section class="panel" part="panel">
      <h2>3. Results on the held-out test range</h2>
      <table part="results" data-testid="results">
        <thead>
          <tr><th></th><th>RMSE</th><th>MAE</th></tr>
        </thead>
        <tbody>
          <tr><th>${model}</th><td>${fmt(r.errors.model.rmse)}</td><td>${fmt(r.errors.model.mae)}</td></tr>
          <tr><th>persistence (next = last)</th><td>${fmt(r.errors.persistence.rmse)}</td><td>${fmt(r.errors.persistence.mae)}</td></tr>
          <tr><th>window mean (last ${r.window})</th><td>${fmt(r.errors.windowMean.rmse)}</td><td>${fmt(r.errors.windowMean.mae)}</td></tr>
        </tbody>
        <caption>${r.testWindows} test windows (the last third of the series, never seen in training), in the units of "${r.column}"</caption>
      </table>
      <div class="chart-wide" data-testid="forecast-chart">
        ${lineChart(
          `"${r.column}" over the test range: actual vs predicted (one step ahead)`,
          [
            { name: 'actual', values: r.actual, color: '#9ca3af' },
            { name: 'persistence', values: r.persistence, color: '#f59e0b' },
            { name: model, values: r.predicted, color: '#2563eb' },
          ],
          { xLabel: 'test step', width: 760 },
        )}
      </div>
    </section>`;
  }

  override render() {
    return html`${alerts(this.controller)} ${this.renderSeries()} ${this.renderTraining()} ${this.renderResults()}`;
  }

  static override styles = [
    ...panelStyles,
    css`
      table { border-collapse: collapse; margin: 8px 0; }
      th, td { padding: 2px 12px; text-align: right; }
      tbody th { text-align: left; font-weight: normal; }
      caption { caption-side: bottom; color: #6b7280; font-size: 12px; text-align: left; }
      .chart-wide .chart { width: min(760px, 100%); }
    `,
  ];
}
