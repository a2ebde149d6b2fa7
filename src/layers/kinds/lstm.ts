/**
 * LSTM: one fused op over the whole sequence (nn/lstm-layer.ts), Keras's layout and gate order (i, f, c, o).
 * Its weights, initialisers, configs and encoding are shared with Bidirectional (bidirectional.ts), which
 * runs the same layer twice.
 */
import type { ParamSpec } from '../../engine/parameters';
import { glorotUniform, lstmBias, orthogonal } from '../../nn/init';
import { GATE } from '../../nn/lstm-layout';
import type { BuiltLayer, WeightShape } from '../built';
import { kerasLayer, outputBuffer, summaryRow, withName, type ConfigReader, type Flow, type ForwardContext, type LayerRule } from '../layer-rule';
import { layers, type LstmArgs, type LstmLayer } from '../specs';

/** One direction's weights under `prefix` (kernel, recurrent kernel, bias: the order of the arena and the init stream). */
export function lstmWeights(prefix: string, inputDim: number, units: number): WeightShape[] {
  return [
    { name: `${prefix}/kernel`, shape: [inputDim, 4 * units] },
    { name: `${prefix}/recurrent_kernel`, shape: [units, 4 * units] },
    { name: `${prefix}/bias`, shape: [4 * units] },
  ];
}

/** Keras's LSTM initialisers for each direction's three weights: glorot_uniform, orthogonal, zeros with unit forget bias. */
export function lstmInit(weights: readonly WeightShape[], units: number, rng: () => number): ParamSpec[] {
  const specs: ParamSpec[] = [];
  for (let d = 0; d < weights.length; d += 3) {
    const [k, r, bias] = weights.slice(d, d + 3) as [WeightShape, WeightShape, WeightShape];
    specs.push(
      { ...k, init: glorotUniform(rng, k.shape[0]!, 4 * units) },
      { ...r, init: orthogonal(rng, units, 4 * units) },
      { ...bias, init: lstmBias(units, GATE.f) },
    );
  }
  return specs;
}

/** The output shape of an LSTM layer `width` wide. */
export const lstmOutput = (l: LstmLayer, time: number | null, width: number) => (l.returnSequences ? [time, width] : [width]);

/** One-hot rows go in as indices unless input dropout needs the values. */
export const lstmTakesOneHot = (l: LstmLayer, training: boolean) => !(training && l.dropout > 0);

/**
 * The layer's directions (weights under each prefix, run backward or not) as one fused op. Dropout masks
 * are drawn in the order the sentiment network has always drawn them: every direction's input mask, then
 * every recurrent mask.
 */
export function encodeLstm(b: BuiltLayer, l: LstmLayer, directions: ReadonlyArray<{ prefix: string; backward: boolean }>, flow: Flow, c: ForwardContext): Flow {
  const x = flow.x;
  if (x === null) throw new Error(`layer "${b.name}": no input`);
  const [, B, F] = x.shape as [number, number, number];
  const inputMasks = directions.map(() => (c.training && l.dropout > 0 ? c.ops.dropoutMask(c.dropoutRng, B * F, l.dropout) : null));
  const recurrentMasks = directions.map(() => (c.training && l.recurrentDropout > 0 ? c.ops.dropoutMask(c.dropoutRng, B * l.units, l.recurrentDropout) : null));
  const dirs = directions.map(({ prefix, backward }, i) => ({
    prefix,
    weights: { wx: c.params.get(`${prefix}/kernel`), wh: c.params.get(`${prefix}/recurrent_kernel`), b: c.params.get(`${prefix}/bias`) },
    backward,
    inputMask: inputMasks[i]!,
    recurrentMask: recurrentMasks[i]!,
  }));
  const y = c.ops.lstmLayer(c.step, x, dirs, { mask: flow.mask, returnSequences: l.returnSequences, name: b.name });
  return { ...flow, x: y, mask: l.returnSequences ? flow.mask : null };
}

