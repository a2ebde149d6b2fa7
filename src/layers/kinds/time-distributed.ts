/**
 * TimeDistributed(Dense): the wrapped dense layer at every timestep of a sequence — what a Dense on a
 * sequence computes here already (kinds/dense.ts), kept as its own kind so that a model read from Keras or
 * TF.js is written back as it came. Its weights are <name>/kernel and <name>/bias (TF.js's names); in a
 * .keras archive they sit under the wrapper's layer/vars.
 */
import type { BuiltLayer } from '../built';
import { kerasLayer, summaryRow, type Built, type ConfigReader, type LayerRule } from '../layer-rule';
import { layers, type TimeDistributedArgs, type TimeDistributedLayer } from '../specs';
import { DENSE } from './dense';

/** The built wrapper seen as its dense layer under the wrapper's name (the weights' names). */
const asDense = (b: Built<'TimeDistributed'>): Built<'Dense'> => ({ ...(b as BuiltLayer), layer: b.layer.layer }) as Built<'Dense'>;

function fromConfig(c: ConfigReader, format: 'keras' | 'tfjs', innerName: (b: { name?: string }) => string | undefined): TimeDistributedLayer {
  const inner = c.layer('layer');
  if (inner.className !== 'Dense') throw new Error(`TimeDistributed: the wrapped layer is a ${inner.className}; only Dense is supported`);
  const dense = format === 'keras' ? DENSE.keras.fromConfig(inner.config) : DENSE.tfjs.fromConfig(inner.config);
  const name = innerName(dense);
  const { className: _c, name: _n, ...args } = dense;
  return layers.timeDistributed({ ...c.name(), layer: layers.dense({ ...args, ...(name !== undefined ? { name } : {}) }) });
}

export const TIME_DISTRIBUTED: LayerRule<'TimeDistributed'> = {
  snake: 'time_distributed',
  readsTokenIds: false,
  revive: (args) => layers.timeDistributed(args as unknown as TimeDistributedArgs),
  names: (l) => [l.name, l.layer.name],
  named: (b) => ({ ...b.layer, name: b.name, layer: { ...b.layer.layer, name: b.innerName! } }),

  build: (l, c) => {
    c.sequenceFeatures(' (TimeDistributed needs a sequence: put it after a layer with returnSequences)');
    const parts = DENSE.build(l.layer, c);
    return { ...parts, innerName: l.layer.name ?? c.autoName('Dense') };
  },
  init: (b, rng) => DENSE.init(asDense(b), rng),
  activation: (l) => DENSE.activation(l.layer),

  takesOneHot: () => false,
  forward: (b, flow, c) => DENSE.forward(asDense(b), flow, c),
  perSequence: (b, T) => DENSE.perSequence(asDense(b), T),

  keras: {
    toConfig: (b) => {
      const inner = DENSE.keras.toConfig({ ...asDense(b), name: b.innerName! });
      const { build_config: _b, ...entry } = inner;
      return kerasLayer('TimeDistributed', { name: b.name, trainable: true, dtype: 'float32', layer: entry }, b.inputShape);
    },
    // An empty vars group for the wrapper; the dense layer's kernel and bias under layer/vars.
    vars: (b, prefix) => [
      { group: `${prefix}/vars`, index: -1, weight: '', varsName: b.name },
      ...b.weights.map((w, i) => ({ group: `${prefix}/layer/vars`, index: i, weight: w.name, varsName: b.innerName! })),
    ],
    fromConfig: (c) => fromConfig(c, 'keras', (d) => d.name),
  },
  tfjs: {
    toConfig: (b) => ({ class_name: 'TimeDistributed', config: { name: b.name, trainable: true, layer: DENSE.tfjs.toConfig({ ...asDense(b), name: b.innerName! }) } }),
    fromConfig: (c) => fromConfig(c, 'tfjs', (d) => d.name),
  },
  summaryRow,
};
