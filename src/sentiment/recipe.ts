/**
 * The sentiment preset's network: its settings (NetworkConfig: the notebook's recipe by default), their
 * validation, and the layer list they stand for — Embedding → SpatialDropout1D → recurrent stack (LSTM
 * by default, or GRU or SimpleRNN; dropout, recurrent dropout, optional bidirectional and stacked layers)
 * → Dense softmax — built, compiled (sparse categorical cross-entropy, Adam) and run as any `sequential`
 * model. Nothing here has a training step of
 * its own: the preset is a layer list.
 */
import type { Engine } from '../engine/engine';
import type { CompileArgs } from '../layers/compile';
import { buildGraph } from '../layers/graph';
import type { LimitAdvice } from '../layers/limits';
import { Sequential } from '../layers/sequential';
import { checkCell, layers, recurrentLayerFor, type CellName, type Layer } from '../layers/specs';

export interface NetworkConfig {
  /** The recurrent cell: 'lstm' (the notebook's), 'gru' (Keras's default GRU) or 'rnn' (SimpleRNN). */
  cell: CellName;
  vocabSize: number;
  embedDim: number;
  units: number;
  layers: number;
  bidirectional: boolean;
  /** Unidirectional layers read the sequence in reverse (Keras go_backwards). */
  goBackwards: boolean;
  numClasses: number;
  /** SpatialDropout1D rate after the embedding. */
  spatialDropout: number;
  /** LSTM input dropout (Keras `dropout`). */
  dropout: number;
  /** LSTM recurrent dropout (Keras `recurrent_dropout`). */
  recurrentDropout: number;
  /** Token id 0 is padding (Keras mask_zero). */
  maskZero: boolean;
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Global gradient-norm clip; 0 disables. */
  clipNorm: number;
  seed: number | string;
}

/** The notebook's recipe (vocabulary 2000, embedding 128, LSTM 196, its dropouts, Adam 1e-3), masking on. */
export const DEFAULT_NETWORK: NetworkConfig = {
  cell: 'lstm',
  vocabSize: 2000,
  embedDim: 128,
  units: 196,
  layers: 1,
  bidirectional: false,
  goBackwards: false,
  numClasses: 2,
  spatialDropout: 0.4,
  dropout: 0.2,
  recurrentDropout: 0.2,
  maskZero: true,
  learningRate: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-7,
  clipNorm: 0,
  seed: 141,
};

export function validateNetworkConfig(c: NetworkConfig): void {
  const posInt = (name: keyof NetworkConfig, min = 1) => {
    const v = c[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${String(v)}`);
  };
  checkCell(c.cell);
  posInt('vocabSize', 2);
  posInt('embedDim');
  posInt('units');
  posInt('layers');
  posInt('numClasses', 2);
  for (const k of ['spatialDropout', 'dropout', 'recurrentDropout'] as const) {
    if (!(c[k] >= 0 && c[k] < 1)) throw new Error(`${k} must be in [0, 1), got ${c[k]}`);
  }
  if (!(c.learningRate > 0)) throw new Error(`learningRate must be > 0, got ${c.learningRate}`);
  if (!(c.clipNorm >= 0)) throw new Error(`clipNorm must be ≥ 0, got ${c.clipNorm}`);
}

/** The preset as layers: what `sequential` is given for this configuration (`maxLen` fixes the input length). */
export function sentimentLayers(c: NetworkConfig, maxLen?: number): Layer[] {
  const list: Layer[] = [layers.embedding({ inputDim: c.vocabSize, outputDim: c.embedDim, maskZero: c.maskZero, ...(maxLen ? { inputShape: [maxLen] } : {}) })];
  if (c.spatialDropout > 0) list.push(layers.spatialDropout1d({ rate: c.spatialDropout }));
  for (let l = 0; l < c.layers; l++) {
    const rnn = recurrentLayerFor(c.cell, { units: c.units, returnSequences: l < c.layers - 1, dropout: c.dropout, recurrentDropout: c.recurrentDropout, goBackwards: !c.bidirectional && c.goBackwards });
    list.push(c.bidirectional ? layers.bidirectional({ layer: rnn }) : rnn);
  }
  list.push(layers.dense({ units: c.numClasses, activation: 'softmax' }));
  return list;
}

/** How the preset trains: softmax cross-entropy on the class ids, Adam with the configuration's settings. */
export function sentimentCompile(c: NetworkConfig): CompileArgs {
  return {
    loss: 'sparseCategoricalCrossentropy',
    optimizer: { type: 'adam', learningRate: c.learningRate, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon, clipNorm: c.clipNorm },
    metrics: ['accuracy'],
  };
}

/** What to lower when the preset does not fit the device, in its configuration's (and the CLI's) words. */
export const SENTIMENT_ADVICE: LimitAdvice = { sizes: 'vocabSize, embedDim, units or layers', batch: 'maxLen or batchSize' };

/** The model's name in summaries and exports. */
export const SENTIMENT_NAME = 'sentiment';

/**
 * The preset's layers model, its weights drawn from the configuration's seed and compiled: what the
 * sentiment model trains, and what benchmarks time step by step (trainBatch/evaluateBatch).
 */
export function sentimentNetwork(engine: Engine, c: NetworkConfig, maxLen?: number, weights?: Map<string, Float32Array>): Sequential {
  validateNetworkConfig(c);
  const model = new Sequential(engine, buildGraph(sentimentLayers(c, maxLen)), c.seed, SENTIMENT_NAME);
  model.limitAdvice = SENTIMENT_ADVICE;
  model.initialize(weights);
  model.compile(sentimentCompile(c));
  return model;
}

/**
 * Weight names of files saved before the preset was built from layers: a bidirectional layer's weights
 * were "lstm[_l]/{forward,backward}/…"; they are now TF.js's "bidirectional[_l]/{forward,backward}_lstm[_l]/…".
 */
export function upgradeWeightName(name: string): string {
  const m = /^(lstm(?:_(\d+))?)\/(forward|backward)\/(.+)$/.exec(name);
  return m ? `bidirectional${m[2] ? `_${m[2]}` : ''}/${m[3]}_${m[1]}/${m[4]}` : name;
}
