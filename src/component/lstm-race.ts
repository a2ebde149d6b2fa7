/**
 * <lstm-race>: the long-term-dependency race of the origin notebook's essay, on the user's GPU. A
 * SimpleRNN, a GRU and an LSTM of the same size train side by side (a step of each in turn, the same
 * batches) on sequences whose first token is the clue and whose answer needs it after `gap` distractor
 * tokens; their test accuracy is drawn live beside the chance line. A gap slider; a sweep races each
 * cell at several gaps for a fixed step budget and draws accuracy against the gap (a chart and a table).
 *
 * A thin Lit element: configuration in reactive properties, the work in RaceController, which runs in a
 * dedicated Worker (or on the main thread: `main-thread`, or when a Worker cannot use WebGPU) and is
 * stopped, its models and engine released, when the element leaves the page. Deterministic per `seed`.
 *
 * Attributes: gap, classes, units, steps, eval-every, sweep-steps, sweep-gaps, batch-size,
 * learning-rate, samples, test-samples, seed, main-thread. Methods: race(), sweep(), stop().
 * Events (bubbling, composed):
 *   race-point { cell, step, loss, accuracy, gap }   a test evaluation of one cell
 *   race-end   { gap, chance, accuracy: { rnn, gru, lstm }, stopped }
 *   sweep-end  { steps, chance, rows: [{ gap, accuracy: { rnn, gru, lstm } }], stopped }
 *   error      { message }
 * CSS parts: panel, settings, progress, chart, sweep-table.
 */
import { css, html, LitElement, nothing, type PropertyDeclarations } from 'lit';
import type { CellName } from '../layers/specs';
import { lineChart, type Series } from './charts';
import { cellTitle } from './cell-title';
import { alerts, emit, gpuLine, panelStyles } from './element-kit';
import type { Race, RaceEvents, RaceSettings, SweepSettings } from './race-controller';
import { RemoteRace } from './race-remote';
import { ControllerThread } from './trainer-thread';

/** The cells raced, in the order they step and are drawn: the same size each. */
const RACE_CELLS: CellName[] = ['rnn', 'gru', 'lstm'];
/** The element's defaults (kept here, not imported from the controller: the page loads no engine code). */
const DEFAULT_RACE: Omit<RaceSettings, 'cells'> = { gap: 20, classes: 4, units: 32, steps: 300, batchSize: 32, learningRate: 0.01, evalEvery: 25, samples: 2048, testSamples: 512, seed: 141 };
const SWEEP_GAPS = [5, 10, 20, 50, 100];

/** Each cell's colour in every chart and table. */
const CELL_COLORS: Readonly<Record<CellName, string>> = { rnn: '#f59e0b', gru: '#16a34a', lstm: '#2563eb' };
const CHANCE_COLOR = '#9ca3af';

export class LstmRace extends LitElement {
  static override properties: PropertyDeclarations = {
    gap: { type: Number },
    classes: { type: Number },
    units: { type: Number },
    steps: { type: Number },
    evalEvery: { type: Number, attribute: 'eval-every' },
    sweepSteps: { type: Number, attribute: 'sweep-steps' },
    sweepGaps: { type: String, attribute: 'sweep-gaps' },
    batchSize: { type: Number, attribute: 'batch-size' },
    learningRate: { type: Number, attribute: 'learning-rate' },
    samples: { type: Number },
    testSamples: { type: Number, attribute: 'test-samples' },
    seed: { type: Number },
    mainThread: { type: Boolean, attribute: 'main-thread' },
  };

  /** Distractor tokens between the clue and the answer (the slider: 2 … 100). */
  declare gap: number;
  /** Clue tokens; chance is 1 / classes. */
  declare classes: number;
  /** Units of each cell (the three models have the same size). */
  declare units: number;
  /** Optimizer steps per cell in a race. */
  declare steps: number;
  /** Steps between test evaluations (a point on each curve). */
  declare evalEvery: number;
  /** Steps per cell at each gap of a sweep. */
  declare sweepSteps: number;
  /** The sweep's gaps, comma-separated (default "5,10,20,50,100"). */
  declare sweepGaps: string;
  declare batchSize: number;
  declare learningRate: number;
  /** Training and test sequences generated per gap. */
  declare samples: number;
  declare testSamples: number;
  /** The seed of the data, the weights and the batch order: the same seed races the same way. */
  declare seed: number;
  /** Run the controller on the page's main thread instead of in a dedicated Worker (read when the element connects). */
  declare mainThread: boolean;
  readonly thread: ControllerThread<Race, RaceEvents>;

