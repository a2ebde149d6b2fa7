/**
 * LSTM: Keras's layout and gate order (i, f, c, o; ops/lstm-layout.ts), unit forget bias, tanh and
 * sigmoid gates only. The rule is the recurrent one (recurrent.ts) over this record.
 */
import { GATE } from '../../ops/lstm-layout';
import type { ConfigReader } from '../layer-rule';
import { layers, type LstmArgs, type LstmLayer } from '../specs';
import { lstmBias, recurrentConfig, recurrentFromConfig, recurrentRule, type CellKind } from './recurrent';

export const LSTM_CELL: CellKind<LstmLayer> = {
  className: 'LSTM',
  snake: 'lstm',
  kerasCell: 'lstm_cell',
  gates: 4,
  biasShape: (l) => [4 * l.units],
  initBias: (l) => lstmBias(l.units, GATE.f),
  cell: () => ({ kind: 'lstm' }),
  storedPerUnit: 4,
  stored: 'gates',
  kerasConfig: (name, l) => ({ ...recurrentConfig(name, l), dtype: 'float32', activation: 'tanh', recurrent_activation: 'sigmoid', unit_forget_bias: true }),
  tfjsConfig: (name, l) => ({ ...recurrentConfig(name, l), activation: 'tanh', recurrent_activation: 'sigmoid', unit_forget_bias: true, implementation: 2 }),
  fromConfig: (c: ConfigReader, format) => {
    // TF.js's recurrent_activation defaults to hard_sigmoid when absent, Keras's to sigmoid.
    c.fixed('activation', 'tanh');
    c.fixed('recurrent_activation', 'sigmoid', format === 'tfjs' ? 'hard_sigmoid' : 'sigmoid');
    return layers.lstm(recurrentFromConfig(c));
  },
};

export const LSTM = recurrentRule<'LSTM'>(LSTM_CELL, (args) => layers.lstm(args as unknown as LstmArgs));
