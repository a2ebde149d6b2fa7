/**
 * Sentiment model files of version 0.2 and before (format "webgpu-lstm-sentiment"): the model zip
 * (model-zip.ts) with a manifest.json holding the configuration, labels, tokenizer, gate order and
 * parameter names and shapes. Read only: today's sentiment models are saved in the one model file
 * (layers/file.ts, kind "sentiment"). Reading checks everything before any GPU work, so a malformed or
 * mismatched file is rejected with a reason.
 */
import { upgradeCleaning } from '../data/clean';
import { Tokenizer, type TokenizerJSON } from '../data/tokenizer';
import { GATE_ORDER } from '../ops/lstm-layout';
import { buildGraph } from '../layers/graph';
import { LEGACY_SENTIMENT_FORMAT } from '../layers/file';
import { readTrainingState, unpackWeights, type OpenedModelZip, type TrainingManifest, type TrainingState } from '../layers/model-zip';
import { networkConfig, validateModelConfig, withDefaults, type ModelConfig } from './config';
import { sentimentLayers, upgradeWeightName } from './recipe';

export { LEGACY_SENTIMENT_FORMAT };

/** The manifest of a 0.2 sentiment model file. */
export interface SavedManifest {
  format: 'webgpu-lstm-sentiment';
  version: 1;
  config: ModelConfig;
  labelNames: string[];
  maxLen: number;
  gateOrder: string[];
  params: Array<{ name: string; shape: number[] }>;
  tokenizer: TokenizerJSON;
  /** What exact resumption needs (absent when saved without it). */
  training?: TrainingManifest;
}

export interface SavedModel {
  config: ModelConfig;
  labelNames: string[];
  maxLen: number;
  tokenizer: Tokenizer;
  /** Parameters by name, in the network's order. */
  weights: Map<string, Float32Array>;
  training: TrainingState | null;
}

/** Read and check an opened 0.2 sentiment model file. */
export async function decodeLegacySentimentFile(opened: OpenedModelZip): Promise<SavedModel> {
  const m = opened.manifest as unknown as SavedManifest;
  if (m.format !== LEGACY_SENTIMENT_FORMAT) throw new Error(`not a sentiment model file of webgpu-lstm 0.2 (format "${String(m.format)}")`);
  if (m.version !== 1) throw new Error(`unsupported saved-model version ${String(m.version)} (this build reads version 1)`);
  if (JSON.stringify(m.gateOrder) !== JSON.stringify(GATE_ORDER)) throw new Error(`unsupported gate order ${JSON.stringify(m.gateOrder)}`);
  if (!m.config || typeof m.config !== 'object') throw new Error('not a saved model: manifest.json has no configuration');
  const saved = m.config.cleaning as unknown;
  if (saved !== undefined && (saved === null || typeof saved !== 'object')) throw new Error(`not a saved model: its cleaning configuration is ${JSON.stringify(saved)}`);
  // Models saved before `cleaning.keep` existed cleaned with stripNonAlphanumeric (true: ASCII only).
  const config = withDefaults({ ...m.config, cleaning: upgradeCleaning(m.config.cleaning ?? {}) as ModelConfig['cleaning'] });
  validateModelConfig(config);
  if (!Array.isArray(m.labelNames) || m.labelNames.length < 2 || m.labelNames.some((l) => typeof l !== 'string')) throw new Error('the saved labels are invalid');
  if (new Set(m.labelNames).size !== m.labelNames.length) throw new Error(`the saved labels repeat a name (${m.labelNames.join(', ')})`);
  if (!Array.isArray(m.params) || m.params.some((p) => !p || typeof p.name !== 'string' || !Array.isArray(p.shape))) {
    throw new Error('not a saved model: manifest.json lists no valid parameters');
  }
  if (!m.tokenizer || typeof m.tokenizer !== 'object') throw new Error('not a saved model: manifest.json has no tokenizer');
  if (!(Number.isInteger(m.maxLen) && m.maxLen >= 1)) throw new Error('the saved maxLen is invalid');
  const tokenizer = Tokenizer.fromJSON(m.tokenizer);
  // Expected parameters: what this config builds, by name and shape, in order.
  const expected = buildGraph(sentimentLayers(networkConfig(config, m.labelNames.length))).layers.flatMap((b) => b.weights);
  // Files from before the preset was built from layers name bidirectional weights the old way.
  const same = expected.length === m.params.length && expected.every((e, i) => e.name === upgradeWeightName(m.params[i]!.name) && JSON.stringify(e.shape) === JSON.stringify(m.params[i]!.shape));
  if (!same) throw new Error('the saved parameters do not match the saved configuration (names or shapes differ)');
  const total = expected.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
  const weights = unpackWeights(await opened.weights(total), expected);
  return { config, labelNames: [...m.labelNames], maxLen: m.maxLen, tokenizer, weights, training: await readTrainingState(opened, m.training) };
}
