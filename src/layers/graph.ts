/**
 * From a list of layers to a built model description: Keras names (lstm, lstm_1, …), output shapes,
 * where the padding mask flows, and every weight's name and shape, checked layer by layer with errors
 * that name the layer and both shapes. No GPU work; `initialWeights` draws the initial values from one
 * seeded stream in layer order (Keras's initialisers).
 */
import type { ParamSpec } from '../engine/parameters';
import { glorotUniform, lstmBias, orthogonal } from '../nn/init';
import { GATE } from '../nn/lstm-layout';
import type { InputShape, Layer, LstmLayer } from './specs';

/** A shape without the batch dimension (Keras layout: [time, features] or [features]); null = any length. */
export type Shape = ReadonlyArray<number | null>;

export interface WeightShape {
  name: string;
  shape: number[];
}

export interface BuiltLayer {
  layer: Layer;
  name: string;
  /** The wrapped LSTM's name (Bidirectional only). */
  innerName?: string;
  inputShape: Shape;
  outputShape: Shape;
  weights: WeightShape[];
  /** A padding mask reaches this layer's output (Keras mask propagation). */
  masked: boolean;
}

export interface Graph {
  layers: BuiltLayer[];
  /** The model's input: token ids [time] for an embedding first layer, else floats. */
  input: { kind: 'ids' | 'floats'; shape: Shape };
  outputShape: Shape;
  /** The output is a sequence whose padded timesteps are masked (they take no part in the loss). */
  outputMasked: boolean;
}

export const SNAKE: Record<Layer['className'], string> = {
  Embedding: 'embedding',
  SpatialDropout1D: 'spatial_dropout1d',
  Dropout: 'dropout',
  LSTM: 'lstm',
  Bidirectional: 'bidirectional',
  Dense: 'dense',
};

export const formatShape = (s: Shape) => `[${['null', ...s.map((d) => (d === null ? 'null' : String(d)))].join(', ')}]`;

export function lstmWeights(prefix: string, inputDim: number, units: number): WeightShape[] {
  return [
    { name: `${prefix}/kernel`, shape: [inputDim, 4 * units] },
    { name: `${prefix}/recurrent_kernel`, shape: [units, 4 * units] },
    { name: `${prefix}/bias`, shape: [4 * units] },
  ];
}

