/**
 * The work behind <lstm-forecaster>, in its Worker (or on the main thread as a fallback): read the series,
 * train and test the forecaster on the controller's own engine, keep the model for a download. The page
 * gets the state as plain data (ForecasterView) — the results as the numbers the table and chart show —
 * and drives it through ForecasterActions (RemoteForecaster forwards them to a Worker).
 */
import type { Engine } from '../engine/engine';
import type { BatchEndInfo } from '../layers/fit-loop';
import type { CellName } from '../layers/specs';
import type { Sequential } from '../layers/sequential';
import { readTable, type Table } from '../data/table';
import { numericColumns, numericSeries, type NumericSeries } from '../forecast/series';
import { createForecaster, trainForecaster, type ForecastSettings } from '../forecast/train';
import { unscale, type Errors } from '../forecast/windows';
import { EngineController, fileNameOf } from './engine-controller';
import type { ControllerHost } from './trainer-serve';

export type ForecasterStatus = 'starting' | 'no-webgpu' | 'idle' | 'loading' | 'ready' | 'training' | 'done';

/** One epoch of the loss curves. */
export interface LossPoint {
  epoch: number;
  loss: number;
  valLoss: number | null;
}

/** The test results as the element shows them, in the series' units. */
export interface ForecastView {
  cell: CellName;
  column: string;
  window: number;
  errors: { model: Errors; persistence: Errors; windowMean: Errors };
  /** How many test windows (the last part of the series, never seen in training). */
  testWindows: number;
  /** Step 1 of every test window: the actual value, persistence's and the model's forecasts. */
  actual: number[];
  persistence: number[];
  predicted: number[];
  epochsTrained: number;
  stopped: boolean;
}

/** Everything the element renders. */
export interface ForecasterView {
  status: ForecasterStatus;
  gpuDescription: string;
  error: string | null;
  /** What the loaded series is ("file: rows; column: values"). */
  summary: string;
  /** The numeric columns of the loaded table, and the one used. */
  columns: string[];
  column: string;
  progress: BatchEndInfo | null;
  /** Running training loss per batch, for the live curve. */
  batchLosses: number[];
  epochs: LossPoint[];
  result: ForecastView | null;
  /** A trained model is there to download. */
  hasModel: boolean;
  gpuBytes: number;
}

export interface ForecasterActions {
  /** A CSV (or a zip holding one) from an absolute URL; the column: `column` when numeric, else the first numeric one. */
  loadUrl(url: string, column?: string): Promise<boolean>;
  loadBytes(source: Uint8Array | Blob, name: string, column?: string): Promise<boolean>;
  pickColumn(column: string): Promise<boolean>;
  /** Train and test; settles when done or stopped. */
  train(settings: ForecastSettings): Promise<void>;
  stop(): void;
  dismissError(): void;
  /** The trained model's file (loadModel reads it); null without one. */
  saveModel(): Promise<Uint8Array | null>;
}

export type Forecaster = ForecasterView & ForecasterActions;

/** What the element turns into DOM events (the details are the events' `detail`). */
export interface ForecasterEvents {
  seriesLoaded(d: { rows: number; columns: string[]; column: string; values: number; skipped: number }): void;
  epochEnd(d: { epoch: number; loss: number; valLoss: number | null }): void;
  forecastEnd(d: { rmse: number; mae: number; persistence: Errors; windowMean: Errors }): void;
  error(message: string): void;
}

export const FORECASTER_EVENTS = ['seriesLoaded', 'epochEnd', 'forecastEnd', 'error'] as const satisfies ReadonlyArray<keyof ForecasterEvents>;

/** The controller's state as plain data (what a Worker sends to the page). */
export function forecasterView(c: ForecasterView): ForecasterView {
  return {
    status: c.status,
    gpuDescription: c.gpuDescription,
    error: c.error,
    summary: c.summary,
    columns: c.columns,
    column: c.column,
    progress: c.progress,
    batchLosses: c.batchLosses,
    epochs: c.epochs,
    result: c.result,
    hasModel: c.hasModel,
    gpuBytes: c.gpuBytes,
  };
}

export class ForecasterController extends EngineController<ForecasterStatus> implements Forecaster {
  summary = '';
  columns: string[] = [];
  column = '';
  progress: BatchEndInfo | null = null;
  batchLosses: number[] = [];
  epochs: LossPoint[] = [];
  result: ForecastView | null = null;
  private table: Table | null = null;
  private series: NumericSeries | null = null;
  private model: Sequential | null = null;

