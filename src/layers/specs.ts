/**
 * The layer factories of the Keras-style API (`layers.lstm({ units: 32 })` …). A layer here is plain,
 * serialisable configuration, checked when it is made; shapes, names and weights come when a model is
 * built from a list of them (graph.ts).
 */
import type { SimpleRnnActivation } from '../ops/recurrence';

/** Activations of a dense layer. */
export type Activation = 'linear' | 'softmax' | 'sigmoid' | 'tanh' | 'relu';
export const ACTIVATIONS: readonly Activation[] = ['linear', 'softmax', 'sigmoid', 'tanh', 'relu'];

/** An input shape without the batch dimension; `null` leaves the sequence length free. */
export type InputShape = ReadonlyArray<number | null>;

interface Common {
  /** Keras layer name; default: the class's snake_case name with a counter (lstm, lstm_1, …). */
  name?: string;
  /** The model's input shape without the batch dimension (first layer only). */
  inputShape?: InputShape;
}

export interface EmbeddingArgs extends Common {
  inputDim: number;
  outputDim: number;
  /** Token id 0 is padding: a mask flows to the LSTMs and into a per-timestep loss. */
  maskZero?: boolean;
}
export interface RateArgs extends Common {
  rate: number;
}
export interface LstmArgs extends Common {
  units: number;
  returnSequences?: boolean;
  goBackwards?: boolean;
  /** Variational input dropout (one mask per sequence and feature). */
  dropout?: number;
  recurrentDropout?: number;
}
/** Keras GRU: gate order z, r, h̃; `resetAfter` (default true, Keras's and cuDNN's form) applies the reset gate after the recurrent matmul, with a bias [2, 3·units]. */
export interface GruArgs extends LstmArgs {
  resetAfter?: boolean;
}
/** The activations of a SimpleRNN. */
export type RnnActivation = SimpleRnnActivation;
export const RNN_ACTIVATIONS: readonly RnnActivation[] = ['tanh', 'relu', 'sigmoid', 'linear'];
/** Keras SimpleRNN: h_t = activation(x·W + h_{t−1}·U + b). */
export interface SimpleRnnArgs extends LstmArgs {
  activation?: RnnActivation;
}
/** How a Bidirectional combines its two directions (Keras's merge_mode): concatenated features, or element by element. */
export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';
export const MERGE_MODES: readonly MergeMode[] = ['concat', 'sum', 'mul', 'ave'];
export interface BidirectionalArgs extends Common {
  layer: RecurrentLayer;
  /** Default 'concat' (output 2·units wide); 'sum', 'mul' and 'ave' keep units. */
  mergeMode?: MergeMode;
}
export interface DenseArgs extends Common {
  units: number;
  activation?: Activation;
}
/** Keras Masking: a timestep whose features all equal `maskValue` (default 0) is padding. */
export interface MaskingArgs extends Common {
  maskValue?: number;
}
/** Keras TimeDistributed around a Dense: the dense layer at every timestep of a sequence. */
export interface TimeDistributedArgs extends Common {
  layer: DenseLayer;
}

export interface EmbeddingLayer extends Required<Omit<EmbeddingArgs, 'name' | 'inputShape'>>, Common {
  className: 'Embedding';
}
export interface SpatialDropoutLayer extends RateArgs {
  className: 'SpatialDropout1D';
}
export interface DropoutLayer extends RateArgs {
  className: 'Dropout';
}
export interface LstmLayer extends Required<Omit<LstmArgs, 'name' | 'inputShape'>>, Common {
  className: 'LSTM';
}
export interface GruLayer extends Required<Omit<GruArgs, 'name' | 'inputShape'>>, Common {
  className: 'GRU';
}
export interface SimpleRnnLayer extends Required<Omit<SimpleRnnArgs, 'name' | 'inputShape'>>, Common {
  className: 'SimpleRNN';
}
/** The recurrent layers (the cells a Bidirectional may wrap). */
export type RecurrentLayer = LstmLayer | GruLayer | SimpleRnnLayer;
export const RECURRENT_CLASSES: ReadonlyArray<RecurrentLayer['className']> = ['LSTM', 'GRU', 'SimpleRNN'];
export interface BidirectionalLayer extends Common {
  className: 'Bidirectional';
  layer: RecurrentLayer;
  mergeMode: MergeMode;
}
export interface DenseLayer extends Required<Omit<DenseArgs, 'name' | 'inputShape'>>, Common {
  className: 'Dense';
}

export interface MaskingLayer extends Common {
  className: 'Masking';
  maskValue: number;
}
export interface TimeDistributedLayer extends Common {
  className: 'TimeDistributed';
  layer: DenseLayer;
}

