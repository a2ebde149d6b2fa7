/**
 * The layer rules' table (src/layers/rules.ts), without a GPU: every kind has a rule (also checked by tsc
 * below), each rule's Keras 3 and TF.js configs read back into the same model, a model that TF.js itself
 * serialised reads into the weights TF.js has, and the settings this engine does not have are refused.
 */
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { layers, type Layer } from '../src/index';
import { buildGraph, initialWeights, type Graph } from '../src/layers/graph';
import { kerasConfig, layersFromKeras } from '../src/layers/keras';
import type { LayerKind, LayerRule } from '../src/layers/layer-rule';
import { LAYER_RULES, reviveLayer } from '../src/layers/rules';
import { layersFromTfjs, toTfjs } from '../src/layers/tfjs';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// A kind without its rule, or a rule without one of its parts, does not compile (tsc checks the tests).
// @ts-expect-error Dense and the others are missing
const _partial: { [K in LayerKind]: LayerRule<K> } = { Embedding: LAYER_RULES.Embedding };
// @ts-expect-error a rule without its per-sequence bytes
const _noBytes: LayerRule<'Dense'> = { ...LAYER_RULES.Dense, perSequence: undefined };
void _partial;
void _noBytes;

const MODELS: Array<[string, () => Layer[]]> = [
  ['sentiment', () => [layers.embedding({ inputDim: 30, outputDim: 8, maskZero: true, inputShape: [9] }), layers.spatialDropout1d({ rate: 0.4 }), layers.lstm({ units: 10, dropout: 0.2, recurrentDropout: 0.2 }), layers.dense({ units: 3, activation: 'softmax' })]],
  ['free length, stacked', () => [layers.embedding({ inputDim: 50, outputDim: 8 }), layers.bidirectional({ layer: layers.lstm({ units: 6, returnSequences: true, goBackwards: true }) }), layers.lstm({ units: 5, name: 'top' }), layers.dropout({ rate: 0.1 }), layers.dense({ units: 4, activation: 'tanh' }), layers.dense({ units: 1, activation: 'sigmoid' })]],
  ['floats', () => [layers.bidirectional({ layer: layers.lstm({ units: 7, returnSequences: true, name: 'inner' }), inputShape: [8, 3], name: 'bi' }), layers.dense({ units: 2, activation: 'relu' })]],
  ['features', () => [layers.dense({ units: 4, inputShape: [5] }), layers.dense({ units: 2, activation: 'softmax' })]],
  ['GRU (reset before) and SimpleRNN, bidirectional', () => [layers.embedding({ inputDim: 20, outputDim: 6, maskZero: true }), layers.bidirectional({ layer: layers.gru({ units: 5, resetAfter: false, returnSequences: true, recurrentDropout: 0.1 }) }), layers.simpleRNN({ units: 4, activation: 'relu', returnSequences: true }), layers.bidirectional({ layer: layers.simpleRNN({ units: 3 }) }), layers.dense({ units: 2, activation: 'softmax' })]],
  ['masked floats, merged directions, a time-distributed dense', () => [layers.masking({ maskValue: -1, inputShape: [6, 2] }), layers.bidirectional({ layer: layers.lstm({ units: 4, returnSequences: true }), mergeMode: 'sum' }), layers.bidirectional({ layer: layers.simpleRNN({ units: 3, returnSequences: true }), mergeMode: 'mul' }), layers.bidirectional({ layer: layers.gru({ units: 3, resetAfter: false, returnSequences: true }), mergeMode: 'ave' }), layers.timeDistributed({ layer: layers.dense({ units: 2, activation: 'softmax' }) })]],
];

/** Models TF.js cannot load (a reset-after GRU): their Keras 3 config reads back; their TF.js export is refused. */
const KERAS_ONLY: Array<[string, () => Layer[]]> = [
  ['GRU (reset after, Keras\'s default)', () => [layers.gru({ units: 6, inputShape: [5, 3], returnSequences: true, goBackwards: true }), layers.gru({ units: 4 }), layers.dense({ units: 1 })]],
  ['bidirectional reset-after GRU', () => [layers.embedding({ inputDim: 9, outputDim: 4 }), layers.bidirectional({ layer: layers.gru({ units: 3 }) }), layers.dense({ units: 2, activation: 'softmax' })]],
];

