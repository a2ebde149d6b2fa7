/**
 * The layer factories of the Keras-style API (`layers.lstm({ units: 32 })` …). A layer here is plain,
 * serialisable configuration, checked when it is made; shapes, names and weights come when a model is
 * built from a list of them (graph.ts).
 */

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
export interface BidirectionalArgs extends Common {
  layer: LstmLayer;
  mergeMode?: 'concat';
}
export interface DenseArgs extends Common {
  units: number;
  activation?: Activation;
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
export interface BidirectionalLayer extends Common {
  className: 'Bidirectional';
  layer: LstmLayer;
  mergeMode: 'concat';
}
export interface DenseLayer extends Required<Omit<DenseArgs, 'name' | 'inputShape'>>, Common {
  className: 'Dense';
}

export type Layer = EmbeddingLayer | SpatialDropoutLayer | DropoutLayer | LstmLayer | BidirectionalLayer | DenseLayer;

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

function lstmLayer(args: LstmArgs): LstmLayer {
  known('lstm', args, ['units', 'returnSequences', 'goBackwards', 'dropout', 'recurrentDropout']);
  return {
    className: 'LSTM',
    ...common('lstm', args),
    units: positiveInt('lstm', 'units', args.units),
    returnSequences: args.returnSequences ?? false,
    goBackwards: args.goBackwards ?? false,
    dropout: rate('lstm', 'dropout', args.dropout ?? 0),
    recurrentDropout: rate('lstm', 'recurrentDropout', args.recurrentDropout ?? 0),
  };
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
  bidirectional(args: BidirectionalArgs): BidirectionalLayer {
    known('bidirectional', args, ['layer', 'mergeMode']);
    if (args.layer?.className !== 'LSTM') throw new Error('bidirectional: layer must be an lstm layer (layers.lstm({ … }))');
    if ((args.mergeMode ?? 'concat') !== 'concat') throw new Error(`bidirectional: mergeMode "${args.mergeMode}" is not supported (only 'concat')`);
    if (args.layer.inputShape) throw new Error('bidirectional: give inputShape to the bidirectional layer, not to the layer it wraps');
    const { className: _, ...inner } = args.layer as LstmLayer & { className?: string };
    return { className: 'Bidirectional', ...common('bidirectional', args), layer: lstmLayer(inner), mergeMode: 'concat' };
  },
  dense(args: DenseArgs): DenseLayer {
    known('dense', args, ['units', 'activation']);
    const activation = args.activation ?? 'linear';
    if (!ACTIVATIONS.includes(activation)) throw new Error(`dense: unknown activation "${activation}" (known: ${ACTIVATIONS.join(', ')})`);
    return { className: 'Dense', ...common('dense', args), units: positiveInt('dense', 'units', args.units), activation };
  },
};