  constructor(
    host: ControllerHost,
    private readonly events: ForecasterEvents,
    engineFactory?: () => Promise<Engine>,
  ) {
    super(host, (m) => events.error(m), engineFactory);
  }

  get hasModel(): boolean {
    return this.model !== null && this.status === 'done';
  }

  protected disposeModel(): void {
    this.model?.dispose();
    this.model = null;
  }

  async loadUrl(url: string, column?: string): Promise<boolean> {
    let bytes: Uint8Array;
    try {
      bytes = await this.fetchBytes(url);
    } catch (e) {
      this.fail(e);
      return false;
    }
    return this.loadBytes(bytes, fileNameOf(url), column);
  }

  /** Read a table; the series changes only if it has a numeric column. */
  async loadBytes(source: Uint8Array | Blob, name: string, column?: string): Promise<boolean> {
    if (this.status === 'training') {
      this.fail(new Error('stop training before loading another series'));
      return false;
    }
    const before = this.status;
    this.status = 'loading';
    this.error = null;
    this.update();
    try {
      const table = await readTable(source, name);
      const columns = numericColumns(table);
      if (columns.length === 0) throw new Error(`${table.fileName} has no numeric column (columns: ${table.columns.join(', ')})`);
      this.table = table;
      this.columns = columns;
      this.use(column && columns.includes(column) ? column : columns[0]!);
      return true;
    } catch (e) {
      this.status = before === 'loading' || before === 'starting' ? 'idle' : before;
      this.fail(e);
      return false;
    }
  }

  async pickColumn(column: string): Promise<boolean> {
    if (!this.table || this.status === 'training') return false;
    try {
      if (!this.columns.includes(column)) throw new Error(`"${column}" is not a numeric column of ${this.table.fileName} (numeric: ${this.columns.join(', ')})`);
      this.use(column);
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    }
  }

  private use(column: string): void {
    const table = this.table!;
    const s = numericSeries(table, column);
    this.series = s;
    this.column = column;
    this.result = null;
    this.progress = null;
    this.batchLosses = [];
    this.epochs = [];
    this.disposeModel();
    this.status = 'ready';
    this.summary = `${table.fileName}: ${table.rows} rows; "${column}": ${s.values.length} values${s.skippedRows.length ? `, ${s.skippedRows.length} cells that are not numbers skipped` : ''}`;
    this.events.seriesLoaded({ rows: table.rows, columns: this.columns, column, values: s.values.length, skipped: s.skippedRows.length });
    this.update();
  }

  async train(s: ForecastSettings): Promise<void> {
    const series = this.series;
    if (!series || this.status === 'training' || this.status === 'loading') return;
    this.status = 'training';
    this.error = null;
    this.result = null;
    this.progress = null;
    this.batchLosses = [];
    this.epochs = [];
    this.abort = new AbortController();
    const signal = this.abort.signal;
    this.update();
    try {
      this.disposeModel();
      const engine = await this.gpu();
      const { model, data } = await createForecaster(series.values, s, series.column, engine);
      this.model = model;
      const r = await trainForecaster(model, data, s, {
        signal,
        onBatchEnd: (b) => {
          this.progress = b;
          this.batchLosses.push(b.loss);
          this.update();
        },
        onEpochEnd: (e) => {
          const point = { epoch: e.epoch, loss: e.loss, valLoss: e.valLoss };
          this.epochs = [...this.epochs, point];
          this.events.epochEnd(point);
          this.update();
        },
      });
      const first = (rows: number[][]) => rows.map((row) => unscale(data.scaler, row[0]!));
      const errors = { model: r.errors.model, persistence: r.errors.persistence, windowMean: r.errors.windowMean };
      this.result = {
        cell: s.cell,
        column: series.column,
        window: s.window,
        errors,
        testWindows: data.test.x.length,
        actual: first(data.test.y),
        persistence: first(r.baselines.persistence),
        predicted: first(r.predicted),
        epochsTrained: r.history.epochs.length,
        stopped: r.history.stopped,
      };
      this.progress = null;
      this.status = 'done';
      this.events.forecastEnd({ rmse: errors.model.rmse, mae: errors.model.mae, persistence: errors.persistence, windowMean: errors.windowMean });
    } catch (e) {
      this.progress = null;
      if (this.status === 'training') this.status = 'ready';
      this.fail(e);
    } finally {
      this.abort = null;
      this.update();
    }
  }

  async saveModel(): Promise<Uint8Array | null> {
    return this.hasModel ? this.model!.save() : null;
  }
}
