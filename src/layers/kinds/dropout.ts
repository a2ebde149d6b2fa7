/** Dropout: an independent mask per value, on a sequence or on features. */
import { kerasLayer, outputBuffer, plainKerasVars, summaryRow, tensorOf, withName, type ConfigReader, type LayerRule } from '../layer-rule';
import { layers, type RateArgs } from '../specs';

function fromConfig(c: ConfigReader) {
  // A noise shape drops values together (SpatialDropout1D's is [batch, 1, features]); this Dropout has none.
  c.fixed('noise_shape', null);
  return layers.dropout({ ...c.name(), rate: c.value('rate') });
}

export const DROPOUT: LayerRule<'Dropout'> = {
  snake: 'dropout',
  readsTokenIds: false,
  revive: (args) => layers.dropout(args as unknown as RateArgs),
  names: (l) => [l.name],
  named: withName,

  build: (_l, c) => ({ outputShape: c.input, weights: [], masked: c.masked }),
  init: () => [],
  activation: () => 'linear',

  takesOneHot: () => false,
  forward: (b, flow, c) => {
    const rate = b.layer.rate;
    if (!(c.training && rate > 0)) return flow;
    const t = tensorOf(flow);
    return { ...flow, x: c.ops.dropout(c.step, t, c.dropout(0, rate), t.size / t.shape[t.shape.length - 1]!, b.name) };
  },
  perSequence: (b, T) => [outputBuffer(b, T)],

  keras: {
    toConfig: (b) => kerasLayer('Dropout', { name: b.name, trainable: true, dtype: 'float32', rate: b.layer.rate }),
    vars: plainKerasVars,
    fromConfig,
  },
  tfjs: {
    toConfig: (b) => ({ class_name: 'Dropout', config: { name: b.name, trainable: true, rate: b.layer.rate } }),
    fromConfig,
  },
  summaryRow,
};
