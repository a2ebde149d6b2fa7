/**
 * <lstm-forecaster>: forecast a numeric series on the user's GPU with the layers API (lstm → dense), and
 * see it tested honestly: a chronological split, scaling fitted on the training part, and the model's
 * test RMSE/MAE beside persistence and the window mean, with actual vs predicted plotted over the test range.
 *
 * Attributes: series-url (a CSV, or a zip holding one; empty: the built-in series beside this module),
 * column, window, horizon, epochs, units, learning-rate, seed. Events (bubbling, composed):
 *   series-loaded { rows, columns, column, values, skipped }
 *   epoch-end     { epoch, loss, valLoss }
 *   forecast-end  { rmse, mae, persistence: { rmse, mae }, windowMean: { rmse, mae } }
 *   error         { message }
 * CSS parts: panel, settings, progress, chart, results.
 */
import { css, html, nothing, type PropertyDeclarations } from 'lit';
import { builtinSeriesUrl } from '../builtin';
import { readTable, type Table } from '../data/table';
import { numericColumns, numericSeries, type NumericSeries } from '../forecast/series';
import { createForecaster, DEFAULT_FORECAST, trainForecaster, type ForecastResult, type ForecastSettings } from '../forecast/train';
import { unscale } from '../forecast/windows';
import type { Sequential } from '../layers/sequential';
import { lineChart } from './charts';
import { cellSelect, cellTitle, download, emit, FileTrainingElement, panelStyles } from './element-kit';
import type { CellName } from '../layers/specs';

type Status = 'idle' | 'loading' | 'ready' | 'training' | 'done' | 'error';

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4));