  constructor() {
    super();
    const d = DEFAULT_RACE;
    this.gap = d.gap;
    this.classes = d.classes;
    this.units = d.units;
    this.steps = d.steps;
    this.evalEvery = d.evalEvery;
    this.sweepSteps = 200;
    this.sweepGaps = SWEEP_GAPS.join(',');
    this.batchSize = d.batchSize;
    this.learningRate = d.learningRate;
    this.samples = d.samples;
    this.testSamples = d.testSamples;
    this.seed = d.seed;
    this.mainThread = false;
    const events: RaceEvents = {
      point: (p) => emit(this, 'race-point', p),
      raceEnd: (r) => emit(this, 'race-end', r),
      sweepEnd: (r) => emit(this, 'sweep-end', r),
      error: (message) => emit(this, 'error', { message }),
    };
    this.thread = new ControllerThread<Race, RaceEvents>(this, events, {
      kind: 'lstm-race',
      mainThread: () => this.mainThread,
      remote: (port, host, e) => new RemoteRace(port, host, e),
      notStarted: (host, e) => RemoteRace.notStarted(host, e),
      local: async (host, e) => new (await import('./race-controller')).RaceController(host, e),
    });
  }

  /** The controller the element renders and drives (in the Worker, through messages, or on the main thread). */
  get controller(): Race {
    return this.thread.current;
  }

  private settings(): RaceSettings {
    return {
      cells: RACE_CELLS,
      gap: this.gap,
      classes: this.classes,
      units: this.units,
      steps: this.steps,
      batchSize: this.batchSize,
      learningRate: this.learningRate,
      evalEvery: this.evalEvery,
      samples: this.samples,
      testSamples: this.testSamples,
      seed: this.seed,
    };
  }

  /** Race the three cells at `gap`; resolves when done (or stopped). */
  async race(): Promise<void> {
    await this.thread.ready();
    await this.controller.race(this.settings());
  }

  /** Race at each of `sweep-gaps` for `sweep-steps` steps; resolves when done (or stopped). */
  async sweep(): Promise<void> {
    await this.thread.ready();
    const { gap: _gap, evalEvery: _every, ...rest } = this.settings();
    const s: SweepSettings = { ...rest, steps: this.sweepSteps, gaps: this.sweepGaps.split(',').map((g) => Number(g.trim())) };
    await this.controller.sweep(s);
  }

  stop(): void {
    this.controller.stop();
  }

  private num(name: 'units' | 'steps' | 'sweepSteps' | 'seed', label: string, min: number, disabled: boolean) {
    return html`<label
      >${label}
      <input
        type="number"
        min=${min}
        data-testid=${name}
        .value=${String(this[name])}
        ?disabled=${disabled}
        @change=${(e: Event) => {
          const v = Number((e.target as HTMLInputElement).value);
          if (Number.isInteger(v) && v >= min) this[name] = v;
        }}
    /></label>`;
  }

  private renderProgress() {
    const c = this.controller;
    const run = c.run;
    if (c.status === 'racing' && run) {
      const step = Math.max(0, ...run.cells.map((cell) => c.curves[cell]?.at(-1)?.step ?? 0));
      return html`<div part="progress" class="progress" data-testid="progress">
        <progress max="1" .value=${step / run.steps}></progress>
        <span>gap ${run.gap} · step ${step} of ${run.steps} (tested every ${this.evalEvery})</span>
      </div>`;
    }
    if (c.status === 'sweeping' && c.table && run) {
      const at = c.table.rows.length - 1;
      const step = Math.max(0, ...run.cells.map((cell) => c.curves[cell]?.at(-1)?.step ?? 0));
      return html`<div part="progress" class="progress" data-testid="progress">
        <progress max="1" .value=${(at + step / run.steps) / c.table.gaps.length}></progress>
        <span>sweep: gap ${run.gap} (${at + 1} of ${c.table.gaps.length}) · step ${step} of ${c.table.steps} per cell</span>
      </div>`;
    }
    if (c.status === 'starting') return html`<p class="summary">Starting the GPU…</p>`;
    return c.note ? html`<p part="progress" class="progress" data-testid="progress">${c.note}</p>` : nothing;
  }