export type Layer = EmbeddingLayer | MaskingLayer | SpatialDropoutLayer | DropoutLayer | LstmLayer | GruLayer | SimpleRnnLayer | BidirectionalLayer | DenseLayer | TimeDistributedLayer;

function positiveInt(layer: string, field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`${layer}: ${field} must be a positive integer, got ${String(v)}`);
  return v;
}

function rate(layer: string, field: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new Error(`${layer}: ${field} must be in [0, 1), got ${String(v)}`);
  return v;
}

function common(layer: string, a: Common): Common {
  const out: Common = {};
  if (a.name !== undefined) {
    if (typeof a.name !== 'string' || !/^[A-Za-z_][\w-]*$/.test(a.name)) throw new Error(`${layer}: name must be a word (letters, digits, _ or -), got ${JSON.stringify(a.name)}`);
    out.name = a.name;
  }
  if (a.inputShape !== undefined) {
    if (!Array.isArray(a.inputShape) || a.inputShape.length === 0 || a.inputShape.some((d, i) => d !== null && !(Number.isInteger(d) && d >= 1) || (d === null && i > 0))) {
      throw new Error(`${layer}: inputShape must list positive integers (the first may be null for any sequence length), got ${JSON.stringify(a.inputShape)}`);
    }
    out.inputShape = [...a.inputShape];
  }
  return out;
}

function known<T extends object>(layer: string, args: T, fields: readonly string[]): void {
  if (typeof args !== 'object' || args === null) throw new Error(`${layer}: expected an options object`);
  for (const k of Object.keys(args)) {
    if (!fields.includes(k) && k !== 'name' && k !== 'inputShape') throw new Error(`${layer}: unknown option "${k}" (known: ${[...fields, 'name', 'inputShape'].join(', ')})`);
  }
}

const RECURRENT_OPTIONS = ['units', 'returnSequences', 'goBackwards', 'dropout', 'recurrentDropout'] as const;

/** The options every recurrent layer shares, checked under the factory's name. */
function recurrentCommon(layer: string, args: LstmArgs): Omit<LstmLayer, 'className'> {
  return {
    ...common(layer, args),
    units: positiveInt(layer, 'units', args.units),
    returnSequences: args.returnSequences ?? false,
    goBackwards: args.goBackwards ?? false,
    dropout: rate(layer, 'dropout', args.dropout ?? 0),
    recurrentDropout: rate(layer, 'recurrentDropout', args.recurrentDropout ?? 0),
  };
}

function lstmLayer(args: LstmArgs): LstmLayer {
  known('lstm', args, RECURRENT_OPTIONS);
  return { className: 'LSTM', ...recurrentCommon('lstm', args) };
}

function gruLayer(args: GruArgs): GruLayer {
  known('gru', args, [...RECURRENT_OPTIONS, 'resetAfter']);
  if (args.resetAfter !== undefined && typeof args.resetAfter !== 'boolean') throw new Error(`gru: resetAfter must be true or false, got ${JSON.stringify(args.resetAfter)}`);
  return { className: 'GRU', ...recurrentCommon('gru', args), resetAfter: args.resetAfter ?? true };
}

function simpleRnnLayer(args: SimpleRnnArgs): SimpleRnnLayer {
  known('simpleRNN', args, [...RECURRENT_OPTIONS, 'activation']);
  const activation = args.activation ?? 'tanh';
  if (!RNN_ACTIVATIONS.includes(activation)) throw new Error(`simpleRNN: unknown activation "${activation}" (known: ${RNN_ACTIVATIONS.join(', ')})`);
  return { className: 'SimpleRNN', ...recurrentCommon('simpleRNN', args), activation };
}

/** A recurrent layer given as plain data, checked again through its own factory. */
function recurrentLayer(l: RecurrentLayer): RecurrentLayer {
  const { className, ...args } = l as RecurrentLayer & { className?: string };
  if (className === 'GRU') return gruLayer(args as GruArgs);
  if (className === 'SimpleRNN') return simpleRnnLayer(args as SimpleRnnArgs);
  return lstmLayer(args as LstmArgs);
}

/**
 * The recurrent cell of a preset (sentiment, forecaster, language model) and of the CLI's --cell:
 * 'lstm', 'gru' (Keras's default GRU: resetAfter) or 'rnn' (SimpleRNN, tanh).
 */
export type CellName = 'lstm' | 'gru' | 'rnn';
export const CELL_NAMES: readonly CellName[] = ['lstm', 'gru', 'rnn'];
/** How the CLI and the elements name each cell. */
export const CELL_TITLES: Readonly<Record<CellName, string>> = { lstm: 'LSTM', gru: 'GRU', rnn: 'SimpleRNN' };

