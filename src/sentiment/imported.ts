/**
 * A sentiment model around an imported network (a Keras or TF.js text classifier, loadModel): what makes
 * a layers model usable as one — it reads token ids (its first layer is an Embedding) and ends in a K-way
 * softmax over the whole sequence — and the model configuration that describes it. The configuration is
 * a summary read off the layers (the layers are the truth: the first recurrent layer's cell, units and
 * dropouts; the embedding's size; how many recurrent layers), plus what is the text pipeline's and the
 * training's own: the sequence length, the tokenizer's OOV token, no cleaning of our own (a Keras
 * Tokenizer lower-cases and filters by itself: cleaning again could change the ids Keras would give),
 * Adam's settings and the seed. A saved file's configuration is checked against the same summary of its
 * layers, so a file cannot train with one thing and report another.
 */
import type { CleaningConfig } from '../data/clean';
import type { Tokenizer } from '../data/tokenizer';
import type { CompileArgs } from '../layers/compile';
import type { Graph } from '../layers/graph';
import type { CellName, EmbeddingLayer, Layer, RecurrentLayer } from '../layers/specs';
import { withDefaults, type ModelConfig } from './config';
import { sentimentCompile } from './recipe';

/** No cleaning: the text goes to the Keras Tokenizer as it is (it lower-cases and filters as Keras's does). */
export const KERAS_TOKENIZER_CLEANING: CleaningConfig = { lowercase: false, removeUrls: false, removeMentions: false, keep: 'all', dropTokens: [] };

/** The default learning rate of fine-tuning an imported model (a tenth of the recipe's: its weights are already trained). */
export const FINE_TUNE_LEARNING_RATE = 1e-4;

/** What a text classifier's layers tell: the vocabulary (embedding rows), the classes, the fixed input length (null: free). */
export interface TextClassifierShape {
  embedding: EmbeddingLayer;
  vocabSize: number;
  classes: number;
  fixedLength: number | null;
}

/**
 * The network as a text classifier, or one sentence saying why it is not one (`what` names the model):
 * it must read token ids (an Embedding first) and end in a Dense softmax of at least 2 units over the
 * whole sequence (not per timestep).
 */
export function textClassifierShape(graph: Graph, what: string): TextClassifierShape {
  const first = graph.layers[0]!.layer;
  if (graph.input.kind !== 'ids' || first.className !== 'Embedding') {
    throw new Error(`${what} does not take token ids (its first layer is ${first.className}, not an Embedding): only a text classifier (Embedding → … → Dense softmax) can be used as a sentiment model`);
  }
  const last = graph.layers[graph.layers.length - 1]!;
  const out = graph.outputShape;
  const dense = last.layer.className === 'Dense' ? last.layer : null;
  if (!dense || dense.activation !== 'softmax' || out.length !== 1 || !((out[0] ?? 0) >= 2)) {
    const is = !dense ? `${last.layer.className} "${last.name}"` : out.length === 2 ? `a Dense ${dense.activation} at every timestep, output (None, ${out.map(String).join(', ')})` : `a Dense ${dense.activation} of ${String(out[0])} unit${out[0] === 1 ? '' : 's'}`;
    throw new Error(`${what} does not end in a softmax over classes (its last layer is ${is}): only a classifier with a Dense softmax of 2 or more units over the whole text can be used as a sentiment model`);
  }
  return { embedding: first, vocabSize: first.inputDim, classes: out[0] as number, fixedLength: graph.input.shape[0] ?? null };
}

const CELL_OF: Record<RecurrentLayer['className'], CellName> = { LSTM: 'lstm', GRU: 'gru', SimpleRNN: 'rnn' };

function recurrentOf(l: Layer): RecurrentLayer | null {
  if (l.className === 'Bidirectional') return l.layer;
  return l.className === 'LSTM' || l.className === 'GRU' || l.className === 'SimpleRNN' ? l : null;
}

/** Adam's and the run's settings of an imported model's configuration (the rest is read off its layers). */
export interface ImportedSettings {
  maxLen: number | null;
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  clipNorm?: number;
  seed: number | string;
  classWeights?: ModelConfig['classWeights'];
}

/** The configuration that describes an imported text classifier (see the file's comment). */
export function importedConfig(graph: Graph, tokenizer: Tokenizer, s: ImportedSettings): ModelConfig {
  const { embedding } = textClassifierShape(graph, 'the network');
  const recurrent = graph.layers.map((b) => b.layer).filter((l) => recurrentOf(l) !== null);
  const top = recurrent[0] ? recurrentOf(recurrent[0])! : null;
  const spatial = graph.layers.find((b) => b.layer.className === 'SpatialDropout1D')?.layer as { rate: number } | undefined;
  return withDefaults({
    cell: top ? CELL_OF[top.className] : 'lstm',
    vocabSize: embedding.inputDim,
    embedDim: embedding.outputDim,
    maskZero: embedding.maskZero,
    units: top?.units ?? embedding.outputDim,
    layers: Math.max(1, recurrent.length),
    bidirectional: recurrent[0]?.className === 'Bidirectional',
    goBackwards: top?.goBackwards ?? false,
    spatialDropout: spatial?.rate ?? 0,
    dropout: top?.dropout ?? 0,
    recurrentDropout: top?.recurrentDropout ?? 0,
    learningRate: s.learningRate,
    beta1: s.beta1 ?? 0.9,
    beta2: s.beta2 ?? 0.999,
    epsilon: s.epsilon ?? 1e-7,
    clipNorm: s.clipNorm ?? 0,
    seed: s.seed,
    classWeights: s.classWeights ?? null,
    maxLen: s.maxLen,
    padding: 'pre',
    truncating: 'pre',
    oovToken: tokenizer.config.oovToken,
    cleaning: KERAS_TOKENIZER_CLEANING,
  });
}

/** How an imported model trains: as the preset (softmax cross-entropy on class ids, Adam with the configuration's settings). */
export function importedCompile(c: ModelConfig, classes: number): CompileArgs {
  const { maxLen: _m, padding: _p, truncating: _t, oovToken: _o, cleaning: _c, classWeights: _w, ...network } = c;
  return sentimentCompile({ ...network, numClasses: classes });
}
