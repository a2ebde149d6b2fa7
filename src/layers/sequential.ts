/**
 * `sequential([...layers])`: a Keras-style model on the fused engine. compile → fit → predict/evaluate →
 * save/loadModel → exportTfjs, summary. One training step is one submit (forward, the fused loss,
 * backward, clipping and the optimizer); nothing inside a step waits on the GPU.
 */
import seedrandom from 'seedrandom';
import type { Engine } from '../engine/engine';
import type { Step } from '../engine/step';
import { ParameterStore } from '../engine/parameters';
import { getDefaultEngine, prepareCells } from '../ops/create-engine';
import { cellOf, recurrentOf } from './kinds/cells';
import { type Layer } from './specs';
import { fitLoop, type BatchEndInfo, type EarlyStopping, type EpochEndInfo, type History, type StepStats } from './fit-loop';
import { backpropFrom } from '../ops/elementwise';
import { compileArgs, encodeLoss, lastActivation, lossFusesActivation, softmaxOf, type CompileArgs, type Compiled, type LossStats } from './compile';
import { gatherInputs, gatherTargets, readInputs, readTargets, toNested, type Inputs, type ShapedArray, type Targets, type TensorLike } from './data';
import { buildGraph, countParams, initialWeights, type BuiltLayer, type Graph } from './graph';
import { checkGraphFits, maxGraphRows, type LimitAdvice } from './limits';
import { forward, type InputBatch } from './run';
import { TokenTables } from './token-tables';
import { HalfWeights, type WeightPrecision } from './half-weights';
import type { ForwardContext } from './layer-rule';
import { restoredDropoutDraws, type TrainingState } from './model-zip';
import { dropoutSeed, type DropoutKey } from '../ops/dropout-key';
import { decodeSequential, encodeSequential, type DecodedFile, type ModelKind, type PresetPart } from './file';
import type { OpenedModelZip } from './model-zip';
import { formatSummary } from './summary';
import { inspectModel, type Inspection } from './inspect';
import { toTfjs, type TfjsArtifacts } from './tfjs';
import type { KerasParts } from './keras';

export interface SequentialOptions {
  /** Seeds the initial weights, the dropout masks and the shuffling (default 141). */
  seed?: number | string;
  engine?: Engine;
  /** The model's name (summary, TF.js export); default "sequential". */
  name?: string;
}