/** `cell`, or an error naming `what` and the cells. */
export function checkCell(cell: unknown, what = 'cell'): CellName {
  if (!CELL_NAMES.includes(cell as CellName)) throw new Error(`${what} must be one of ${CELL_NAMES.join(', ')}, got ${JSON.stringify(cell)}`);
  return cell as CellName;
}

/** A preset's recurrent layer of the named cell. */
export function recurrentLayerFor(cell: CellName, args: LstmArgs): RecurrentLayer {
  switch (checkCell(cell)) {
    case 'gru': return gruLayer(args);
    case 'rnn': return simpleRnnLayer(args);
    default: return lstmLayer(args);
  }
}

function denseLayer(args: DenseArgs): DenseLayer {
  known('dense', args, ['units', 'activation']);
  const activation = args.activation ?? 'linear';
  if (!ACTIVATIONS.includes(activation)) throw new Error(`dense: unknown activation "${activation}" (known: ${ACTIVATIONS.join(', ')})`);
  return { className: 'Dense', ...common('dense', args), units: positiveInt('dense', 'units', args.units), activation };
}

/** The layers, named as in TF.js (`tf.layers.lstm` → `layers.lstm`). */
export const layers = {
  embedding(args: EmbeddingArgs): EmbeddingLayer {
    known('embedding', args, ['inputDim', 'outputDim', 'maskZero']);
    return {
      className: 'Embedding',
      ...common('embedding', args),
      inputDim: positiveInt('embedding', 'inputDim', args.inputDim),
      outputDim: positiveInt('embedding', 'outputDim', args.outputDim),
      maskZero: args.maskZero ?? false,
    };
  },
  spatialDropout1d(args: RateArgs): SpatialDropoutLayer {
    known('spatialDropout1d', args, ['rate']);
    return { className: 'SpatialDropout1D', ...common('spatialDropout1d', args), rate: rate('spatialDropout1d', 'rate', args.rate) };
  },
  dropout(args: RateArgs): DropoutLayer {
    known('dropout', args, ['rate']);
    return { className: 'Dropout', ...common('dropout', args), rate: rate('dropout', 'rate', args.rate) };
  },
  lstm: lstmLayer,
  gru: gruLayer,
  simpleRNN: simpleRnnLayer,
  bidirectional(args: BidirectionalArgs): BidirectionalLayer {
    known('bidirectional', args, ['layer', 'mergeMode']);
    if (!RECURRENT_CLASSES.includes(args.layer?.className)) throw new Error('bidirectional: layer must be a recurrent layer (layers.lstm, layers.gru or layers.simpleRNN)');
    const mergeMode = args.mergeMode ?? 'concat';
    if (!MERGE_MODES.includes(mergeMode)) throw new Error(`bidirectional: unknown mergeMode ${JSON.stringify(args.mergeMode)} (known: ${MERGE_MODES.join(', ')})`);
    if (args.layer.inputShape) throw new Error('bidirectional: give inputShape to the bidirectional layer, not to the layer it wraps');
    return { className: 'Bidirectional', ...common('bidirectional', args), layer: recurrentLayer(args.layer), mergeMode };
  },
  dense: denseLayer,
  /** Keras Masking: the model's first layer, on float sequences; masked timesteps are zeros and skipped downstream. */
  masking(args: MaskingArgs = {}): MaskingLayer {
    known('masking', args, ['maskValue']);
    const maskValue = args.maskValue ?? 0;
    if (typeof maskValue !== 'number' || !Number.isFinite(maskValue)) throw new Error(`masking: maskValue must be a finite number, got ${JSON.stringify(args.maskValue)}`);
    return { className: 'Masking', ...common('masking', args), maskValue };
  },
  /** Keras TimeDistributed(Dense): the dense layer applied at every timestep (a plain dense on a sequence computes the same). */
  timeDistributed(args: TimeDistributedArgs): TimeDistributedLayer {
    known('timeDistributed', args, ['layer']);
    if (args.layer?.className !== 'Dense') throw new Error('timeDistributed: layer must be a dense layer (layers.dense); no other layer is supported inside TimeDistributed');
    if (args.layer.inputShape) throw new Error('timeDistributed: give inputShape to the timeDistributed layer, not to the layer it wraps');
    const { className: _c, ...inner } = args.layer;
    return { className: 'TimeDistributed', ...common('timeDistributed', args), layer: denseLayer(inner) };
  },
};
