/**
 * The sentiment network: Embedding → SpatialDropout1D → LSTM stack (dropout, recurrent dropout,
 * optional bidirectional and stacked layers) → Dense → softmax cross-entropy, trained with Adam. It is a
 * preset of the layers API: the layer list below, built, initialised and run by the same code as any
 * `sequential` model (so weights carry TF.js's names), with the sentiment model's own step functions.
 *
 * One training step is one command encoder and one submit: upload the batch, forward, backward,
 * clipping and Adam, and a copy of [loss, correct] and the clip flags into staging buffers, mapped
 * asynchronously. All randomness (init, dropout masks) comes from seedrandom streams derived from one seed.
 */
import seedrandom from 'seedrandom';
import { type Engine, type Step } from '../engine/engine';
import type { StepStats } from '../training/fit';

export type { StepStats };
import { ParameterStore } from '../engine/parameters';
import { type Tensor } from '../engine/tensor';
import { backpropFrom } from '../ops/elementwise';
import { softmaxXent } from '../ops/softmax-xent';
import { buildGraph, initialWeights, type Graph } from '../layers/graph';
import { forward } from '../layers/run';
import { layers, type Layer } from '../layers/specs';

export interface NetworkConfig {
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
  /** Per-class loss weights, or null. */
  classWeights: number[] | null;
  seed: number | string;
}

/** The notebook's recipe (vocabulary 2000, embedding 128, LSTM 196, its dropouts, Adam 1e-3), masking on. */
export const DEFAULT_NETWORK: NetworkConfig = {
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
  classWeights: null,
  seed: 141,
};

export interface Batch {
  /** Token ids, batch-major [B, T]. */
  ids: Uint32Array;
  B: number;
  T: number;
  labels: Uint32Array;
}


