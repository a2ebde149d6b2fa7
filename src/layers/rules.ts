/**
 * Every layer kind's rule (layer-rule.ts), in one table typed by kind: a kind added to `Layer` without a
 * rule here does not compile. Adding a kind is its spec and factory (specs.ts), its rule (kinds/<kind>.ts)
 * and its line below, plus any fused op it needs.
 */
import { ConfigReader, type LayerKind, type LayerRule } from './layer-rule';
import type { InputShape, Layer } from './specs';
import { BIDIRECTIONAL } from './kinds/bidirectional';
import { DENSE } from './kinds/dense';
import { DROPOUT } from './kinds/dropout';
import { EMBEDDING } from './kinds/embedding';
import { GRU } from './kinds/gru';
import { LSTM } from './kinds/lstm';
import { MASKING } from './kinds/masking';
import { SIMPLE_RNN } from './kinds/simple-rnn';
import { SPATIAL_DROPOUT_1D } from './kinds/spatial-dropout';
import { TIME_DISTRIBUTED } from './kinds/time-distributed';

export const LAYER_RULES: { readonly [K in LayerKind]: LayerRule<K> } = {
  Embedding: EMBEDDING,
  Masking: MASKING,
  SpatialDropout1D: SPATIAL_DROPOUT_1D,
  Dropout: DROPOUT,
  LSTM,
  GRU,
  SimpleRNN: SIMPLE_RNN,
  Bidirectional: BIDIRECTIONAL,
  Dense: DENSE,
  TimeDistributed: TIME_DISTRIBUTED,
};

export const isLayerKind = (kind: unknown): kind is LayerKind => typeof kind === 'string' && Object.hasOwn(LAYER_RULES, kind);

/** The rule of a layer's kind (a layer from untyped code or a file may name a kind that has none). */
export function ruleOf<K extends LayerKind>(layer: { className: K }): LayerRule<K> {
  const kind = layer.className;
  if (!isLayerKind(kind)) throw new Error(`unknown layer class ${JSON.stringify(kind)}`);
  return LAYER_RULES[kind];
}

/** Re-check a layer read from a file (or passed in from untyped code) through its factory. */
export function reviveLayer(l: unknown): Layer {
  const { className, ...args } = l as { className: LayerKind } & Record<string, unknown>;
  return ruleOf({ className }).revive(args, reviveLayer);
}

/** The layer list of a Sequential's Keras or TF.js JSON ({ class_name: 'Sequential', config: { layers } }). */
export function sequentialLayers(json: unknown): unknown[] {
  const top = ConfigReader.of('Sequential', json);
  if (top.value('class_name') !== 'Sequential') throw new Error(`expected a Sequential model, got class_name ${JSON.stringify(top.value('class_name'))}`);
  const list = ConfigReader.of('Sequential', top.value('config')).value<unknown>('layers');
  if (!Array.isArray(list)) throw new Error('Sequential: config.layers must be a list of layers');
  return list;
}

/**
 * Layer entries ({ class_name, config }) of a Keras 3 or TF.js Sequential as specs: each read by its
 * kind's rule and checked by its factory. The model's input shape comes from an InputLayer's batch shape,
 * or the first layer's batch shape or build config.
 */
export function layersFromConfigs(entries: readonly unknown[], format: 'keras' | 'tfjs'): Layer[] {
  let inputShape: InputShape | undefined;
  const out: Layer[] = [];
  entries.forEach((e, i) => {
    const { class_name: className, config, build_config: build } = (e ?? {}) as { class_name?: unknown; config?: unknown; build_config?: { input_shape?: unknown } };
    const c = ConfigReader.of(String(className), config);
    const batchShape = c.value<unknown>('batch_shape', c.value<unknown>('batch_input_shape'));
    if (className === 'InputLayer') {
      if (i !== 0) throw new Error('Sequential: an InputLayer must come first');
      if (!Array.isArray(batchShape)) throw new Error('InputLayer: batch_shape must be a list');
      inputShape = batchShape.slice(1);
      return;
    }
    if (!isLayerKind(className)) throw new Error(`unknown layer class ${JSON.stringify(className)} (known: ${Object.keys(LAYER_RULES).join(', ')})`);
    if (out.length === 0 && inputShape === undefined) {
      const shape = Array.isArray(batchShape) ? batchShape : build?.input_shape;
      if (Array.isArray(shape)) inputShape = shape.slice(1);
    }
    const rule = LAYER_RULES[className];
    out.push(format === 'keras' ? rule.keras.fromConfig(c) : rule.tfjs.fromConfig(c));
  });
  if (out.length === 0) throw new Error('Sequential: no layers');
  if (inputShape !== undefined) out[0] = reviveLayer({ ...out[0], inputShape });
  return out;
}
