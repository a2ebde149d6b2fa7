/**
 * Bidirectional (merge_mode 'concat'): the wrapped LSTM run forward and, as a second direction, opposite
 * to it (Keras flips go_backwards), outputs concatenated along features. Its rule is the LSTM's, twice:
 * weights under <name>/forward_<inner> and <name>/backward_<inner>, in that order.
 */
import { kerasLayer, outputBuffer, summaryRow, type ConfigReader, type LayerRule } from '../layer-rule';
import { layers, type BidirectionalArgs, type LstmLayer } from '../specs';
import { encodeLstm, kerasLstmConfig, lstmFromConfig, lstmGates, lstmInit, lstmOutput, lstmTakesOneHot, lstmWeights, tfjsLstmConfig } from './lstm';

const DIRECTIONS = ['forward', 'backward'] as const;

function fromConfig(c: ConfigReader, recurrentActivationDefault: string, innerName: (name: string) => string): ReturnType<typeof layers.bidirectional> {
  c.fixed('merge_mode', 'concat');
  const inner = c.layer('layer');
  if (inner.className !== 'LSTM') throw new Error(`Bidirectional: the wrapped layer is a ${inner.className}; only an LSTM is supported`);
  const lstm = lstmFromConfig(inner.config, recurrentActivationDefault);
  return layers.bidirectional({ ...c.name(), layer: lstm.name !== undefined ? { ...lstm, name: innerName(lstm.name) } : lstm });
}

export const BIDIRECTIONAL: LayerRule<'Bidirectional'> = {
  snake: 'bidirectional',
  readsTokenIds: false,
  revive: (args, revive) => {
    const { layer, ...rest } = args as unknown as BidirectionalArgs;
    return layers.bidirectional({ ...rest, layer: revive(layer) as LstmLayer });
  },
  names: (l) => [l.name, l.layer.name],
  named: (b) => ({ ...b.layer, name: b.name, layer: { ...b.layer.layer, name: b.innerName } }),

  build: (l, c) => {
    const lstm = l.layer;
    const features = c.sequenceFeatures('');
    const innerName = lstm.name ?? c.autoName('LSTM');
    return {
      outputShape: lstmOutput(lstm, c.input[0]!, 2 * lstm.units),
      weights: DIRECTIONS.flatMap((d) => lstmWeights(`${c.name}/${d}_${innerName}`, features, lstm.units)),
      masked: lstm.returnSequences && c.masked,
      innerName,
    };
  },
  init: (b, rng) => lstmInit(b.weights, b.layer.layer.units, rng),
  activation: () => 'linear',

  takesOneHot: (l, training) => lstmTakesOneHot(l.layer, training),
  forward: (b, flow, c) => {
    const lstm = b.layer.layer;
    // Keras's Bidirectional: the backward copy runs opposite to the wrapped layer (go_backwards flipped).
    const directions = DIRECTIONS.map((d) => ({ prefix: `${b.name}/${d}_${b.innerName}`, backward: d === 'forward' ? lstm.goBackwards : !lstm.goBackwards }));
    return encodeLstm(b, lstm, directions, flow, c);
  },
  perSequence: (b, T) => [outputBuffer(b, T), lstmGates(b, b.layer.layer.units, T)],

  keras: {
    toConfig: (b) => kerasLayer('Bidirectional', { name: b.name, trainable: true, dtype: 'float32', merge_mode: 'concat', layer: { module: 'keras.layers', class_name: 'LSTM', config: kerasLstmConfig(`forward_${b.innerName}`, b.layer.layer), registered_name: null } }, b.inputShape),
    // An empty vars group for the wrapper and each direction's layer; each direction's three weights in its cell.
    vars: (b, prefix) => [
      { group: `${prefix}/vars`, index: -1, weight: '', varsName: b.name },
      ...DIRECTIONS.map((d) => ({ group: `${prefix}/${d}_layer/vars`, index: -1, weight: '', varsName: `${d}_${b.innerName}` })),
      ...b.weights.map((w, i) => ({ group: `${prefix}/${i < 3 ? 'forward' : 'backward'}_layer/cell/vars`, index: i % 3, weight: w.name, varsName: 'lstm_cell' })),
    ],
    // Keras names the wrapped layer forward_<name> (and strips that prefix again when it loads).
    fromConfig: (c) => fromConfig(c, 'sigmoid', (n) => n.replace(/^forward_/, '')),
  },
  tfjs: {
    toConfig: (b) => ({ class_name: 'Bidirectional', config: { name: b.name, trainable: true, merge_mode: 'concat', layer: { class_name: 'LSTM', config: tfjsLstmConfig(b.innerName!, b.layer.layer) } } }),
    fromConfig: (c) => fromConfig(c, 'hard_sigmoid', (n) => n),
  },
  summaryRow,
};
