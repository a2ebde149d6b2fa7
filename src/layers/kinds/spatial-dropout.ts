/** SpatialDropout1D: drops whole channels of a sequence (one mask per sequence and feature, shared by every timestep). */
import { kerasLayer, outputBuffer, plainKerasVars, summaryRow, tensorOf, withName, type LayerRule } from '../layer-rule';
import { layers, type RateArgs } from '../specs';

export const SPATIAL_DROPOUT_1D: LayerRule<'SpatialDropout1D'> = {
  snake: 'spatial_dropout1d',
  readsTokenIds: false,
  revive: (args) => layers.spatialDropout1d(args as unknown as RateArgs),
  names: (l) => [l.name],
  named: withName,

  build: (_l, c) => {
    c.sequenceFeatures('');
    return { outputShape: c.input, weights: [], masked: c.masked };
  },
  init: () => [],
  activation: () => 'linear',

  takesOneHot: () => false,
  forward: (b, flow, c) => {
    const rate = b.layer.rate;
    if (!(c.training && rate > 0)) return flow;
    const x = tensorOf(flow);
    return { ...flow, x: c.ops.dropout(c.step, x, c.dropout(0, rate), c.batch.B, b.name) };
  },
  perSequence: (b, T) => [outputBuffer(b, T)],

  keras: {
    toConfig: (b) => kerasLayer('SpatialDropout1D', { name: b.name, dtype: 'float32', rate: b.layer.rate }),
    vars: plainKerasVars,
    fromConfig: (c) => layers.spatialDropout1d({ ...c.name(), rate: c.value('rate') }),
  },
  tfjs: {
    toConfig: (b) => ({ class_name: 'SpatialDropout1D', config: { name: b.name, trainable: true, rate: b.layer.rate } }),
    fromConfig: (c) => layers.spatialDropout1d({ ...c.name(), rate: c.value('rate') }),
  },
  summaryRow,
};