export interface SequentialFitOptions {
  epochs?: number;
  batchSize?: number;
  /** Hold out this last fraction of the samples (taken before shuffling, as Keras does) for validation. */
  validationSplit?: number;
  validationData?: [TensorLike, TensorLike];
  /** Shuffle the training samples each epoch (default true). */
  shuffle?: boolean;
  /**
   * Batches of similar real length (fewer padded timesteps to run) instead of plain shuffled ones; for
   * token-id input whose embedding masks zeros (a row's length: its non-zero ids). Default false.
   */
  bucketing?: boolean;
  /** Loss weight per class id (sparseCategoricalCrossentropy). */
  classWeight?: Record<number, number> | number[];
  /** Keras EarlyStopping on the validation data: stop after `patience` epochs without improvement. */
  earlyStopping?: EarlyStopping;
  /** After each batch; a returned promise is awaited before further steps are submitted. */
  onBatchEnd?: (info: BatchEndInfo) => unknown;
  onEpochEnd?: (info: EpochEndInfo) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface SequentialHistory extends History {
  /** Keras's History.history: per-epoch values by name (loss, accuracy, mae, val_loss, …). */
  history: Record<string, number[]>;
}

export interface EvaluateResult {
  loss: number;
  /** The compiled metrics by name (accuracy, mae, mse). */
  metrics: Record<string, number>;
}

/** @internal Prepared data: inputs and targets already read and checked (see readInputs/readTargets). */
export interface PreparedData {
  inputs: Inputs;
  targets: Targets;
  /** Each sample's real length (bucketing); default: from the ids when the embedding masks zeros, else T. */
  lengths?: ArrayLike<number>;
}

/** @internal Evaluation with the model's outputs: what predict gives, [N·(T)·units] batch-major. */
export interface EvaluationWithOutputs extends EvaluateResult {
  accuracy: number;
  outputs: Float32Array;
}

/** A prediction as a flat array and its shape (the answer to a `{ data, shape }` input). */
export interface PredictionArray {
  data: Float32Array;
  shape: number[];
}

/** The phases of a training step's encoding, in order. */
export type TrainPhase = 'zero grads' | 'forward' | 'loss' | 'backward' | 'optimizer';

/** A batch ready for the GPU: inputs, and targets in the output's time-major row order. */
export interface TrainBatch {
  input: InputBatch;
  targets: Float64Array;
}

const DEFAULT_PREDICT_BATCH = 256;

/** predict's options. */
export interface PredictOptions {
  /** Rows per step (default 256; fewer where a step's buffers would exceed the device's limits). */
  batchSize?: number;
  /**
   * 'float16' or 'bfloat16': the LSTM layers' recurrent kernels are read in that 16-bit form (packed once
   * per weight change, sums in float32): half their bytes per timestep, predictions within its rounding of
   * the float32 ones (float16 keeps 11 significant bits, bfloat16 8 but widens more cheaply). LSTM layers
   * only (a GRU or SimpleRNN throws; on the 'cpu' tuning units divisible by 4). Default 'float32'.
   */
  weightPrecision?: WeightPrecision;
}

/** Row r's real timesteps: its non-zero ids where id 0 is padding, else all T. */
function rowLength(inputs: Inputs, r: number, masked: boolean): number {
  const { T } = inputs;
  if (!masked) return T;
  let n = 0;
  for (let t = 0; t < T; t++) if (inputs.values[r * T + t] !== 0) n++;
  return n;
}

/** The cells a graph's recurrent layers run (a Bidirectional's, its wrapped layer's). */
function cellKinds(graph: Graph): Array<'lstm' | 'gru' | 'simpleRnn'> {
  return graph.layers.flatMap((b) => {
    const l = recurrentOf(b.layer);
    return l ? [cellOf(l).cell(l).kind] : [];
  });
}

export async function sequential(list: Layer[], opts: SequentialOptions = {}): Promise<Sequential> {
  const graph = buildGraph(list);
  const engine = opts.engine ?? (await getDefaultEngine());
  const seed = opts.seed ?? 141;
  // The weights must fit the device (a batch's activations are checked when its shape is known).
  checkGraphFits(graph, engine.device.limits);
  const model = new Sequential(engine, graph, seed, opts.name ?? 'sequential');
  model.initialize();
  await model.ready();
  return model;
}

export class Sequential {
  /** What loadModel found: a layers model (the presets wrap one: 'sentiment', 'language-model'). */
  readonly kind = 'layers' as const;
  /** @internal */
  params!: ParameterStore;
  /** @internal What to lower when a batch does not fit the device, in the words of the preset that made the model. */
  limitAdvice: LimitAdvice | undefined;
  private compiled: Compiled | null = null;
  private compiledAs: CompileArgs | null = null;
  private metadata: Record<string, unknown> | undefined;
  /** The dropout generator's key (ops/dropout-key.ts): the seed's two words … */
  private readonly dropoutSeed: readonly [number, number];
  /** … and the training-step counter: each training step's masks are draw `dropoutDraws`, then it counts on. */
  private dropoutDraws = 0;
  private shuffleRng: seedrandom.StatefulPRNG<seedrandom.State.Arc4>;
  private disposed = false;
  /** Predictions' input projections per token (token-tables.ts), made on the first prediction. */
  private tables: TokenTables | null = null;
  private half: HalfWeights | null = null;
  /** The kernels of this model's cells (beyond the LSTM's, which every engine has) are compiled on its engine. */
  private cellsReady: boolean;
  private preparing: Promise<void> | null = null;
  /** The most rows a step of T timesteps fits on the device, by T (the graph and device never change). */
  private readonly rowsAt = new Map<number, number>();

  /** @internal Use `sequential()` or `loadModel()`. */
  constructor(
    readonly engine: Engine,
    /** @internal */
    readonly graph: Graph,
    readonly seed: number | string,
    readonly name: string,
  ) {
    this.dropoutSeed = dropoutSeed(seed);
    this.shuffleRng = seedrandom(`${seed}/shuffle`, { state: true });
    this.cellsReady = cellKinds(graph).every((k) => k === 'lstm');
  }

  /**
   * @internal Compile the kernels this model's cells need (a GRU's, a SimpleRNN's) on its engine, once:
   * every method that runs the model awaits it before its first step; `sequential()` and `loadModel`
   * before they answer.
   */
  ready(): Promise<void> {
    if (this.cellsReady) return Promise.resolve();
    this.preparing ??= prepareCells(this.engine, cellKinds(this.graph)).then(() => {
      this.cellsReady = true;
    });
    return this.preparing;
  }

  /** `run` now when the cells are ready (no await: steps keep their order), else after they are. */
  private whenReady<T>(run: () => Promise<T>): Promise<T> {
    return this.cellsReady ? run() : this.ready().then(run);
  }

  /** @internal Allocate the weights with their seeded initial values. */
  initialize(values?: Map<string, Float32Array>): void {
    const specs = initialWeights(this.graph, seedrandom(`${this.seed}/init`));
    if (values) for (const s of specs) s.init = values.get(s.name)!;
    // Tables made from the weights of a store this one replaces would read a released arena.
    this.tables?.destroy();
    this.tables = null;
    this.params = new ParameterStore(this.engine, specs);
  }

