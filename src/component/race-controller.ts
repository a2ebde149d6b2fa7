/**
 * The work behind <lstm-race>, in its Worker (or on the main thread as a fallback): the essay's
 * long-term dependency as data (tasks.longDependency), and a SimpleRNN, a GRU and an LSTM of the same
 * size trained on it side by side on the controller's own engine (tasks.raceCells: a step of each in
 * turn, the same batches for all three), their test accuracy every few steps. A race trains at one gap;
 * a sweep races at each of several gaps for a fixed step budget and keeps each cell's final accuracy.
 * The page gets the state as plain data (RaceView) and drives it through RaceActions (RemoteRace
 * forwards them to a Worker).
 */
import type { Engine } from '../engine/engine';
import { checkCell, type CellName } from '../layers/specs';
import { longDependency, raceCells, type RacePoint } from '../tasks/long-dependency';
import { EngineController } from './engine-controller';
import type { ControllerHost } from './trainer-serve';

export type RaceStatus = 'starting' | 'no-webgpu' | 'idle' | 'racing' | 'sweeping';

/** What a race (and each race of a sweep) is trained with. */
export interface RaceSettings {
  /** The cells raced, in the order they step (and are drawn). */
  cells: CellName[];
  /** Distractor tokens between the clue and the answer. */
  gap: number;
  /** Clue tokens (the classes); chance is 1 / classes. */
  classes: number;
  units: number;
  /** Optimizer steps per cell. */
  steps: number;
  batchSize: number;
  learningRate: number;
  /** Steps between test evaluations (a point on each curve). */
  evalEvery: number;
  /** Training and test sequences generated for each gap. */
  samples: number;
  testSamples: number;
  seed: number;
}

export interface SweepSettings extends Omit<RaceSettings, 'gap' | 'evalEvery'> {
  /** The gaps raced, each for `steps` steps. */
  gaps: number[];
}

/** One cell's test accuracy after `step` steps (and its last training loss). */
export type CurvePoint = Omit<RacePoint, 'cell'>;

/** One gap of a sweep: each cell's final test accuracy (absent while that cell has not finished it). */
export interface SweepRow {
  gap: number;
  accuracy: Partial<Record<CellName, number>>;
}

/** Everything the element renders. */
export interface RaceView {
  status: RaceStatus;
  gpuDescription: string;
  error: string | null;
  /** The race shown: its cells, gap, step budget and chance level (null before the first). */
  run: { cells: CellName[]; gap: number; steps: number; chance: number } | null;
  /** Each raced cell's test-accuracy curve for the race shown. */
  curves: Partial<Record<CellName, CurvePoint[]>>;
  /** The sweep shown (null before the first): its cells, gaps, step budget, rows as they fill, and chance. */
  table: { cells: CellName[]; gaps: number[]; steps: number; chance: number; rows: SweepRow[] } | null;
  /** How the last run ended ("" while one runs, or before any). */
  note: string;
  gpuBytes: number;
}

export interface RaceActions {
  /** Race the three cells at one gap; settles when done or stopped. */
  race(settings: RaceSettings): Promise<void>;
  /** Race at every gap of `settings.gaps` for `settings.steps` steps; settles when done or stopped. */
  sweep(settings: SweepSettings): Promise<void>;
  stop(): void;
  dismissError(): void;
}

export type Race = RaceView & RaceActions;

/** What the element turns into DOM events (the details are the events' `detail`). */
export interface RaceEvents {
  /** A test evaluation of one cell (in a sweep too: `gap` says which race). */
  point(d: RacePoint & { gap: number }): void;
  raceEnd(d: { gap: number; chance: number; accuracy: Record<string, number>; stopped: boolean }): void;
  sweepEnd(d: { steps: number; chance: number; rows: SweepRow[]; stopped: boolean }): void;
  error(message: string): void;
}

export const RACE_EVENTS = ['point', 'raceEnd', 'sweepEnd', 'error'] as const satisfies ReadonlyArray<keyof RaceEvents>;

/** The controller's state as plain data (what a Worker sends to the page). */
export function raceView(c: RaceView): RaceView {
  return { status: c.status, gpuDescription: c.gpuDescription, error: c.error, run: c.run, curves: c.curves, table: c.table, note: c.note, gpuBytes: c.gpuBytes };
}

/** The curves with `p` added to its cell's. */
const withPoint = (curves: RaceView['curves'], p: RacePoint): RaceView['curves'] => ({ ...curves, [p.cell]: [...(curves[p.cell] ?? []), { step: p.step, loss: p.loss, accuracy: p.accuracy }] });

/** Settings checked before any GPU work: a bad value is a sentence, never clamped. */
function check(s: Omit<RaceSettings, 'gap' | 'evalEvery'> & { gaps: number[]; evalEvery: number }): void {
  const positive: Array<[string, number]> = [
    ['units', s.units],
    ['steps', s.steps],
    ['batch size', s.batchSize],
    ['eval every', s.evalEvery],
    ['samples', s.samples],
    ['test samples', s.testSamples],
  ];
  for (const [name, v] of positive) if (!(Number.isInteger(v) && v >= 1)) throw new Error(`${name} must be a whole number ≥ 1, got ${v}`);
  if (!(s.learningRate > 0)) throw new Error(`the learning rate must be > 0, got ${s.learningRate}`);
  if (s.gaps.length === 0) throw new Error('the sweep needs at least one gap');
  if (s.cells.length === 0) throw new Error('the race needs at least one cell');
  for (const c of s.cells) checkCell(c);
  // Gaps (and classes) are checked by longDependency with its own sentence.
}

