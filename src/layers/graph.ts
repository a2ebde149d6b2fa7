/**
 * From a list of layers to a built model description: Keras names (lstm, lstm_1, …), output shapes,
 * where the padding mask flows, and every weight's name and shape, checked layer by layer (each by its
 * kind's shape rule, rules.ts) with errors that name the layer and both shapes. No GPU work;
 * `initialWeights` draws the initial values from one seeded stream in layer order (Keras's initialisers).
 */
import type { ParamSpec } from '../engine/parameters';
import { formatShape, type BuiltLayer, type Graph, type Shape } from './built';
import type { LayerKind } from './layer-rule';
import { LAYER_RULES, ruleOf } from './rules';
import type { InputShape, Layer } from './specs';

export type { BuiltLayer, Graph, Shape, WeightShape } from './built';
export { formatShape } from './built';

export function buildGraph(list: readonly Layer[]): Graph {
  if (!Array.isArray(list) || list.length === 0) throw new Error('sequential: give at least one layer');
  const counters = new Map<string, number>();
  const taken = new Set<string>();
  for (const l of list) for (const n of ruleOf(l).names(l)) {
    if (n === undefined) continue;
    if (taken.has(n)) throw new Error(`sequential: two layers are named "${n}"`);
    taken.add(n);
  }
  const autoName = (kind: LayerKind) => {
    const base = LAYER_RULES[kind].snake;
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
  if (ruleOf(first).readsTokenIds) {
    inputKind = 'ids';
    shape = first.inputShape ?? [null];
    if (shape.length !== 1) throw new Error(`layer "${ruleOf(first).snake}": inputShape must be [sequence length] (token ids), got ${JSON.stringify(first.inputShape)}`);
  } else {
    inputKind = 'floats';
    if (!first.inputShape) throw new Error(`the first layer (${first.className}) needs an inputShape, e.g. inputShape: [30, 1] for 30 timesteps of 1 feature`);
    shape = first.inputShape as InputShape;
  }
  list.forEach((l, i) => {
    if (i > 0 && l.inputShape) throw new Error(`only the first layer takes an inputShape (layer ${i + 1}, ${l.className}, has one)`);
    if (i > 0 && ruleOf(l).readsTokenIds) throw new Error(`an ${ruleOf(l).snake} layer must come first (it reads token ids)`);
  });
  const input = { kind: inputKind, shape };
  let masked = false;
  const built: BuiltLayer[] = [];
  list.forEach((l, i) => {
    const name = l.name ?? autoName(l.className);
    const layerInput = shape;
    const sequenceFeatures = (hint: string) => {
      if (layerInput.length !== 2) throw new Error(`layer "${name}" (${l.className}) expects a sequence input [batch, time, features], got ${formatShape(layerInput)}${hint}`);
      return layerInput[1] as number;
    };
    const parts = ruleOf(l).build(l, { name, input: layerInput, first: i === 0, last: i === list.length - 1, masked, sequenceFeatures, autoName });
    masked = parts.masked;
    built.push({ layer: l, name, ...(parts.innerName ? { innerName: parts.innerName } : {}), inputShape: layerInput, outputShape: parts.outputShape, weights: parts.weights, masked });
    shape = parts.outputShape;
  });
  return { layers: built, input, outputShape: shape, outputMasked: masked && shape.length === 2 };
}

/** The initial values, drawn from `rng` layer by layer in weight order (Keras's default initialisers). */
export function initialWeights(graph: Graph, rng: () => number): ParamSpec[] {
  return graph.layers.flatMap((b) => ruleOf(b.layer).init(b, rng));
}

export function countParams(graph: Graph): number {
  return graph.layers.reduce((s, b) => s + b.weights.reduce((t, w) => t + w.shape.reduce((a, c) => a * c, 1), 0), 0);
}