  /** The built layers: names, output shapes, weights (Keras layout, batch dimension left out). */
  get layers(): readonly BuiltLayer[] {
    return this.graph.layers;
  }

  /**
   * Whatever the application needs to use the model again (e.g. a forecaster's scaling and window), saved
   * with it as JSON (TF.js's name for the same thing).
   */
  setUserDefinedMetadata(metadata: Record<string, unknown> | undefined): void {
    this.metadata = metadata === undefined ? undefined : (JSON.parse(JSON.stringify(metadata)) as Record<string, unknown>);
  }

  getUserDefinedMetadata(): Record<string, unknown> | undefined {
    return this.metadata;
  }

  /** The resolved compile settings (defaults filled in), or null before compile. */
  get compiledWith(): Compiled | null {
    return this.compiled;
  }

  countParams(): number {
    return countParams(this.graph);
  }

  compile(args: CompileArgs): void {
    this.compiled = compileArgs(this.graph, args);
    this.compiledAs = structuredClone(args);
    // A new optimizer starts from scratch (Keras: compile makes a fresh optimizer).
    this.params.resetOptimizer();
  }

  private requireCompiled(what: string): Compiled {
    this.alive();
    if (!this.compiled) throw new Error(`${what}: call model.compile({ loss, optimizer }) first`);
    return this.compiled;
  }

  private alive(): void {
    if (this.disposed) throw new Error('the model was disposed');
  }

  private targetKind(c: Compiled): 'classes' | 'floats' {
    return c.loss === 'sparseCategoricalCrossentropy' ? 'classes' : 'floats';
  }

  private classWeights(c: Compiled, w: SequentialFitOptions['classWeight']): Float32Array | undefined {
    if (w === undefined) return undefined;
    if (c.loss !== 'sparseCategoricalCrossentropy') throw new Error('fit: classWeight needs sparseCategoricalCrossentropy');
    const C = this.graph.outputShape[this.graph.outputShape.length - 1] as number;
    const out = new Float32Array(C).fill(1);
    for (const [k, v] of Object.entries(w)) {
      const c2 = Number(k);
      if (!Number.isInteger(c2) || c2 < 0 || c2 >= C || !(v >= 0)) throw new Error(`fit: classWeight ${k}: ${v} is not a non-negative weight for a class 0…${C - 1}`);
      out[c2] = v;
    }
    return out;
  }

  /** Rows per evaluation/prediction step: `wanted`, or fewer where a batch that large would not fit the device. */
  private rowsPerStep(T: number, wanted: number): number {
    let most = this.rowsAt.get(T);
    if (most === undefined) {
      checkGraphFits(this.graph, this.engine.device.limits, { T, B: 1 }, this.limitAdvice);
      most = maxGraphRows(this.graph, this.engine.device.limits, T);
      this.rowsAt.set(T, most);
    }
    return Math.min(wanted, most);
  }

  private trainStep(c: Compiled, batch: TrainBatch, classWeights: Float32Array | undefined): Promise<StepStats> {
    const step = this.engine.beginStep({ grad: true, label: 'train step' });
    try {
      const stats = this.encodeTrain(step, c, batch, classWeights);
      step.submit();
      return stats;
    } catch (e) {
      step.abort();
      throw e;
    }
  }

  /** One training step's encoding on `step` (not submitted): forward, the fused loss, backward, the optimizer. `mark` hears each phase end. */
  private encodeTrain(step: Step, c: Compiled, batch: TrainBatch, classWeights: Float32Array | undefined, mark?: (phase: TrainPhase) => void): Promise<StepStats> {
    this.params.zeroGrads(step);
    mark?.('zero grads');
    const { out, mask } = forward(step, this.graph, this.params, batch.input, { training: true, dropoutKey: this.nextDropoutKey(), skipLastActivation: lossFusesActivation(c.loss) });
    mark?.('forward');
    const loss = encodeLoss(step, c, out, batch.targets, mask, classWeights);
    const statsP = step.read(loss.stats);
    mark?.('loss');
    step.backward();
    mark?.('backward');
    const o = c.optimizer;
    if (o.type === 'adam') this.params.adam(step, o);
    else this.params.sgd(step, o);
    const clipP = step.read(this.params.clip);
    mark?.('optimizer');
    const B = batch.input.B;
    return Promise.all([statsP, clipP]).then(([s, k]) => {
      const d = loss.decode(s);
      return { loss: d.loss, correct: d.accuracy * B, finite: k[2] === 1 && Number.isFinite(d.loss), gradNorm: k[1]!, metrics: d.metrics };
    });
  }