export class RaceController extends EngineController<RaceStatus> implements Race {
  run: RaceView['run'] = null;
  curves: RaceView['curves'] = {};
  table: RaceView['table'] = null;
  note = '';

  constructor(
    host: ControllerHost,
    private readonly events: RaceEvents,
    engineFactory?: () => Promise<Engine>,
  ) {
    super(host, (m) => events.error(m), engineFactory);
  }

  /** The models live inside raceCells, which disposes them when its run ends; the engine goes with them. */
  protected disposeModel(): void {}

  private busy(): boolean {
    return this.status === 'racing' || this.status === 'sweeping' || this.status === 'starting' || this.status === 'no-webgpu';
  }

  /** Train the three cells at one gap; one set of curves, the chance line. */
  private async runOne(s: RaceSettings, engine: Engine, signal: AbortSignal, onPoint: (p: RacePoint) => void): Promise<Record<string, number>> {
    const task = longDependency({ gap: s.gap, classes: s.classes, samples: s.samples, testSamples: s.testSamples, seed: s.seed });
    const r = await raceCells(task, {
      cells: s.cells,
      units: s.units,
      steps: s.steps,
      batchSize: s.batchSize,
      learningRate: s.learningRate,
      evalEvery: s.evalEvery,
      seed: s.seed,
      engine,
      signal,
      onPoint: (p) => {
        onPoint(p);
        this.update(); // the state goes out ahead of the event
        this.events.point({ ...p, gap: s.gap });
      },
    });
    return Object.fromEntries(r.cells.map((c) => [c.cell, c.accuracy]));
  }

  async race(s: RaceSettings): Promise<void> {
    if (this.busy()) return;
    try {
      check({ ...s, gaps: [s.gap] });
      longDependency({ gap: s.gap, classes: s.classes, samples: 1, testSamples: 1 }); // its sentence for a bad gap or class count, before the GPU
    } catch (e) {
      return this.fail(e);
    }
    this.status = 'racing';
    this.error = null;
    this.note = '';
    this.run = { cells: [...s.cells], gap: s.gap, steps: s.steps, chance: 1 / s.classes };
    this.curves = {};
    this.abort = new AbortController();
    const signal = this.abort.signal;
    this.update();
    try {
      const engine = await this.gpu();
      const accuracy = await this.runOne(s, engine, signal, (p) => {
        this.curves = withPoint(this.curves, p);
      });
      const stopped = signal.aborted;
      const last = Math.max(0, ...s.cells.map((c) => this.curves[c]?.at(-1)?.step ?? 0));
      this.note = stopped ? `stopped at gap ${s.gap}; last tested after ${last} steps per cell` : `raced ${last} steps per cell at gap ${s.gap}`;
      this.events.raceEnd({ gap: s.gap, chance: 1 / s.classes, accuracy, stopped });
    } catch (e) {
      this.fail(e);
    } finally {
      this.status = 'idle';
      this.abort = null;
      this.update();
    }
  }

  async sweep(s: SweepSettings): Promise<void> {
    if (this.busy()) return;
    try {
      check({ ...s, evalEvery: s.steps });
      for (const gap of s.gaps) longDependency({ gap, classes: s.classes, samples: 1, testSamples: 1 });
    } catch (e) {
      return this.fail(e);
    }
    this.status = 'sweeping';
    this.error = null;
    this.note = '';
    const chance = 1 / s.classes;
    this.table = { cells: [...s.cells], gaps: [...s.gaps], steps: s.steps, chance, rows: [] };
    this.abort = new AbortController();
    const signal = this.abort.signal;
    this.update();
    try {
      const engine = await this.gpu();
      for (const gap of s.gaps) {
        if (signal.aborted) break;
        // The race at this gap is drawn as it trains (four points per cell); the table takes the last.
        this.run = { cells: [...s.cells], gap, steps: s.steps, chance };
        this.curves = {};
        const row: SweepRow = { gap, accuracy: {} };
        this.table = { ...this.table, rows: [...this.table.rows, row] };
        await this.runOne({ ...s, gap, evalEvery: Math.max(1, Math.floor(s.steps / 4)) }, engine, signal, (p) => {
          this.curves = withPoint(this.curves, p);
          // Only a full budget counts in the table: a stopped race's accuracy is not comparable.
          if (p.step === s.steps) row.accuracy = { ...row.accuracy, [p.cell]: p.accuracy };
          this.table = { ...this.table!, rows: [...this.table!.rows] };
        });
      }
      const stopped = signal.aborted;
      this.note = stopped ? `sweep stopped (the table holds the gaps raced in full)` : `swept gaps ${s.gaps.join(', ')} at ${s.steps} steps per cell`;
      this.events.sweepEnd({ steps: s.steps, chance, rows: this.table.rows, stopped });
    } catch (e) {
      this.fail(e);
    } finally {
      this.status = 'idle';
      this.abort = null;
      this.update();
    }
  }
}