export class LstmForecaster extends FileTrainingElement {
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
    status: { state: true },
    message: { state: true },
    progress: { state: true },
    result: { state: true },
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
  declare status: Status;
  declare message: string;
  declare progress: string;
  declare result: ForecastResult | null;
  private table: Table | null = null;
  private series: NumericSeries | null = null;
  private columns: string[] = [];
  private model: Sequential | null = null;
  /** The cell of the model the results are from. */
  private trainedCell: CellName = 'lstm';

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
    this.status = 'idle';
    this.message = '';
    this.progress = '';
    this.result = null;
  }

  protected defaultUrl(): string {
    return this.seriesUrl || builtinSeriesUrl().href;
  }


  /** Load a series from a file's bytes; the column is the `column` attribute, else the first numeric one. */
  override async loadBytes(bytes: Uint8Array, name: string): Promise<void> {
    this.status = 'loading';
    try {
      const table = await readTable(bytes, name);
      const columns = numericColumns(table);
      if (columns.length === 0) throw new Error(`${table.fileName} has no numeric column (columns: ${table.columns.join(', ')})`);
      this.table = table;
      this.columns = columns;
      this.pickColumn(this.column && columns.includes(this.column) ? this.column : columns[0]!);
    } catch (e) {
      this.fail(e);
    }
  }

  private pickColumn(column: string): void {
    if (!this.table) return;
    this.series = numericSeries(this.table, column);
    this.column = column;
    this.result = null;
    this.status = 'ready';
    const s = this.series;
    this.message = `${this.table.fileName}: ${this.table.rows} rows; "${column}": ${s.values.length} values${s.skippedRows.length ? `, ${s.skippedRows.length} cells that are not numbers skipped` : ''}`;
    emit(this, 'series-loaded', { rows: this.table.rows, columns: this.columns, column, values: s.values.length, skipped: s.skippedRows.length });
  }

  private settings(): ForecastSettings {
    return { ...DEFAULT_FORECAST, window: this.window, horizon: this.horizon, epochs: this.epochs, cell: this.cell, units: this.units, learningRate: this.learningRate, seed: this.seed };
  }

  /** Train and test; resolves when done (or stopped). */
  async train(): Promise<void> {
    if (!this.series || this.status === 'training') return;
    this.status = 'training';
    this.result = null;
    this.progress = 'preparing the GPU…';
    this.stop = new AbortController();
    try {
      this.model?.dispose();
      const s = this.settings();
      const { model, data } = await createForecaster(this.series.values, s, this.series.column);
      this.model = model;
      this.trainedCell = s.cell;
      const result = await trainForecaster(model, data, s, {
        signal: this.stop.signal,
        onBatchEnd: (b) => {
          this.progress = `epoch ${b.epoch}/${b.epochs}, batch ${b.batch}/${b.batches}: loss ${b.loss.toExponential(3)}`;
        },
        onEpochEnd: (e) => emit(this, 'epoch-end', { epoch: e.epoch, loss: e.loss, valLoss: e.valLoss }),
      });
      this.result = result;
      this.status = 'done';
      this.progress = `trained ${result.history.epochs.length} epochs${result.history.stopped ? ' (stopped)' : ''}`;
      const { lstm, persistence, windowMean } = result.errors;
      emit(this, 'forecast-end', { rmse: lstm.rmse, mae: lstm.mae, persistence, windowMean });
    } catch (e) {
      this.fail(e);
    } finally {
      this.stop = null;
    }
  }

  private async onFile(e: Event): Promise<void> {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) await this.loadBytes(new Uint8Array(await file.arrayBuffer()), file.name);
  }

  private async download(): Promise<void> {
    if (!this.model) return;
    download('forecast-model.zip', await this.model.save(), 'application/zip');
  }

  private num(name: 'window' | 'horizon' | 'epochs' | 'units', label: string, min: number) {
    return html`<label>${label} <input type="number" min=${min} .value=${String(this[name])} ?disabled=${this.status === 'training'}
      @change=${(e: Event) => { const v = Number((e.target as HTMLInputElement).value); if (Number.isInteger(v) && v >= min) this[name] = v; }} /></label>`;
  }

  private chart() {
    const r = this.result;
    if (!r) return nothing;
    const s = r.data.scaler;
    // Step 1 of every test window: actual, the model, persistence.
    const first = (rows: number[][]) => rows.map((row) => unscale(s, row[0]!));
    return lineChart(
      `"${this.column}" over the test range: actual vs predicted (one step ahead)`,
      [
        { name: 'actual', values: first(r.data.test.y), color: '#9ca3af' },
        { name: 'persistence', values: first(r.baselines.persistence), color: '#f59e0b' },
        { name: cellTitle(this.trainedCell), values: first(r.predicted), color: '#2563eb' },
      ],
      { xLabel: 'test step', width: 760 },
    );
  }

  override render() {
    const r = this.result;
    const training = this.status === 'training';
    return html`<section class="panel" part="panel">
      <div class="row">
        <label>Series (.csv or .zip) <input type="file" accept=".csv,.zip,text/csv,application/zip" ?disabled=${training} @change=${this.onFile} /></label>
        ${this.columns.length > 1
          ? html`<label>Column <select ?disabled=${training} @change=${(e: Event) => this.pickColumn((e.target as HTMLSelectElement).value)}>
              ${this.columns.map((c) => html`<option ?selected=${c === this.column}>${c}</option>`)}</select></label>`
          : nothing}
      </div>
      <p data-testid="series-summary" class=${this.status === 'error' ? 'error' : ''}>${this.status === 'loading' ? 'loading…' : this.message}</p>
      <div class="row" part="settings">
        ${this.num('window', 'Window', 1)} ${this.num('horizon', 'Horizon', 1)} ${this.num('epochs', 'Epochs', 1)} ${cellSelect(this.cell, training, (cell) => (this.cell = cell))} ${this.num('units', `${cellTitle(this.cell)} units`, 1)}
        ${training
          ? html`<button @click=${() => this.stop?.abort()}>Stop</button>`
          : html`<button data-testid="train" ?disabled=${!this.series} @click=${() => void this.train()}>Train</button>`}
        ${this.model && this.status === 'done' ? html`<button @click=${() => void this.download()}>Download model</button>` : nothing}
      </div>
      <p part="progress" data-testid="progress">${this.progress}</p>
      ${r
        ? html`<table part="results" data-testid="results">
            <thead><tr><th></th><th>RMSE</th><th>MAE</th></tr></thead>
            <tbody>
              <tr><th>${cellTitle(this.trainedCell)}</th><td>${fmt(r.errors.model.rmse)}</td><td>${fmt(r.errors.model.mae)}</td></tr>
              <tr><th>persistence (next = last)</th><td>${fmt(r.errors.persistence.rmse)}</td><td>${fmt(r.errors.persistence.mae)}</td></tr>
              <tr><th>window mean (last ${this.window})</th><td>${fmt(r.errors.windowMean.rmse)}</td><td>${fmt(r.errors.windowMean.mae)}</td></tr>
            </tbody>
            <caption>${r.data.test.x.length} test windows (the last third of the series, never seen in training), in the units of "${this.column}"</caption>
          </table>`
        : nothing}
      ${this.chart()}
    </section>`;
  }

  static override styles = [
    panelStyles,
    css`
      table { border-collapse: collapse; margin: 8px 0; }
      th, td { padding: 2px 12px; text-align: right; }
      tbody th { text-align: left; font-weight: normal; }
      caption { caption-side: bottom; color: #6b7280; font-size: 12px; text-align: left; }
    `,
  ];
}