  /**
   * @internal A training step encoded on a step the caller opened and submits (benchmarks: profiled
   * steps, the encoding timed phase by phase through `mark`), with the compiled loss and optimizer.
   */
  encodeTrainStep(step: Step, batch: TrainBatch, mark?: (phase: TrainPhase) => void): Promise<StepStats> {
    return this.encodeTrain(step, this.requireCompiled('encodeTrainStep'), batch, undefined, mark);
  }

  private evalBatch(c: Compiled, batch: TrainBatch): Promise<LossStats>;
  private evalBatch(c: Compiled, batch: TrainBatch, withOutputs: true): Promise<LossStats & { outputs: Float32Array }>;
  private evalBatch(c: Compiled, batch: TrainBatch, withOutputs = false): Promise<LossStats & { outputs?: Float32Array }> {
    const step = this.engine.beginStep({ grad: false, label: 'eval step' });
    try {
      const { out, mask } = forward(step, this.graph, this.params, batch.input, { training: false, skipLastActivation: lossFusesActivation(c.loss), ...this.tablesOption() });
      const loss = encodeLoss(step, c, out, batch.targets, mask);
      const statsP = step.read(loss.stats);
      const outputsP = withOutputs ? step.read(loss.predictions) : null;
      step.submit();
      return Promise.all([statsP, outputsP]).then(([s, o]) => ({ ...loss.decode(s), ...(o ? { outputs: o } : {}) }));
    } catch (e) {
      step.abort();
      throw e;
    }
  }

  private async evaluateRows(c: Compiled, inputs: Inputs, targets: Targets, rows: readonly number[], batchSize: number): Promise<EvaluateResult & { accuracy: number }>;
  private async evaluateRows(c: Compiled, inputs: Inputs, targets: Targets, rows: readonly number[], batchSize: number, withOutputs: true): Promise<EvaluationWithOutputs>;
  private async evaluateRows(c: Compiled, inputs: Inputs, targets: Targets, rows: readonly number[], batchSize: number, withOutputs = false): Promise<EvaluateResult & { accuracy: number; outputs?: Float32Array }> {
    let count = 0, loss = 0, accuracy = 0;
    const sums: Record<string, number> = {};
    const pending: Array<Promise<LossStats & { outputs?: Float32Array }>> = [];
    batchSize = this.rowsPerStep(inputs.T, batchSize);
    this.tokenTables().prepare(this.tokenCount(inputs, rows));
    for (let s = 0; s < rows.length; s += batchSize) {
      const part = rows.slice(s, s + batchSize);
      const input = gatherInputs(inputs, part, this.graph.input.kind);
      const batch = { input, targets: gatherTargets(targets, part, inputs.T) };
      pending.push(withOutputs ? this.evalBatch(c, batch, true) : this.evalBatch(c, batch));
    }
    const done = await Promise.all(pending);
    const outputs = withOutputs ? this.batchMajor(done.map((d) => d.outputs!), rows.length, inputs.T, batchSize) : undefined;
    for (const d of done) {
      count += d.count;
      loss += d.loss * d.count;
      accuracy += d.accuracy * d.count;
      for (const [k, v] of Object.entries(d.metrics)) sums[k] = (sums[k] ?? 0) + v * d.count;
    }
    const mean = (v: number) => (count > 0 ? v / count : 0);
    const metrics: Record<string, number> = {};
    for (const m of c.metrics) metrics[m] = m === 'accuracy' ? mean(accuracy) : mean(sums[m] ?? 0);
    return { loss: mean(loss), accuracy: mean(accuracy), metrics, ...(outputs ? { outputs } : {}) };
  }

  /** The output's width and whether it is a sequence. */
  private outputLayout(): { U: number; seq: boolean } {
    const out = this.graph.outputShape;
    return { U: out[out.length - 1] as number, seq: out.length === 2 };
  }

  /** Per-batch outputs, time-major [T, B, U] (or [B, U]) each, into one batch-major [N, (T,) U] array. */
  private batchMajor(parts: Float32Array[], N: number, T: number, batchSize: number): Float32Array {
    const { U, seq } = this.outputLayout();
    const steps = seq ? T : 1;
    const perSample = steps * U;
    const result = new Float32Array(N * perSample);
    parts.forEach((v, k) => {
      const B = v.length / perSample;
      const s = k * batchSize;
      for (let b = 0; b < B; b++) for (let t = 0; t < steps; t++) result.set(v.subarray((t * B + b) * U, (t * B + b + 1) * U), (s + b) * perSample + t * U);
    });
    return result;
  }

  /** The real (unpadded) timesteps of these rows together: what an inference pass projects. */
  private tokenCount(inputs: Inputs, rows: readonly number[]): number {
    const masked = this.masksZeros();
    return rows.reduce((n, r) => n + rowLength(inputs, r, masked), 0);
  }

