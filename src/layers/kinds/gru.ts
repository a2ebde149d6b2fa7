/**
 * GRU: Keras's gate order (z, r, h̃) and both of its forms — resetAfter (the default; bias [2, 3·units],
 * input bias then recurrent bias) and resetBefore (bias [3·units]); tanh and sigmoid gates only. TF.js
 * cannot load a reset-after GRU (its GRUCell rejects reset_after), so that export is an error naming
 * the ways out. The rule is the recurrent one (recurrent.ts) over this record.
 */
import type { ConfigReader } from '../layer-rule';
import { layers, type GruArgs, type GruLayer } from '../specs';
import { recurrentConfig, recurrentFromConfig, recurrentRule, zeroBias, type CellKind } from './recurrent';

export const GRU_CELL: CellKind<GruLayer> = {
  className: 'GRU',
  snake: 'gru',
  kerasCell: 'gru_cell',
  gates: 3,
  biasShape: (l) => (l.resetAfter ? [2, 3 * l.units] : [3 * l.units]),
  initBias: (l) => zeroBias((l.resetAfter ? 6 : 3) * l.units),
  cell: (l) => ({ kind: 'gru', resetAfter: l.resetAfter }),
  // z, r, h̃ and the recurrent candidate term (r ⊙ h̄ before the matmul, or h̄·U_h + b_h after it).
  storedPerUnit: 4,
  stored: 'gates',
  kerasConfig: (name, l) => ({ ...recurrentConfig(name, l), dtype: 'float32', activation: 'tanh', recurrent_activation: 'sigmoid', reset_after: l.resetAfter, seed: null }),
  tfjsConfig: (name, l) => {
    if (l.resetAfter) {
      throw new Error(
        `GRU "${name}" uses resetAfter: true (Keras's default GRU), which TensorFlow.js cannot load (its GRUCell rejects reset_after). ` +
          'Build the model with layers.gru({ …, resetAfter: false }) to export it to TF.js, or export it to Keras 3 (.keras) instead.',
      );
    }
    return { ...recurrentConfig(name, l), activation: 'tanh', recurrent_activation: 'sigmoid', implementation: 1, reset_after: false };
  },
  fromConfig: (c: ConfigReader, format) => {
    c.fixed('activation', 'tanh');
    c.fixed('recurrent_activation', 'sigmoid', format === 'tfjs' ? 'hard_sigmoid' : 'sigmoid');
    // Keras 3's default is reset_after=True; a TF.js file never has it true (TF.js would not load it).
    return layers.gru({ ...recurrentFromConfig(c), resetAfter: c.bool('reset_after', format === 'keras') });
  },
};

export const GRU = recurrentRule<'GRU'>(GRU_CELL, (args) => layers.gru(args as unknown as GruArgs));