export function buildGraph(list: readonly Layer[]): Graph {
  if (!Array.isArray(list) || list.length === 0) throw new Error('sequential: give at least one layer');
  const counters = new Map<string, number>();
  const taken = new Set<string>();
  for (const l of list) for (const n of [l.name, l.className === 'Bidirectional' ? l.layer.name : undefined]) {
    if (n === undefined) continue;
    if (taken.has(n)) throw new Error(`sequential: two layers are named "${n}"`);
    taken.add(n);
  }
  const autoName = (className: Layer['className']) => {
    const base = SNAKE[className];
    for (;;) {
      const k = counters.get(base) ?? 0;
      counters.set(base, k + 1);
      const name = k === 0 ? base : `${base}_${k}`;
      if (!taken.has(name)) return name;
    }
  };

  const first = list[0]!;
  let inputKind: 'ids' | 'floats';
  let shape: Shape;
  if (first.className === 'Embedding') {
    inputKind = 'ids';
    shape = first.inputShape ?? [null];
    if (shape.length !== 1) throw new Error(`layer "embedding": inputShape must be [sequence length] (token ids), got ${JSON.stringify(first.inputShape)}`);
  } else {
    inputKind = 'floats';
    if (!first.inputShape) throw new Error(`the first layer (${first.className}) needs an inputShape, e.g. inputShape: [30, 1] for 30 timesteps of 1 feature`);
    shape = first.inputShape as InputShape;
  }
  list.forEach((l, i) => {
    if (i > 0 && l.inputShape) throw new Error(`only the first layer takes an inputShape (layer ${i + 1}, ${l.className}, has one)`);
    if (i > 0 && l.className === 'Embedding') throw new Error('an embedding layer must come first (it reads token ids)');
  });
  const input = { kind: inputKind, shape };
  let masked = false;
  const built: BuiltLayer[] = [];
  list.forEach((l, i) => {
    const name = l.name ?? autoName(l.className);
    const last = i === list.length - 1;
    const needSeq = (what: string) => {
      if (shape.length !== 2) throw new Error(`layer "${name}" (${l.className}) expects a sequence input [batch, time, features], got ${formatShape(shape)}${what}`);
      return shape[1] as number;
    };
    let out: Shape;
    let weights: WeightShape[] = [];
    let innerName: string | undefined;
    switch (l.className) {
      case 'Embedding':
        out = [shape[0]!, l.outputDim];
        weights = [{ name: `${name}/embeddings`, shape: [l.inputDim, l.outputDim] }];
        masked = l.maskZero;
        break;
      case 'SpatialDropout1D':
        needSeq('');
        out = shape;
        break;
      case 'Dropout':
        out = shape;
        break;
      case 'LSTM':
      case 'Bidirectional': {
        const lstm: LstmLayer = l.className === 'LSTM' ? l : l.layer;
        const features = needSeq(l.className === 'LSTM' && i === 0 ? ' (inputShape must be [time, features])' : '');
        const width = l.className === 'LSTM' ? lstm.units : 2 * lstm.units;
        out = lstm.returnSequences ? [shape[0]!, width] : [width];
        if (l.className === 'LSTM') weights = lstmWeights(name, features, lstm.units);
        else {
          innerName = lstm.name ?? autoName('LSTM');
          weights = ['forward', 'backward'].flatMap((d) => lstmWeights(`${name}/${d}_${innerName}`, features, lstm.units));
        }
        if (!lstm.returnSequences) masked = false;
        break;
      }
      case 'Dense': {
        const features = shape[shape.length - 1];
        if (typeof features !== 'number') throw new Error(`layer "${name}" (Dense) needs a known feature size, got ${formatShape(shape)}`);
        if (shape.length > 2) throw new Error(`layer "${name}" (Dense) expects [batch, features] or [batch, time, features], got ${formatShape(shape)}`);
        if (l.activation === 'softmax' && !last) throw new Error(`layer "${name}": a softmax activation is supported on the last layer only`);
        out = [...shape.slice(0, -1), l.units];
        weights = [
          { name: `${name}/kernel`, shape: [features, l.units] },
          { name: `${name}/bias`, shape: [l.units] },
        ];
        break;
      }
      default:
        throw new Error(`unknown layer class ${JSON.stringify((l as { className?: unknown }).className)}`);
    }
    built.push({ layer: l, name, ...(innerName ? { innerName } : {}), inputShape: shape, outputShape: out, weights, masked });
    shape = out;
  });
  return { layers: built, input, outputShape: shape, outputMasked: masked && shape.length === 2 };
}

/** The initial values, drawn from `rng` layer by layer in weight order (Keras's default initialisers). */
export function initialWeights(graph: Graph, rng: () => number): ParamSpec[] {
  return graph.layers.flatMap((b) => {
    const l = b.layer;
    if (l.className === 'Embedding') {
      // Keras Embedding: uniform(−0.05, 0.05).
      const [w] = b.weights;
      return [{ ...w!, init: Float32Array.from({ length: l.inputDim * l.outputDim }, () => (rng() * 2 - 1) * 0.05) }];
    }
    if (l.className === 'LSTM' || l.className === 'Bidirectional') {
      const units = l.className === 'LSTM' ? l.units : l.layer.units;
      const specs: ParamSpec[] = [];
      for (let d = 0; d < b.weights.length; d += 3) {
        const [k, r, bias] = b.weights.slice(d, d + 3) as [WeightShape, WeightShape, WeightShape];
        specs.push(
          { ...k, init: glorotUniform(rng, k.shape[0]!, 4 * units) },
          { ...r, init: orthogonal(rng, units, 4 * units) },
          { ...bias, init: lstmBias(units, GATE.f) },
        );
      }
      return specs;
    }
    if (l.className === 'Dense') {
      const [k, bias] = b.weights as [WeightShape, WeightShape];
      return [
        { ...k, init: glorotUniform(rng, k.shape[0]!, l.units) },
        { ...bias, init: new Float32Array(l.units) },
      ];
    }
    return [];
  });
}

export function countParams(graph: Graph): number {
  return graph.layers.reduce((s, b) => s + b.weights.reduce((t, w) => t + w.shape.reduce((a, c) => a * c, 1), 0), 0);
}