  /** Each sample's real length: its non-zero ids when the embedding masks zeros, else every timestep. */
  private rowLengths(inputs: Inputs): Uint32Array {
    const masked = this.masksZeros();
    return Uint32Array.from({ length: inputs.N }, (_, r) => rowLength(inputs, r, masked));
  }

  /** Token ids whose id 0 is padding (an embedding with maskZero first). */
  private masksZeros(): boolean {
    return this.graph.input.kind === 'ids' && !!(this.graph.layers[0]!.layer as { maskZero?: boolean }).maskZero;
  }

  /** Train. Returns Keras's history (per-epoch loss and metrics, val_ ones with validation data). */
  async fit(x: TensorLike, y: TensorLike, opts: SequentialFitOptions = {}): Promise<SequentialHistory> {
    const c = this.requireCompiled('fit');
    const inputs = readInputs(x, this.graph);
    const train: PreparedData = { inputs, targets: readTargets(y, this.graph, inputs, this.targetKind(c)) };
    let validation: PreparedData | null = null;
    if (opts.validationData) {
      const [vx, vy] = opts.validationData;
      const vi = readInputs(vx, this.graph);
      validation = { inputs: vi, targets: readTargets(vy, this.graph, vi, this.targetKind(c)) };
    }
    return this.fitPrepared(train, validation, opts);
  }

  /**
   * @internal `fit` on data already read (a preset that prepares its own, e.g. the sentiment model's
   * padded token ids and their real lengths). `opts.validationData` is ignored: give `validation`.
   */
  async fitPrepared(train: PreparedData, validationData: PreparedData | null, opts: SequentialFitOptions = {}): Promise<SequentialHistory> {
    const c = this.requireCompiled('fit');
    await this.ready();
    const epochs = opts.epochs ?? 1;
    const batchSize = opts.batchSize ?? 32;
    if (!(Number.isInteger(epochs) && epochs >= 1)) throw new Error(`fit: epochs must be a positive integer, got ${epochs}`);
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`fit: batchSize must be a positive integer, got ${batchSize}`);
    const { inputs, targets } = train;
    const allLengths = train.lengths ?? this.rowLengths(inputs);
    const classWeights = this.classWeights(c, opts.classWeight);
    let trainRows = Array.from({ length: inputs.N }, (_, i) => i);
    let validation: { inputs: Inputs; targets: Targets; rows: number[] } | null = null;
    if (validationData && opts.validationSplit) throw new Error('fit: give validationData or validationSplit, not both');
    if (opts.validationSplit !== undefined && opts.validationSplit !== 0) {
      const f = opts.validationSplit;
      if (!(f > 0 && f < 1)) throw new Error(`fit: validationSplit must be in (0, 1), got ${f}`);
      const at = Math.floor(inputs.N * (1 - f));
      if (at < 1 || at >= inputs.N) throw new Error(`fit: validationSplit ${f} of ${inputs.N} samples leaves no training or no validation samples`);
      validation = { inputs, targets, rows: trainRows.slice(at) };
      trainRows = trainRows.slice(0, at);
    } else if (validationData) {
      validation = { inputs: validationData.inputs, targets: validationData.targets, rows: Array.from({ length: validationData.inputs.N }, (_, i) => i) };
    }
    if (opts.earlyStopping && !validation) throw new Error('fit: earlyStopping needs validationSplit or validationData');
    checkGraphFits(this.graph, this.engine.device.limits, { T: inputs.T, B: Math.min(batchSize, trainRows.length) }, this.limitAdvice);
    const units = this.graph.outputShape[this.graph.outputShape.length - 1] as number;
    const history = await fitLoop<TrainBatch>(
      {
        rows: trainRows.length,
        lengths: Uint32Array.from(trainRows, (r) => allLengths[r]!),
        batchOf: (rows) => {
          const picked = rows.map((r) => trainRows[r]!);
          return { input: gatherInputs(inputs, picked, this.graph.input.kind), targets: gatherTargets(targets, picked, inputs.T) };
        },
        trainStep: (b) => this.trainStep(c, b, classWeights),
        validate: validation ? () => this.evaluateRows(c, validation.inputs, validation.targets, validation.rows, Math.max(batchSize, DEFAULT_PREDICT_BATCH)) : null,
        readWeights: () => this.params.read(),
        writeWeights: (w) => {
          for (const [k, v] of w) this.params.write(k, v);
        },
        shuffleRng: this.shuffleRng,
        // Divergence is judged against the loss of an uninformed model: ln C for C classes, else 1.
        lossScale: c.loss === 'sparseCategoricalCrossentropy' ? Math.log(units) : 1,
      },
      { epochs, batchSize, shuffle: opts.shuffle ?? true, bucketing: opts.bucketing ?? false, signal: opts.signal, onBatchEnd: opts.onBatchEnd, onEpochEnd: opts.onEpochEnd, earlyStopping: opts.earlyStopping },
    );
    const byName: Record<string, number[]> = { loss: history.epochs.map((e) => e.loss) };
    const classification = c.metrics.includes('accuracy');
    if (classification) byName.accuracy = history.epochs.map((e) => e.accuracy);
    for (const m of c.metrics) if (m !== 'accuracy') byName[m] = history.epochs.map((e) => e.metrics[m]!);
    if (validation) {
      byName.val_loss = history.epochs.map((e) => e.valLoss!);
      if (classification) byName.val_accuracy = history.epochs.map((e) => e.valAccuracy!);
      for (const m of c.metrics) if (m !== 'accuracy') byName[`val_${m}`] = history.epochs.map((e) => e.metrics[`val_${m}`]!);
    }
    return { ...history, history: byName };
  }

