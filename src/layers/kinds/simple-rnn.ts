/**
 * SimpleRNN: h_t = activation(x·W + h_{t−1}·U + b), Keras's layout (kernel [in, units], recurrent kernel
 * [units, units], bias [units]). Nothing beyond h is kept for the backward pass (the activation's slope
 * is read from h). The rule is the recurrent one (recurrent.ts) over this record.
 */
import type { ConfigReader } from '../layer-rule';
import { layers, RNN_ACTIVATIONS, type RnnActivation, type SimpleRnnArgs, type SimpleRnnLayer } from '../specs';
import { recurrentConfig, recurrentFromConfig, recurrentRule, zeroBias, type CellKind } from './recurrent';

export const SIMPLE_RNN_CELL: CellKind<SimpleRnnLayer> = {
  className: 'SimpleRNN',
  snake: 'simple_rnn',
  kerasCell: 'simple_rnn_cell',
  gates: 1,
  biasShape: (l) => [l.units],
  initBias: (l) => zeroBias(l.units),
  cell: (l) => ({ kind: 'simpleRnn', activation: l.activation }),
  storedPerUnit: 0,
  stored: 'nothing',
  kerasConfig: (name, l) => ({ ...recurrentConfig(name, l), dtype: 'float32', activation: l.activation, seed: null }),
  tfjsConfig: (name, l) => ({ ...recurrentConfig(name, l), activation: l.activation }),
  fromConfig: (c: ConfigReader) => {
    const activation = c.value<unknown>('activation', 'tanh');
    if (!RNN_ACTIVATIONS.includes(activation as RnnActivation)) throw new Error(`SimpleRNN: activation ${JSON.stringify(activation)} is not supported (only ${RNN_ACTIVATIONS.join(', ')})`);
    return layers.simpleRNN({ ...recurrentFromConfig(c), activation: activation as RnnActivation });
  },
};

export const SIMPLE_RNN = recurrentRule<'SimpleRNN'>(SIMPLE_RNN_CELL, (args) => layers.simpleRNN(args as unknown as SimpleRnnArgs));