export function validateNetworkConfig(c: NetworkConfig): void {
  const posInt = (name: keyof NetworkConfig, min = 1) => {
    const v = c[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${String(v)}`);
  };
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
  if (c.classWeights && (c.classWeights.length !== c.numClasses || c.classWeights.some((w) => !(w >= 0)))) {
    throw new Error(`classWeights must be ${c.numClasses} non-negative numbers`);
  }
}

/** The preset as layers: what `sequential` would be given for this configuration (`maxLen` fixes the input length, for export). */
export function sentimentLayers(c: NetworkConfig, maxLen?: number): Layer[] {
  const list: Layer[] = [layers.embedding({ inputDim: c.vocabSize, outputDim: c.embedDim, maskZero: c.maskZero, ...(maxLen ? { inputShape: [maxLen] } : {}) })];
  if (c.spatialDropout > 0) list.push(layers.spatialDropout1d({ rate: c.spatialDropout }));
  for (let l = 0; l < c.layers; l++) {
    const lstm = layers.lstm({ units: c.units, returnSequences: l < c.layers - 1, dropout: c.dropout, recurrentDropout: c.recurrentDropout, goBackwards: !c.bidirectional && c.goBackwards });
    list.push(c.bidirectional ? layers.bidirectional({ layer: lstm }) : lstm);
  }
  list.push(layers.dense({ units: c.numClasses, activation: 'softmax' }));
  return list;
}

/**
 * Weight names of files saved before the preset was built from layers: a bidirectional layer's weights
 * were "lstm[_l]/{forward,backward}/…"; they are now TF.js's "bidirectional[_l]/{forward,backward}_lstm[_l]/…".
 */
export function upgradeWeightName(name: string): string {
  const m = /^(lstm(?:_(\d+))?)\/(forward|backward)\/(.+)$/.exec(name);
  return m ? `bidirectional${m[2] ? `_${m[2]}` : ''}/${m[3]}_${m[1]}/${m[4]}` : name;
}

export class SentimentNetwork {
  readonly params: ParameterStore;
  readonly graph: Graph;
  private dropoutRng: seedrandom.StatefulPRNG<seedrandom.State.Arc4>;

  constructor(
    readonly engine: Engine,
    readonly config: NetworkConfig,
  ) {
    validateNetworkConfig(config);
    this.graph = buildGraph(sentimentLayers(config));
    // The seed's streams, as they have always been drawn: initial weights layer by layer, then dropout masks.
    this.dropoutRng = seedrandom(`${config.seed}/dropout`, { state: true });
    this.params = new ParameterStore(engine, initialWeights(this.graph, seedrandom(`${config.seed}/init`)));
  }

  /** Parameter names and shapes for a configuration, in arena order (no GPU, no random draws). */
  static paramShapes(c: NetworkConfig): Array<{ name: string; shape: number[] }> {
    return buildGraph(sentimentLayers(c)).layers.flatMap((b) => b.weights);
  }

  /** Encode the forward pass; dropout masks are drawn only when `training`. Returns the logits [B, C] and the embedded input [T, B, E]. */
  forward(step: Step, batch: Batch, training: boolean): { logits: Tensor; embedded: Tensor } {
    const { B, T } = batch;
    if (batch.ids.length !== B * T) throw new Error(`batch has ${batch.ids.length} ids, expected ${B}×${T}`);
    const r = forward(step, this.graph, this.params, { B, T, ids: batch.ids }, { training, dropoutRng: this.dropoutRng, skipLastActivation: true });
    return { logits: r.out, embedded: r.embedded! };
  }

  /** One training step, one submit. The returned promise resolves when the GPU has produced the stats. */
  trainStep(batch: Batch): Promise<StepStats> {
    const c = this.config;
    const step = this.engine.beginStep({ grad: true, label: 'train step' });
    try {
      this.params.zeroGrads(step);
      const { logits } = this.forward(step, batch, true);
      const { stats } = softmaxXent(step, logits, batch.labels, c.classWeights ? Float32Array.from(c.classWeights) : undefined);
      const statsP = step.read(stats);
      step.backward();
      this.params.adam(step, { learningRate: c.learningRate, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon, clipNorm: c.clipNorm });
      const clipP = step.read(this.params.clip);
      step.submit();
      return Promise.all([statsP, clipP]).then(([s, k]) => ({ loss: s[0]!, correct: s[1]!, finite: k[2] === 1 && Number.isFinite(s[0]!), gradNorm: k[1]! }));
    } catch (e) {
      step.abort();
      throw e;
    }
  }

  /** Forward only (no dropout, no gradients): probabilities [B·C] and the batch's loss and correct count. */
  evaluateBatch(batch: Batch): Promise<{ probs: Float32Array; loss: number; correct: number }> {
    const step = this.engine.beginStep({ grad: false, label: 'eval step' });
    try {
      const { logits } = this.forward(step, batch, false);
      const res = softmaxXent(step, logits, batch.labels);
      const probsP = step.read(res.probs);
      const statsP = step.read(res.stats);
      step.submit();
      return Promise.all([probsP, statsP]).then(([probs, s]) => ({ probs, loss: s[0]!, correct: s[1]! }));
    } catch (e) {
      step.abort();
      throw e;
    }
  }

  /**
   * Gradient × input saliency of one sequence: with L = logit of `target`, the score of timestep t is
   * Σ_e x[t, e] · ∂L/∂x[t, e] over the embedded input (dropout off). One step, one submit.
   */
  saliency(ids: Uint32Array, target: number): Promise<Float32Array> {
    const T = ids.length;
    const batch: Batch = { ids, B: 1, T, labels: new Uint32Array([target]) };
    const step = this.engine.beginStep({ grad: true, label: 'saliency' });
    try {
      this.params.zeroGrads(step);
      const { logits, embedded } = this.forward(step, batch, false);
      const seed = new Float32Array(this.config.numClasses);
      seed[target] = 1;
      backpropFrom(step, logits, seed);
      const xP = step.read(embedded.data);
      step.backward();
      const gP = step.read(embedded.grad!);
      step.submit();
      const E = this.config.embedDim;
      return Promise.all([xP, gP]).then(([x, g]) => {
        const out = new Float32Array(T);
        for (let t = 0; t < T; t++) for (let e = 0; e < E; e++) out[t]! += x[t * E + e]! * g[t * E + e]!;
        return out;
      });
    } catch (e) {
      step.abort();
      throw e;
    }
  }

  /** The dropout stream's position, opaque (for a saved model to resume exactly). */
  dropoutState(): unknown {
    return this.dropoutRng.state();
  }

  restoreDropoutState(state: unknown): void {
    this.dropoutRng = seedrandom('', { state: state as seedrandom.State.Arc4 });
  }

  dispose(): void {
    this.params.destroy();
  }
}
