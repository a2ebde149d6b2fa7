/**
 * Export to Keras 3's `.keras` archive: config.json (the Sequential's layers as Keras 3 serialises them),
 * metadata.json, and model.weights.h5 in Keras 3's layout (layers/<class name, deduplicated>/vars/<i>;
 * an LSTM's weights under .../cell/vars, a Bidirectional's under forward_layer/ and backward_layer/), so
 * that `keras.saving.load_model` loads it and predicts the same. The weights are already in Keras's
 * layout (gate order i, f, c, o). This file says what goes where (plain data, no HDF5; each layer's part
 * comes from its kind's rule, rules.ts); keras-archive.ts writes it. `layersFromKeras` reads a config.json
 * back into layer specs.
 */
import type { Graph } from './graph';
import type { KerasVar } from './layer-rule';
import { layersFromConfigs, ruleOf, sequentialLayers } from './rules';
import type { Layer } from './specs';

/** The Keras version whose format this writes (and that the Python check loads it with). */
export const KERAS_FORMAT_VERSION = '3.15.1';

export function kerasConfig(graph: Graph, name: string): Record<string, unknown> {
  const inputShape = [null, ...graph.input.shape];
  return {
    module: 'keras',
    class_name: 'Sequential',
    config: {
      name,
      trainable: true,
      dtype: 'float32',
      layers: [
        { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: inputShape, dtype: 'float32', sparse: false, ragged: false, name: 'input_layer' }, registered_name: null },
        ...graph.layers.map((b) => ruleOf(b.layer).keras.toConfig(b)),
      ],
    },
    registered_name: null,
    build_config: { input_shape: inputShape },
  };
}

/** Where each weight goes in model.weights.h5 (index −1: an empty vars group), and each vars group's name attribute. */
export function kerasWeightPaths(graph: Graph): KerasVar[] {
  const used = new Set<string>();
  return graph.layers.flatMap((b) => {
    // Keras 3 keys a model's layers by class name in snake case, deduplicated in order: dense, dense_1, …
    const rule = ruleOf(b.layer);
    let key = rule.snake;
    for (let i = 1; used.has(key); i++) key = `${rule.snake}_${i}`;
    used.add(key);
    // Every object has a vars group named after it (empty when its variables live in a cell).
    return rule.keras.vars(b, `layers/${key}`);
  });
}

/** The layers of a Keras 3 Sequential (the parsed config.json) as specs, each read by its rule and checked by its factory. */
export function layersFromKeras(json: unknown): Layer[] {
  return layersFromConfigs(sequentialLayers(json), 'keras');
}

/**
 * Everything a `.keras` archive holds, as plain data (structured-cloneable: a Worker computes it, the
 * page writes the archive): the configuration, the model's name, and each vars group of the weights
 * file with its name attribute and its datasets in order.
 */
export interface KerasParts {
  name: string;
  config: Record<string, unknown>;
  groups: Array<{ group: string; varsName: string; datasets: Array<{ index: number; shape: number[]; data: Float32Array }> }>;
}

export function kerasParts(graph: Graph, name: string, values: ReadonlyMap<string, Float32Array>): KerasParts {
  const shapes = new Map(graph.layers.flatMap((b) => b.weights).map((w) => [w.name, w.shape] as const));
  const groups: KerasParts['groups'] = [];
  for (const w of kerasWeightPaths(graph)) {
    let g = groups.find((x) => x.group === w.group);
    if (!g) groups.push((g = { group: w.group, varsName: w.varsName, datasets: [] }));
    if (w.index < 0) continue;
    const data = values.get(w.weight);
    if (!data) throw new Error(`export: missing weight "${w.weight}"`);
    g.datasets.push({ index: w.index, shape: [...shapes.get(w.weight)!], data: Float32Array.from(data) });
  }
  return { name, config: kerasConfig(graph, name), groups };
}