/** What a graph is: names, shapes, mask and weights. */
const described = (g: Graph) => ({ input: g.input, outputMasked: g.outputMasked, layers: g.layers.map((b) => ({ name: b.name, innerName: b.innerName, kind: b.layer.className, out: b.outputShape, masked: b.masked, weights: b.weights })) });
const viaJson = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

describe('the layer rules', () => {
  it('cover every layer kind the factories make', () => {
    const made = [...MODELS, ...KERAS_ONLY].flatMap(([, list]) => list().map((l) => l.className));
    expect(new Set(made)).toEqual(new Set(Object.keys(LAYER_RULES)));
  });

  for (const [name, list] of MODELS) {
    it(`${name}: the Keras 3 config and the TF.js model.json read back into the same model`, () => {
      const g = buildGraph(list());
      const fromKeras = buildGraph(layersFromKeras(viaJson(kerasConfig(g, 'm'))));
      expect(described(fromKeras)).toEqual(described(g));
      expect(kerasConfig(fromKeras, 'm')).toEqual(kerasConfig(g, 'm'));
      const values = new Map(initialWeights(g, seedrandom('w')).map((s) => [s.name, s.init as Float32Array]));
      const modelJson = viaJson(toTfjs(g, 'm', values).modelJson);
      const fromTfjs = buildGraph(layersFromTfjs(modelJson));
      expect(described(fromTfjs)).toEqual(described(g));
      expect(toTfjs(fromTfjs, 'm', values).modelJson).toEqual(modelJson);
    });
  }

  for (const [name, list] of KERAS_ONLY) {
    it(`${name}: the Keras 3 config reads back into the same model, a TF.js export says why it cannot be`, () => {
      const g = buildGraph(list());
      const fromKeras = buildGraph(layersFromKeras(viaJson(kerasConfig(g, 'm'))));
      expect(described(fromKeras)).toEqual(described(g));
      expect(g.layers.flatMap((b) => b.weights).filter((w) => w.name.endsWith('/bias') && w.shape.length === 2).length).toBeGreaterThan(0);
      const values = new Map(initialWeights(g, seedrandom('w')).map((s) => [s.name, s.init as Float32Array]));
      expect(() => toTfjs(g, 'm', values)).toThrow(/uses resetAfter: true \(Keras's default GRU\), which TensorFlow.js cannot load.*resetAfter: false.*Keras 3/);
    });
  }

  it('a GRU and a SimpleRNN TF.js serialised read into the layers and weights TF.js has', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.gru({ units: 5, recurrentActivation: 'sigmoid', returnSequences: true, inputShape: [6, 3] }),
        tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 4, activation: 'relu', returnSequences: true }) as tf.RNN, mergeMode: 'concat' }),
        tf.layers.simpleRNN({ units: 2 }),
      ],
    });
    const g = buildGraph(layersFromTfjs(JSON.parse(model.toJSON() as string)));
    expect(g.layers.map((b) => b.layer)).toMatchObject([{ className: 'GRU', resetAfter: false, units: 5 }, { className: 'Bidirectional', layer: { className: 'SimpleRNN', activation: 'relu' } }, { className: 'SimpleRNN', activation: 'tanh' }]);
    expect(g.layers.flatMap((b) => b.weights).map((w) => [w.name, w.shape])).toEqual(model.weights.map((w) => [w.originalName, w.shape]));
    model.dispose();
  });

  it('Masking, merge modes and TimeDistributed TF.js serialised read into the layers and weights TF.js has', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.masking({ maskValue: 0, inputShape: [5, 3] }),
        tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4, recurrentActivation: 'sigmoid', returnSequences: true }) as tf.RNN, mergeMode: 'ave' }),
        tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2, activation: 'softmax' }) }),
      ],
    });
    const g = buildGraph(layersFromTfjs(JSON.parse(model.toJSON() as string)));
    expect(g.layers.map((b) => b.layer)).toMatchObject([{ className: 'Masking', maskValue: 0 }, { className: 'Bidirectional', mergeMode: 'ave' }, { className: 'TimeDistributed', layer: { className: 'Dense', units: 2, activation: 'softmax' } }]);
    expect(g.layers.flatMap((b) => b.weights).map((w) => [w.name, w.shape])).toEqual(model.weights.map((w) => [w.originalName, w.shape]));
    expect(g.outputShape).toEqual([5, 2]);
    model.dispose();
  });

  it('a model TF.js serialised reads into the layers and weights TF.js has', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: 20, outputDim: 6, maskZero: true, inputLength: 7 }),
        tf.layers.spatialDropout1d({ rate: 0.2 }),
        tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 5, recurrentActivation: 'sigmoid', returnSequences: true }) as tf.RNN, mergeMode: 'concat' }),
        tf.layers.lstm({ units: 4, recurrentActivation: 'sigmoid', recurrentDropout: 0.1 }),
        tf.layers.dropout({ rate: 0.3 }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    const g = buildGraph(layersFromTfjs(JSON.parse(model.toJSON() as string)));
    expect(g.input).toEqual({ kind: 'ids', shape: [7] });
    expect(g.layers.map((b) => b.layer.className)).toEqual(['Embedding', 'SpatialDropout1D', 'Bidirectional', 'LSTM', 'Dropout', 'Dense']);
    expect(g.layers.flatMap((b) => b.weights).map((w) => [w.name, w.shape])).toEqual(model.weights.map((w) => [w.originalName, w.shape]));
    expect(g.outputShape).toEqual([3]);
    model.dispose();
  });

  it('refuses what this engine does not have, and names it', () => {
    const lstmModel = (config: Record<string, unknown>) => ({ class_name: 'Sequential', config: { layers: [{ class_name: 'LSTM', config: { units: 3, batch_input_shape: [null, 4, 2], ...config } }] } });
    expect(() => layersFromKeras(lstmModel({ activation: 'relu' }))).toThrow('LSTM: activation "relu" is not supported (only "tanh")');
    expect(layersFromKeras(lstmModel({}))[0]).toMatchObject({ className: 'LSTM', units: 3, inputShape: [4, 2] });
    // TF.js's LSTM gates default to hard_sigmoid (Keras's to sigmoid).
    expect(() => layersFromTfjs(lstmModel({}))).toThrow('LSTM: recurrent_activation "hard_sigmoid" (the default when absent) is not supported (only "sigmoid")');
    expect(() => layersFromTfjs(lstmModel({ recurrent_activation: 'sigmoid', return_state: true }))).toThrow(/return_state true is not supported/);
    expect(() => layersFromKeras(lstmModel({ units: 0 }))).toThrow('lstm: units must be a positive integer, got 0');
    const one = (layer: unknown) => ({ class_name: 'Sequential', config: { layers: [{ class_name: 'InputLayer', config: { batch_shape: [null, 4, 2] } }, layer] } });
    expect(() => layersFromKeras(one({ class_name: 'Conv1D', config: { filters: 3 } }))).toThrow('unknown layer class "Conv1D" (known: Embedding, Masking, SpatialDropout1D, Dropout, LSTM, GRU, SimpleRNN, Bidirectional, Dense, TimeDistributed)');
    // Keras 3's GRU defaults to reset_after=True; a GRU's gates are tanh and sigmoid only.
    expect(layersFromKeras(one({ class_name: 'GRU', config: { units: 3 } }))[0]).toMatchObject({ className: 'GRU', resetAfter: true, inputShape: [4, 2] });
    expect(() => layersFromKeras(one({ class_name: 'GRU', config: { units: 3, recurrent_activation: 'hard_sigmoid' } }))).toThrow('GRU: recurrent_activation "hard_sigmoid" is not supported (only "sigmoid")');
    expect(() => layersFromKeras(one({ class_name: 'SimpleRNN', config: { units: 3, activation: 'elu' } }))).toThrow('SimpleRNN: activation "elu" is not supported (only tanh, relu, sigmoid, linear)');
    expect(() => layersFromKeras(one({ class_name: 'Dense', config: { units: 3, use_bias: false } }))).toThrow('Dense: use_bias false is not supported (only true)');
    expect(() => layersFromKeras(one({ class_name: 'Dropout', config: { rate: 0.1, noise_shape: [null, 1, 2] } }))).toThrow(/Dropout: noise_shape \[null,1,2\] is not supported/);
    // merge_mode sum, mul and ave keep the units; None (a list of two outputs) is no chain of layers.
    expect(layersFromKeras(one({ class_name: 'Bidirectional', config: { merge_mode: 'sum', layer: { class_name: 'LSTM', config: { units: 2 } } } }))[0]).toMatchObject({ className: 'Bidirectional', mergeMode: 'sum' });
    expect(() => layersFromKeras(one({ class_name: 'Bidirectional', config: { merge_mode: null, layer: { class_name: 'LSTM', config: { units: 2 } } } }))).toThrow('Bidirectional: merge_mode null is not supported (supported: concat, sum, mul, ave)');
    expect(() => layers.bidirectional({ layer: layers.lstm({ units: 2 }), mergeMode: 'max' as 'sum' })).toThrow('bidirectional: unknown mergeMode "max" (known: concat, sum, mul, ave)');
    // Masking comes first (it reads the input's values); TimeDistributed wraps a Dense only, on a sequence.
    expect(layersFromKeras(one({ class_name: 'Masking', config: { mask_value: -1 } }))[0]).toMatchObject({ className: 'Masking', maskValue: -1, inputShape: [4, 2] });
    expect(() => buildGraph([layers.lstm({ units: 2, returnSequences: true, inputShape: [4, 2] }), layers.masking()])).toThrow('layer "masking" (Masking) must be the model\'s first layer: it reads the input\'s values (put it before the layers it masks)');
    expect(() => layersFromKeras(one({ class_name: 'TimeDistributed', config: { layer: { class_name: 'LSTM', config: { units: 2 } } } }))).toThrow('TimeDistributed: the wrapped layer is a LSTM; only Dense is supported');
    expect(() => buildGraph([layers.lstm({ units: 2, inputShape: [4, 2] }), layers.timeDistributed({ layer: layers.dense({ units: 1 }) })])).toThrow(/layer "time_distributed" \(TimeDistributed\) expects a sequence input/);
    expect(buildGraph([layers.lstm({ units: 2, returnSequences: true, inputShape: [4, 2] }), layers.timeDistributed({ layer: layers.dense({ units: 3 }) })]).layers[1]).toMatchObject({ outputShape: [4, 3], innerName: 'dense', weights: [{ name: 'time_distributed/kernel', shape: [2, 3] }, { name: 'time_distributed/bias', shape: [3] }] });
    expect(() => layersFromKeras(one({ class_name: 'Bidirectional', config: { layer: { class_name: 'Dense', config: { units: 2 } } } }))).toThrow('Bidirectional: the wrapped layer is a Dense; only LSTM, GRU, SimpleRNN are supported');
    expect(() => layersFromKeras({ class_name: 'Functional', config: {} })).toThrow('expected a Sequential model, got class_name "Functional"');
  });

  it('revives a saved layer through its factory; an unknown class is named', () => {
    expect(reviveLayer({ className: 'Bidirectional', layer: { className: 'LSTM', units: 2 }, mergeMode: 'concat' })).toEqual(layers.bidirectional({ layer: layers.lstm({ units: 2 }) }));
    expect(() => reviveLayer({ className: 'toString' })).toThrow('unknown layer class "toString"');
    expect(reviveLayer({ className: 'Bidirectional', layer: { className: 'GRU', units: 2, resetAfter: false }, mergeMode: 'concat' })).toEqual(layers.bidirectional({ layer: layers.gru({ units: 2, resetAfter: false }) }));
    expect(() => reviveLayer({ className: 'Bidirectional', layer: { className: 'Dense', units: 2 } })).toThrow('bidirectional: layer must be a recurrent layer (layers.lstm, layers.gru or layers.simpleRNN)');
    expect(() => reviveLayer({ className: 'GRU', units: 2, resetAfter: 'yes' })).toThrow('gru: resetAfter must be true or false, got "yes"');
    expect(() => buildGraph([{ className: 'Conv1D', units: 2, inputShape: [3, 2] } as unknown as Layer])).toThrow('unknown layer class "Conv1D"');
  });
});