  /** @internal One training step on a prepared batch with the compiled loss and optimizer (for trainers that make their own batches). */
  trainBatch(batch: TrainBatch): Promise<StepStats> {
    const c = this.requireCompiled('trainBatch');
    return this.whenReady(() => this.trainStep(c, batch, undefined));
  }

  /** @internal The loss and metrics of a prepared batch, without dropout. */
  evaluateBatch(batch: TrainBatch): Promise<LossStats> {
    const c = this.requireCompiled('evaluateBatch');
    return this.whenReady(() => this.evalBatch(c, batch));
  }

  /** @internal Loss, metrics and the model's outputs on prepared data, without dropout. */
  evaluatePrepared(data: PreparedData, opts: { batchSize?: number } = {}): Promise<EvaluationWithOutputs> {
    const c = this.requireCompiled('evaluate');
    return this.whenReady(() => this.evaluateRows(c, data.inputs, data.targets, Array.from({ length: data.inputs.N }, (_, i) => i), opts.batchSize ?? DEFAULT_PREDICT_BATCH, true));
  }

  /** Loss and compiled metrics on (x, y), without dropout. */
  async evaluate(x: TensorLike, y: TensorLike, opts: { batchSize?: number } = {}): Promise<EvaluateResult> {
    const c = this.requireCompiled('evaluate');
    await this.ready();
    const inputs = readInputs(x, this.graph);
    const targets = readTargets(y, this.graph, inputs, this.targetKind(c));
    const { loss, metrics } = await this.evaluateRows(c, inputs, targets, Array.from({ length: inputs.N }, (_, i) => i), opts.batchSize ?? DEFAULT_PREDICT_BATCH);
    return { loss, metrics };
  }

  /**
   * The model's outputs for x, in the input's form: nested arrays for nested arrays ([N, units], or
   * [N, time, units] for a sequence output), `{ data, shape }` for `{ data, shape }`.
   */
  predict(x: ShapedArray, opts?: PredictOptions): Promise<PredictionArray>;
  predict<Out extends number[][] | number[][][] = number[][]>(x: number[][] | number[][][], opts?: PredictOptions): Promise<Out>;
  async predict(x: TensorLike, opts: PredictOptions = {}): Promise<unknown> {
    this.alive();
    const inputs = readInputs(x, this.graph);
    const result = await this.predictPrepared(inputs, opts);
    const { U, seq } = this.outputLayout();
    const shape = [inputs.N, ...(seq ? [inputs.T] : []), U];
    return inputs.nested ? toNested(result, shape) : { data: result, shape };
  }

  /** @internal `predict` on inputs already read: batch-major [N, (T,) units]. */
  async predictPrepared(inputs: Inputs, opts: PredictOptions = {}): Promise<Float32Array> {
    this.alive();
    await this.ready();
    const asked = opts.batchSize ?? DEFAULT_PREDICT_BATCH;
    if (!(Number.isInteger(asked) && asked >= 1)) throw new Error(`predict: batchSize must be a positive integer, got ${asked}`);
    const precision = opts.weightPrecision ?? 'float32';
    if (precision !== 'float32' && precision !== 'float16' && precision !== 'bfloat16') throw new Error(`predict: weightPrecision must be 'float32', 'float16' or 'bfloat16', got ${String(precision)}`);
    const format = precision === 'float32' ? null : precision;
    if (format) await this.halfWeights().ready(format);
    const batchSize = this.rowsPerStep(inputs.T, asked);
    const pending: Array<Promise<Float32Array>> = [];
    // Rows of similar real length batched together (a masked model skips the timesteps a whole batch pads).
    const order = this.lengthOrder(inputs);
    this.tokenTables().prepare(this.tokenCount(inputs, order));
    const half = format ? this.halfWeights().update(format) : null;
    for (let s = 0; s < inputs.N; s += batchSize) {
      const rows = order.slice(s, s + batchSize);
      const step = this.engine.beginStep({ grad: false, label: 'predict step' });
      try {
        pending.push(this.encodeInference(step, gatherInputs(inputs, rows, this.graph.input.kind), half));
        step.submit();
      } catch (e) {
        step.abort();
        throw e;
      }
    }
    const sorted = this.batchMajor(await Promise.all(pending), inputs.N, inputs.T, batchSize);
    const per = sorted.length / inputs.N;
    const result = new Float32Array(sorted.length);
    order.forEach((r, i) => result.set(sorted.subarray(i * per, (i + 1) * per), r * per));
    return result;
  }

