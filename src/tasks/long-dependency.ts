/**
 * The long-term-dependency task of the origin notebook's essay as data ("I grew up in France … I speak
 * fluent *French*"): each sequence starts with a clue token (one of `classes`), then `gap` distractor
 * tokens drawn at random; the label is the clue. Only a model that carries the clue across the whole gap
 * can beat chance (1 / classes) — what plain RNNs fail at as the gap grows and LSTMs and GRUs hold.
 * Deterministic per seed. `raceCells` trains one model per cell on it, step by step in turns on one engine.
 */
import seedrandom from 'seedrandom';
import type { Engine } from '../engine/engine';
import { sequential, type Sequential } from '../layers/sequential';
import { checkCell, layers, recurrentLayerFor, type CellName, type Layer } from '../layers/specs';

export interface LongDependencyOptions {
  /** Distractor tokens between the clue and the end of the sequence. */
  gap: number;
  /** Clue tokens (and classes); default 4. */
  classes?: number;
  /** Token ids (distractors are the ids after the clues); default 24. */
  vocab?: number;
  /** Training sequences; default 2048. */
  samples?: number;
  /** Test sequences; default 512. */
  testSamples?: number;
  seed?: number | string;
}

export interface LongDependencyTask {
  gap: number;
  classes: number;
  vocab: number;
  /** Sequence length: the clue and the gap. */
  length: number;
  train: { x: number[][]; y: number[] };
  test: { x: number[][]; y: number[] };
  /** The race's model for a cell: embedding → the cell → dense softmax over the classes. */
  layers(cell: CellName, units?: number): Layer[];
}

export function longDependency(o: LongDependencyOptions): LongDependencyTask {
  const classes = o.classes ?? 4;
  const vocab = o.vocab ?? 24;
  const gap = o.gap;
  if (!(Number.isInteger(gap) && gap >= 0)) throw new Error(`longDependency: gap must be a non-negative integer, got ${gap}`);
  if (!(Number.isInteger(classes) && classes >= 2)) throw new Error(`longDependency: classes must be an integer ≥ 2, got ${classes}`);
  if (!(Number.isInteger(vocab) && vocab >= classes + 2)) throw new Error(`longDependency: vocab must be an integer ≥ classes + 2 (${classes + 2}: id 0 unused, the clues, at least one distractor), got ${vocab}`);
  const rng = seedrandom(`long-dependency/${o.seed ?? 141}/${gap}`);
  const draw = (n: number) => {
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < n; i++) {
      const clue = Math.floor(rng() * classes);
      // Ids 1 … classes are the clues, classes + 1 … vocab − 1 the distractors (0 is never used).
      x.push([1 + clue, ...Array.from({ length: gap }, () => classes + 1 + Math.floor(rng() * (vocab - classes - 1)))]);
      y.push(clue);
    }
    return { x, y };
  };
  const train = draw(o.samples ?? 2048);
  const test = draw(o.testSamples ?? 512);
  return {
    gap,
    classes,
    vocab,
    length: gap + 1,
    train,
    test,
    layers: (cell, units = 32) => [
      layers.embedding({ inputDim: vocab, outputDim: 16, inputShape: [gap + 1] }),
      recurrentLayerFor(checkCell(cell), { units }),
      layers.dense({ units: classes, activation: 'softmax' }),
    ],
  };
}

export interface RaceOptions {
  cells?: readonly CellName[];
  units?: number;
  /** Optimizer steps per cell. */
  steps?: number;
  batchSize?: number;
  learningRate?: number;
  /** Steps between test evaluations (a point on each curve). */
  evalEvery?: number;
  seed?: number | string;
  engine?: Engine;
  /** After each evaluation: every cell's latest point. */
  onPoint?: (point: RacePoint) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface RacePoint {
  cell: CellName;
  step: number;
  /** Training loss of the last step, and test accuracy. */
  loss: number;
  accuracy: number;
}

export interface RaceResult {
  gap: number;
  /** Each cell's curve and its final test accuracy. */
  cells: Array<{ cell: CellName; curve: RacePoint[]; accuracy: number }>;
  /** Chance level: 1 / classes. */
  chance: number;
}

/**
 * Train one model per cell on the task, a step of each in turn on one engine (so the curves are drawn
 * side by side, and no cell gets the machine to itself), with the same batches in the same order for
 * every cell; each model is evaluated on the test split every `evalEvery` steps. Deterministic per seed.
 */
export async function raceCells(task: LongDependencyTask, o: RaceOptions = {}): Promise<RaceResult> {
  const cells = o.cells ?? (['rnn', 'gru', 'lstm'] as const);
  const steps = o.steps ?? 300;
  const batchSize = o.batchSize ?? 32;
  const evalEvery = o.evalEvery ?? 25;
  const seed = o.seed ?? 141;
  const models: Sequential[] = [];
  try {
    for (const cell of cells) {
      const m = await sequential(task.layers(cell, o.units ?? 32), { seed: `${seed}/${cell}`, name: `race_${cell}`, ...(o.engine ? { engine: o.engine } : {}) });
      m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: { type: 'adam', learningRate: o.learningRate ?? 1e-2, clipNorm: 1 }, metrics: ['accuracy'] });
      models.push(m);
    }
    const order = seedrandom(`race/${seed}`);
    const n = task.train.x.length;
    const curves: RacePoint[][] = cells.map(() => []);
    const lastLoss = cells.map(() => NaN);
    for (let s = 1; s <= steps && !o.signal?.aborted; s++) {
      const rows = Array.from({ length: batchSize }, () => Math.floor(order() * n));
      const x = rows.map((r) => task.train.x[r]!);
      const y = rows.map((r) => task.train.y[r]!);
      for (let i = 0; i < models.length; i++) {
        const h = await models[i]!.fit(x, y, { epochs: 1, batchSize, shuffle: false });
        lastLoss[i] = h.history.loss![0]!;
      }
      if (s % evalEvery === 0 || s === steps) {
        for (let i = 0; i < models.length; i++) {
          const ev = await models[i]!.evaluate(task.test.x, task.test.y, { batchSize: 256 });
          const point = { cell: cells[i]!, step: s, loss: lastLoss[i]!, accuracy: ev.metrics.accuracy! };
          curves[i]!.push(point);
          await o.onPoint?.(point);
        }
      }
    }
    return { gap: task.gap, chance: 1 / task.classes, cells: cells.map((cell, i) => ({ cell, curve: curves[i]!, accuracy: curves[i]!.at(-1)?.accuracy ?? NaN })) };
  } finally {
    for (const m of models) m.dispose();
  }
}