/** The gates of one batch, kept for the backward pass. */
export const lstmGates = (b: BuiltLayer, H: number, T: number): [string, number] => [`the gates of layer "${b.name}" (T × B × 4·${H})`, T * 4 * H * 4];

/** A Keras 3 LSTM config. */
export function kerasLstmConfig(name: string, l: LstmLayer): Record<string, unknown> {
  return {
    name, trainable: true, dtype: 'float32',
    units: l.units, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true, unit_forget_bias: true,
    dropout: l.dropout, recurrent_dropout: l.recurrentDropout,
    return_sequences: l.returnSequences, return_state: false, go_backwards: l.goBackwards, stateful: false, unroll: false,
  };
}

/** A Keras LSTM layer's config as TF.js reads it. */
export function tfjsLstmConfig(name: string, l: Pick<LstmLayer, 'units' | 'returnSequences' | 'goBackwards' | 'dropout' | 'recurrentDropout'>): Record<string, unknown> {
  return {
    name,
    trainable: true,
    units: l.units,
    activation: 'tanh',
    recurrent_activation: 'sigmoid',
    use_bias: true,
    unit_forget_bias: true,
    dropout: l.dropout,
    recurrent_dropout: l.recurrentDropout,
    implementation: 2,
    return_sequences: l.returnSequences,
    return_state: false,
    go_backwards: l.goBackwards,
    stateful: false,
    unroll: false,
  };
}

/**
 * The spec from a Keras or TF.js LSTM config. Only Keras's default cell is here (tanh, sigmoid gates, a
 * bias); TF.js's recurrent_activation defaults to hard_sigmoid when absent, Keras's to sigmoid.
 */
export function lstmFromConfig(c: ConfigReader, recurrentActivationDefault: string): LstmLayer {
  c.fixed('activation', 'tanh');
  c.fixed('recurrent_activation', 'sigmoid', recurrentActivationDefault);
  c.fixed('use_bias', true);
  c.fixed('return_state', false);
  c.fixed('stateful', false);
  return layers.lstm({
    ...c.name(),
    units: c.value('units'),
    returnSequences: c.bool('return_sequences', false),
    goBackwards: c.bool('go_backwards', false),
    dropout: c.value('dropout', 0),
    recurrentDropout: c.value('recurrent_dropout', 0),
  });
}

export const LSTM: LayerRule<'LSTM'> = {
  snake: 'lstm',
  readsTokenIds: false,
  revive: (args) => layers.lstm(args as unknown as LstmArgs),
  names: (l) => [l.name],
  named: withName,

  build: (l, c) => {
    const features = c.sequenceFeatures(c.first ? ' (inputShape must be [time, features])' : '');
    return { outputShape: lstmOutput(l, c.input[0]!, l.units), weights: lstmWeights(c.name, features, l.units), masked: l.returnSequences && c.masked };
  },
  init: (b, rng) => lstmInit(b.weights, b.layer.units, rng),
  activation: () => 'linear',

  takesOneHot: lstmTakesOneHot,
  forward: (b, flow, c) => encodeLstm(b, b.layer, [{ prefix: b.name, backward: b.layer.goBackwards }], flow, c),
  perSequence: (b, T) => [outputBuffer(b, T), lstmGates(b, b.layer.units, T)],

  keras: {
    toConfig: (b) => kerasLayer('LSTM', kerasLstmConfig(b.name, b.layer), b.inputShape),
    // The weights live in the cell: an empty vars group named after the layer, the three under cell/vars.
    vars: (b, prefix) => [
      { group: `${prefix}/vars`, index: -1, weight: '', varsName: b.name },
      ...b.weights.map((w, i) => ({ group: `${prefix}/cell/vars`, index: i, weight: w.name, varsName: 'lstm_cell' })),
    ],
    fromConfig: (c) => lstmFromConfig(c, 'sigmoid'),
  },
  tfjs: {
    toConfig: (b) => ({ class_name: 'LSTM', config: tfjsLstmConfig(b.name, b.layer) }),
    fromConfig: (c) => lstmFromConfig(c, 'hard_sigmoid'),
  },
  summaryRow,
};