  /**
   * Rows by real length (stable), for inference: with an embedding that masks zeros, batches of similar
   * length run fewer timesteps (the leading all-padding ones are skipped); otherwise the rows in order.
   */
  private lengthOrder(inputs: Inputs): number[] {
    const rows = Array.from({ length: inputs.N }, (_, i) => i);
    const lengths = this.rowLengths(inputs);
    return rows.sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  }

  /**
   * @internal The model's outputs for one batch, encoded on a step the caller opened and submits
   * (prediction; benchmarks profile it): time-major [T, B, units] (or [B, units]).
   */
  encodeInference(step: Step, input: InputBatch, half: ForwardContext['halfWeights'] | null = null): Promise<Float32Array> {
    const softmax = lastActivation(this.graph) === 'softmax';
    const { out: y } = forward(step, this.graph, this.params, input, { training: false, skipLastActivation: softmax, ...this.tablesOption(), ...(half ? { halfWeights: half } : {}) });
    return step.read(softmax ? softmaxOf(step, y) : y.data);
  }

  /**
   * Gradient × input saliency of one sequence of token ids (a model whose first layer is an embedding):
   * with L the output unit `target` before the last activation, timestep t scores
   * Σ_e x[t, e] · ∂L/∂x[t, e] over the embedded input, dropout off. One step, one submit.
   */
  async saliency(ids: ArrayLike<number>, target: number): Promise<Float32Array> {
    this.alive();
    if (this.graph.input.kind !== 'ids') throw new Error('saliency: the model\'s first layer must be an embedding (token-id input)');
    const inputs = readInputs({ data: ids, shape: [1, ids.length] }, this.graph);
    const { U, seq } = this.outputLayout();
    if (seq) throw new Error('saliency: the model outputs a sequence; saliency scores one output per sample');
    if (!(Number.isInteger(target) && target >= 0 && target < U)) throw new Error(`saliency: target ${target} is not an output unit 0…${U - 1}`);
    await this.ready();
    const T = inputs.T;
    const step = this.engine.beginStep({ grad: true, label: 'saliency' });
    let read: Promise<[Float32Array, Float32Array]>;
    try {
      this.params.zeroGrads(step);
      const { out, embedded } = forward(step, this.graph, this.params, gatherInputs(inputs, [0], 'ids'), { training: false, skipLastActivation: true });
      const seed = new Float32Array(U);
      seed[target] = 1;
      backpropFrom(step, out, seed);
      const xP = step.read(embedded!.data);
      step.backward();
      const gP = step.read(embedded!.grad!);
      step.submit();
      read = Promise.all([xP, gP]);
    } catch (e) {
      step.abort();
      throw e;
    }
    const [x, g] = await read;
    const E = x.length / T;
    const scores = new Float32Array(T);
    for (let t = 0; t < T; t++) for (let e = 0; e < E; e++) scores[t]! += x[t * E + e]! * g[t * E + e]!;
    return scores;
  }

  /**
   * What every recurrent layer (and direction) computed at each timestep of `x` — the LSTM's gates i, f,
   * o, its candidate, c and h; the GRU's z, r, candidate and h; the SimpleRNN's h — with padding marked,
   * and the prediction: one forward step that keeps what training keeps, one readback (inspect.ts).
   */
  async inspect(x: TensorLike): Promise<Inspection> {
    this.alive();
    await this.ready();
    return inspectModel(this, x);
  }

  /** Weights by Keras name (e.g. "lstm/kernel"), in layer order. */
  async getWeights(): Promise<Map<string, Float32Array>> {
    this.alive();
    return this.params.read();
  }

  /** Replace weights by name; every given array must have the weight's size. */
  setWeights(weights: Map<string, Float32Array>): void {
    this.alive();
    for (const [k, v] of weights) this.params.write(k, v);
  }

  /**
   * The model file: layers, compile settings and weights in one zip (see loadModel), and by default the
   * optimizer's state and the random streams' positions, so that a loaded model's `fit` continues exactly
   * where this one stopped (`includeOptimizer: false` leaves them out: a smaller file for inference).
   */
  async save(opts: { includeOptimizer?: boolean } = {}): Promise<Uint8Array> {
    return this.saveAs(null, opts);
  }