  private renderRace() {
    const c = this.controller;
    const running = c.status === 'racing' || c.status === 'sweeping';
    const ready = c.status === 'idle';
    return html`<section class="panel" part="panel">
      <h2>Clue, gap, answer</h2>
      <p class="caption" data-testid="caption">
        Each sequence opens with a clue (one of ${this.classes} tokens), then ${this.gap} random filler tokens; at the end the model must name
        the clue. It is the essay's "I grew up in France … I speak fluent <em>French</em>": the word that decides the answer comes long
        before it is needed. All three models see the same batches in the same order. A SimpleRNN rewrites its whole state at every
        token, and the gradient that would teach it to keep the clue is multiplied by the recurrent weights (and the slope of tanh) once per filler token, so it
        fades across a long gap; the LSTM's cell state and the GRU's update gate can carry the clue along almost unchanged. The grey
        line is chance (1 in ${this.classes}): a curve that stays there has not found the clue.
      </p>
      <div class="row" part="settings">
        <label class="gap"
          >Gap: ${this.gap} tokens
          <input
            type="range"
            min="2"
            max="100"
            data-testid="gap"
            .value=${String(this.gap)}
            ?disabled=${running}
            @input=${(e: Event) => (this.gap = Number((e.target as HTMLInputElement).value))}
        /></label>
        ${this.num('units', 'Units per cell', 1, running)} ${this.num('steps', 'Steps', 1, running)} ${this.num('seed', 'Seed', 0, running)}
      </div>
      <div class="actions">
        <button class="primary" data-testid="start" ?disabled=${!ready} @click=${() => void this.race()}>Start</button>
        <button data-testid="stop" ?disabled=${!running} @click=${() => this.stop()}>Stop</button>
        <button data-testid="sweep" ?disabled=${!ready} @click=${() => void this.sweep()}>Sweep</button>
        ${this.num('sweepSteps', 'Sweep steps per gap', 1, running)}
      </div>
      ${this.renderProgress()} ${this.renderCurves()} ${gpuLine(c, this.thread.thread)}
    </section>`;
  }

  private renderCurves() {
    const c = this.controller;
    const run = c.run;
    if (!run) return nothing;
    const series: Series[] = run.cells.map((cell) => {
      const curve = c.curves[cell] ?? [];
      return { name: cellTitle(cell), values: curve.map((p) => p.accuracy), xs: curve.map((p) => p.step), color: CELL_COLORS[cell] };
    });
    series.push({ name: `chance (${run.chance.toFixed(2)})`, values: [run.chance, run.chance], xs: [0, run.steps], color: CHANCE_COLOR });
    return html`<div class="charts wide" data-testid="race-chart">
      ${lineChart(`Test accuracy at gap ${run.gap}`, series, { yMin: 0, yMax: 1, xLabel: 'step', width: 640 })}
    </div>`;
  }

  private renderSweep() {
    const t = this.controller.table;
    if (!t) return nothing;
    const fmt = (v: number | undefined) => (v === undefined ? '…' : v.toFixed(3));
    const series: Series[] = t.cells.map((cell) => {
      const done = t.rows.filter((r) => r.accuracy[cell] !== undefined);
      return { name: cellTitle(cell), values: done.map((r) => r.accuracy[cell]!), xs: done.map((r) => r.gap), color: CELL_COLORS[cell] };
    });
    series.push({ name: `chance (${t.chance.toFixed(2)})`, values: [t.chance, t.chance], xs: [0, Math.max(...t.gaps)], color: CHANCE_COLOR });
    return html`<section class="panel" part="panel">
      <h2>Sweep: accuracy against the gap</h2>
      <div class="sweep">
        <div class="charts" data-testid="sweep-chart">${lineChart(`Test accuracy after ${t.steps} steps per cell`, series, { yMin: 0, yMax: 1, xLabel: 'gap', width: 420 })}</div>
        <table part="sweep-table" data-testid="sweep-table">
          <thead>
            <tr>
              <th>gap</th>
              ${t.cells.map((cell) => html`<th>${cellTitle(cell)}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${t.gaps.map((gap) => {
              const row = t.rows.find((r) => r.gap === gap);
              return html`<tr>
                <th>${gap}</th>
                ${t.cells.map((cell) => html`<td>${fmt(row?.accuracy[cell])}</td>`)}
              </tr>`;
            })}
          </tbody>
          <caption>
            test accuracy after ${t.steps} steps per cell; chance ${t.chance.toFixed(2)}
          </caption>
        </table>
      </div>
    </section>`;
  }

  override render() {
    return html`${alerts(this.controller)} ${this.renderRace()} ${this.renderSweep()}`;
  }

  static override styles = [
    ...panelStyles,
    css`
      .caption { max-width: 80ch; color: #374151; margin: 0 0 8px; }
      label.gap input { width: 240px; }
      .charts.wide .chart { width: min(640px, 100%); }
      .sweep { display: flex; gap: 24px; flex-wrap: wrap; align-items: start; }
      .sweep .chart { width: min(420px, 100%); }
      table { border-collapse: collapse; margin: 8px 0; }
      th, td { padding: 2px 12px; text-align: right; font-variant-numeric: tabular-nums; }
      caption { caption-side: bottom; color: #6b7280; font-size: 12px; text-align: left; }
    `,
  ];
}
