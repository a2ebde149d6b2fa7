/** Dense: x·W + b and an activation, on [batch, features] or at every timestep of [batch, time, features]. */
import { glorotUniform } from '../../nn/init';
import type { WeightShape } from '../built';
import { formatShape, kerasLayer, outputBuffer, plainKerasVars, summaryRow, tensorOf, withName, type ConfigReader, type LayerRule } from '../layer-rule';
import { layers, type DenseArgs } from '../specs';

function fromConfig(c: ConfigReader) {
  c.fixed('use_bias', true);
  return layers.dense({ ...c.name(), units: c.value('units'), activation: c.value('activation', 'linear') });
}

export const DENSE: LayerRule<'Dense'> = {
  snake: 'dense',
  readsTokenIds: false,
  revive: (args) => layers.dense(args as unknown as DenseArgs),
  names: (l) => [l.name],
  named: withName,

  build: (l, c) => {
    const shape = c.input;
    const features = shape[shape.length - 1];
    if (typeof features !== 'number') throw new Error(`layer "${c.name}" (Dense) needs a known feature size, got ${formatShape(shape)}`);
    if (shape.length > 2) throw new Error(`layer "${c.name}" (Dense) expects [batch, features] or [batch, time, features], got ${formatShape(shape)}`);
    if (l.activation === 'softmax' && !c.last) throw new Error(`layer "${c.name}": a softmax activation is supported on the last layer only`);
    return {
      outputShape: [...shape.slice(0, -1), l.units],
      weights: [
        { name: `${c.name}/kernel`, shape: [features, l.units] },
        { name: `${c.name}/bias`, shape: [l.units] },
      ],
      masked: c.masked,
    };
  },
  // Keras Dense: glorot_uniform kernel, zero bias.
  init: (b, rng) => {
    const [k, bias] = b.weights as [WeightShape, WeightShape];
    return [
      { ...k, init: glorotUniform(rng, k.shape[0]!, b.layer.units) },
      { ...bias, init: new Float32Array(b.layer.units) },
    ];
  },
  activation: (l) => l.activation,

  takesOneHot: () => false,
  forward: (b, flow, c) => {
    // On a sequence the same dense layer applies at every timestep: [T·B, F] rows.
    const t = tensorOf(flow);
    const F = t.shape[t.shape.length - 1]!;
    const rows = t.reshape([t.size / F, F]);
    let y = c.ops.addBias(c.step, c.ops.matmul(c.step, rows, c.params.get(`${b.name}/kernel`), { name: b.name }), c.params.get(`${b.name}/bias`), `${b.name} output`);
    y = y.reshape([...t.shape.slice(0, -1), b.layer.units]);
    const act = b.layer.activation;
    if (act !== 'linear' && act !== 'softmax' && !c.skipActivation) y = c.ops.activation(c.step, y, act, `${b.name} ${act}`);
    if (act === 'softmax' && !c.skipActivation) throw new Error(`layer "${b.name}": softmax runs fused with the loss or the prediction`);
    return { ...flow, x: y };
  },
  perSequence: (b, T) => [outputBuffer(b, T)],

  keras: {
    toConfig: (b) => kerasLayer('Dense', { name: b.name, trainable: true, dtype: 'float32', units: b.layer.units, activation: b.layer.activation, use_bias: true }, b.inputShape),
    vars: plainKerasVars,
    fromConfig,
  },
  tfjs: {
    toConfig: (b) => ({ class_name: 'Dense', config: { name: b.name, trainable: true, units: b.layer.units, activation: b.layer.activation, use_bias: true } }),
    fromConfig,
  },
  summaryRow,
};
