/**
 * Masking: the model's first layer on float sequences. A timestep whose every feature equals maskValue is
 * padding (Keras: any(x != mask_value) over the features); its values become zeros and the mask flows on
 * to the recurrent layers (which skip it) and to a per-timestep loss. The mask is read from the input's
 * values on the host, which is why the layer must come first.
 */
import { formatShape, kerasLayer, outputBuffer, plainKerasVars, summaryRow, tensorOf, withName, type ConfigReader, type LayerRule } from '../layer-rule';
import { layers, type MaskingArgs } from '../specs';

/** 1 where a timestep of the time-major [T, B, F] values has a feature ≠ maskValue, 0 where all equal it. */
export function valueMask(values: Float32Array, T: number, B: number, F: number, maskValue: number): Uint32Array {
  const m = new Uint32Array(T * B);
  // The comparison is in float32, as Keras's (the mask value rounded as the input is).
  const v = Math.fround(maskValue);
  for (let r = 0; r < T * B; r++) {
    for (let f = 0; f < F; f++) {
      if (values[r * F + f] !== v) {
        m[r] = 1;
        break;
      }
    }
  }
  return m;
}

const fromConfig = (c: ConfigReader) => layers.masking({ ...c.name(), maskValue: c.value('mask_value', 0) });

export const MASKING: LayerRule<'Masking'> = {
  snake: 'masking',
  readsTokenIds: false,
  revive: (args) => layers.masking(args as unknown as MaskingArgs),
  names: (l) => [l.name],
  named: withName,

  build: (_l, c) => {
    if (!c.first) throw new Error(`layer "${c.name}" (Masking) must be the model's first layer: it reads the input's values (put it before the layers it masks)`);
    c.sequenceFeatures(' (inputShape must be [time, features])');
    if (c.input.length !== 2) throw new Error(`layer "${c.name}" (Masking) expects [batch, time, features], got ${formatShape(c.input)}`);
    return { outputShape: c.input, weights: [], masked: true };
  },
  init: () => [],
  activation: () => 'linear',

  takesOneHot: () => false,
  forward: (b, flow, c) => {
    const x = tensorOf(flow);
    const [T, B, F] = x.shape as [number, number, number];
    if (!c.batch.floats) throw new Error(`layer "${b.name}" (Masking): the input values are not on the host`);
    const mask = valueMask(c.batch.floats, T, B, F, b.layer.maskValue);
    // Nothing masked: the values pass unchanged (no dispatch).
    const all = mask.every((v) => v === 1);
    return { ...flow, x: all ? x : c.ops.maskRows(c.step, x, mask, b.name), mask };
  },
  perSequence: (b, T) => [outputBuffer(b, T)],

  keras: {
    toConfig: (b) => kerasLayer('Masking', { name: b.name, trainable: true, dtype: 'float32', mask_value: b.layer.maskValue }, b.inputShape),
    vars: plainKerasVars,
    fromConfig,
  },
  tfjs: {
    toConfig: (b) => ({ class_name: 'Masking', config: { name: b.name, trainable: true, mask_value: b.layer.maskValue } }),
    fromConfig,
  },
  summaryRow,
};
