/**
 * Bidirectional: the wrapped recurrent layer (LSTM, GRU or SimpleRNN) run forward and, as a second
 * direction, opposite to it (Keras flips go_backwards), the outputs merged as Keras's merge_mode says:
 * concatenated along features ('concat', the default), or summed, multiplied or averaged. Its rule is the wrapped cell's, twice: weights under <name>/forward_<inner> and
 * <name>/backward_<inner>, in that order.
 */
import { kerasLayer, outputBuffer, summaryRow, type ConfigReader, type LayerRule } from '../layer-rule';
import { MERGE_MODES, RECURRENT_CLASSES, layers, type BidirectionalArgs, type MergeMode, type RecurrentLayer } from '../specs';
import { cellOf } from './cells';
import { cellInit, cellKerasVars, cellWeights, encodeRecurrent, recurrentOutput, recurrentTakesOneHot, storedPerSequence } from './recurrent';

const DIRECTIONS = ['forward', 'backward'] as const;

function fromConfig(c: ConfigReader, format: 'keras' | 'tfjs', innerName: (name: string) => string): ReturnType<typeof layers.bidirectional> {
  const mergeMode = c.value<unknown>('merge_mode', 'concat');
  // merge_mode None returns the two directions as a list: a model of one chain cannot take that.
  if (!MERGE_MODES.includes(mergeMode as MergeMode)) throw new Error(`Bidirectional: merge_mode ${JSON.stringify(mergeMode)} is not supported (supported: ${MERGE_MODES.join(', ')})`);
  const inner = c.layer('layer');
  const kind = inner.className as RecurrentLayer['className'];
  if (!RECURRENT_CLASSES.includes(kind)) throw new Error(`Bidirectional: the wrapped layer is a ${inner.className}; only ${RECURRENT_CLASSES.join(', ')} are supported`);
  const layer = cellOf({ className: kind }).fromConfig(inner.config, format);
  // Keras writes the backward copy too (and needs it when the wrapped layer runs backwards): it must
  // be the mirror of the forward one — same cell and settings, the other direction.
  if (c.has('backward_layer')) {
    const back = c.layer('backward_layer');
    const mirror = back.className === inner.className ? cellOf({ className: kind }).fromConfig(back.config, format) : null;
    const same = (a: RecurrentLayer, b: RecurrentLayer) => JSON.stringify({ ...a, name: '', goBackwards: false }) === JSON.stringify({ ...b, name: '', goBackwards: false });
    if (!mirror || mirror.goBackwards === layer.goBackwards || !same(mirror, layer)) {
      throw new Error('Bidirectional: a backward_layer that is not the forward layer run the other way is not supported');
    }
  }
  return layers.bidirectional({ ...c.name(), mergeMode: mergeMode as MergeMode, layer: layer.name !== undefined ? { ...layer, name: innerName(layer.name) } : layer });
}

export const BIDIRECTIONAL: LayerRule<'Bidirectional'> = {
  snake: 'bidirectional',
  readsTokenIds: false,
  revive: (args) => layers.bidirectional(args as unknown as BidirectionalArgs),
  names: (l) => [l.name, l.layer.name],
  named: (b) => ({ ...b.layer, name: b.name, layer: { ...b.layer.layer, name: b.innerName } }),

  build: (l, c) => {
    const inner = l.layer;
    const features = c.sequenceFeatures('');
    const innerName = inner.name ?? c.autoName(inner.className);
    return {
      outputShape: recurrentOutput(inner, c.input[0]!, l.mergeMode === 'concat' ? 2 * inner.units : inner.units),
      weights: DIRECTIONS.flatMap((d) => cellWeights(cellOf(inner), inner, `${c.name}/${d}_${innerName}`, features)),
      masked: inner.returnSequences && c.masked,
      innerName,
    };
  },
  init: (b, rng) => cellInit(cellOf(b.layer.layer), b.layer.layer, b.weights, rng),
  activation: () => 'linear',

  takesOneHot: (l, training) => recurrentTakesOneHot(l.layer, training),
  forward: (b, flow, c) => {
    const inner = b.layer.layer;
    // Keras's Bidirectional: the backward copy runs opposite to the wrapped layer (go_backwards flipped).
    const directions = DIRECTIONS.map((d) => ({ prefix: `${b.name}/${d}_${b.innerName}`, backward: d === 'forward' ? inner.goBackwards : !inner.goBackwards }));
    return encodeRecurrent(cellOf(inner), b, inner, directions, flow, c, b.layer.mergeMode);
  },
  // Each direction has its own buffers: the largest is one direction's.
  perSequence: (b, T) => [outputBuffer(b, T), ...storedPerSequence(cellOf(b.layer.layer), b, b.layer.layer, T)],

  keras: {
    toConfig: (b) => {
      const inner = b.layer.layer;
      const k = cellOf(inner);
      const entry = (name: string, l: RecurrentLayer) => ({ module: 'keras.layers', class_name: k.className, config: k.kerasConfig(name, l), registered_name: null });
      // Keras makes the backward copy with go_backwards=True unless given one: a wrapped layer that
      // already runs backwards needs its copy written out (running forwards).
      const backward = inner.goBackwards ? { backward_layer: entry(`backward_${b.innerName}`, { ...inner, goBackwards: false }) } : {};
      return kerasLayer('Bidirectional', { name: b.name, trainable: true, dtype: 'float32', merge_mode: b.layer.mergeMode, layer: entry(`forward_${b.innerName}`, inner), ...backward }, b.inputShape);
    },
    // An empty vars group for the wrapper and each direction's layer; each direction's three weights in its cell.
    vars: (b, prefix) => [
      { group: `${prefix}/vars`, index: -1, weight: '', varsName: b.name },
      ...DIRECTIONS.map((d) => ({ group: `${prefix}/${d}_layer/vars`, index: -1, weight: '', varsName: `${d}_${b.innerName}` })),
      ...DIRECTIONS.flatMap((d, i) => cellKerasVars(cellOf(b.layer.layer), b.weights, `${prefix}/${d}_layer`, 3 * i)),
    ],
    // Keras names the wrapped layer forward_<name> (and strips that prefix again when it loads).
    fromConfig: (c) => fromConfig(c, 'keras', (n) => n.replace(/^forward_/, '')),
  },
  tfjs: {
    toConfig: (b) => {
      const inner = b.layer.layer;
      const k = cellOf(inner);
      return { class_name: 'Bidirectional', config: { name: b.name, trainable: true, merge_mode: b.layer.mergeMode, layer: { class_name: k.className, config: k.tfjsConfig(b.innerName!, inner) } } };
    },
    fromConfig: (c) => fromConfig(c, 'tfjs', (n) => n),
  },
  summaryRow,
};