  /**
   * @internal The file of a preset around this model (the preset's data beside the layers). `compress:
   * false` stores without DEFLATE: much less main-thread work, for in-memory snapshots.
   */
  async saveAs(preset: PresetPart | null, opts: { includeOptimizer?: boolean; compress?: boolean } = {}): Promise<Uint8Array> {
    this.alive();
    const training = opts.includeOptimizer === false ? undefined : { ...(await this.params.readOptimizer()), rng: { dropoutDraws: this.dropoutDraws, shuffle: this.shuffleRng.state() } };
    const file = { graph: this.graph, name: this.name, seed: this.seed, compile: this.compiledAs, metadata: this.metadata };
    return encodeSequential(file, await this.params.read(), training, { ...(preset ? { preset } : {}), ...(opts.compress !== undefined ? { compress: opts.compress } : {}) });
  }

  /** The key of the next training step's dropout masks (the counter moves on once per training step). */
  private nextDropoutKey(): DropoutKey {
    return { seed: this.dropoutSeed, draw: this.dropoutDraws++ };
  }

  /** @internal Continue from a saved training state (loadModel). */
  restoreTraining(t: TrainingState): void {
    this.params.writeOptimizer(t);
    this.dropoutDraws = restoredDropoutDraws(t);
    this.shuffleRng = seedrandom('', { state: t.rng.shuffle as seedrandom.State.Arc4 });
  }

  /** TF.js Layers artifacts (model.json content and weights.bin) for tf.loadLayersModel. */
  async exportTfjs(): Promise<TfjsArtifacts> {
    this.alive();
    return toTfjs(this.graph, this.name, await this.params.read());
  }

  /** A Keras 3 `.keras` archive (config.json, metadata.json, model.weights.h5) for keras.saving.load_model. */
  async exportKeras(): Promise<Uint8Array> {
    this.alive();
    const { toKeras } = await import('./keras-archive');
    return toKeras(this.graph, this.name, await this.params.read());
  }

  /** @internal What exportKeras writes, as plain data without the HDF5 library (the element's Worker sends it to the page). */
  async kerasParts(): Promise<KerasParts> {
    this.alive();
    const { kerasParts } = await import('./keras');
    return kerasParts(this.graph, this.name, await this.params.read());
  }

  /** Keras's summary table: layers, output shapes, parameter counts. Printed with `print` (console.log by default) and returned. */
  summary(print: ((line: string) => void) | null = console.log): string {
    const text = formatSummary(this.graph, this.name);
    if (print) for (const line of text.split('\n')) print(line);
    return text;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.tables?.destroy();
    this.half?.destroy();
    this.params.destroy();
  }

  private halfWeights(): HalfWeights {
    return (this.half ??= new HalfWeights(this.engine, this.params, this.graph));
  }

  private tokenTables(): TokenTables {
    return (this.tables ??= new TokenTables(this.engine, this.params, this.graph));
  }

  /** An inference forward's option: the token tables, where this model's first recurrent layer can use them. */
  private tablesOption(): { tokenTables?: TokenTables } {
    const tables = this.tokenTables();
    return tables.applies ? { tokenTables: tables } : {};
  }
}

/**
 * @internal A model file's layers model (weights, compile settings and, when saved, the training state,
 * so that fit resumes exactly) and what it was saved as: its kind and the preset's data. The public
 * entry is loadModel (load-model.ts), which gives presets their own objects.
 */
export async function loadSequential(source: Uint8Array | ArrayBuffer | OpenedModelZip, opts: { engine?: Engine } = {}): Promise<{ model: Sequential; kind: ModelKind; preset: Record<string, unknown> | null }> {
  const saved = await decodeSequential(source);
  return { model: await sequentialFromFile(saved, opts), kind: saved.kind, preset: saved.preset };
}

/** @internal The layers model of a decoded file, on the GPU (a preset checks its own data first). */
export async function sequentialFromFile(saved: DecodedFile, opts: { engine?: Engine; shape?: { T: number; B: number } } = {}): Promise<Sequential> {
  const engine = opts.engine ?? (await getDefaultEngine());
  checkGraphFits(saved.graph, engine.device.limits, opts.shape);
  const model = new Sequential(engine, saved.graph, saved.seed, saved.name);
  model.initialize(saved.values);
  try {
    if (saved.compile) model.compile(saved.compile);
    model.setUserDefinedMetadata(saved.metadata);
    if (saved.training) model.restoreTraining(saved.training);
  } catch (e) {
    model.dispose(); // a file refused after its weights were allocated leaves nothing on the GPU
    throw new Error(`not a valid model file: ${(e as Error).message}`);
  }
  await model.ready();
  return model;
}
