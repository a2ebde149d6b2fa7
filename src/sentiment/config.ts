/**
 * The sentiment model's configuration: the network's settings plus the text pipeline's, the notebook's
 * recipe as defaults, and their validation (shared by creation and loading).
 */
import { DEFAULT_CLEANING, validateCleaning, type CleaningConfig } from '../data/clean';
import { DEFAULT_NETWORK, validateNetworkConfig, type NetworkConfig } from './recipe';

/** The network's settings (see NetworkConfig) plus the text pipeline's; classes come from the data. */
export interface ModelConfig extends Omit<NetworkConfig, 'numClasses'> {
  /** Per-class loss weights in label order, 'balanced' (n / (k · count)), or null. */
  classWeights: number[] | 'balanced' | null;
  /** Sequence length; null: the longest training sequence (Keras pad_sequences' default). */
  maxLen: number | null;
  padding: 'pre' | 'post';
  truncating: 'pre' | 'post';
  oovToken: string | null;
  cleaning: CleaningConfig;
}

/**
 * The original notebook's recipe: vocabulary 2000, embedding 128, SpatialDropout1D 0.4, LSTM 196 with
 * dropout 0.2 and recurrent dropout 0.2, Dense softmax, Adam 1e-3. One deliberate difference: padding
 * is masked (mask_zero), which the notebook does not do; set maskZero: false for the exact recipe. The
 * default cleaning keeps every script's letters (the notebook's kept only a–z, 0–9: cleaning ASCII_CLEANING).
 */
const { numClasses: _classes, ...NETWORK_RECIPE } = DEFAULT_NETWORK;
export const NOTEBOOK_RECIPE: ModelConfig = {
  ...NETWORK_RECIPE,
  classWeights: null,
  maxLen: null,
  padding: 'pre',
  truncating: 'pre',
  oovToken: null,
  cleaning: DEFAULT_CLEANING,
};

/** The recipe with `config` over it (cleaning merged field by field). */
export function withDefaults(config: Partial<ModelConfig>): ModelConfig {
  return { ...NOTEBOOK_RECIPE, ...config, cleaning: { ...NOTEBOOK_RECIPE.cleaning, ...(config.cleaning ?? {}) } };
}

export function validateModelConfig(c: ModelConfig): void {
  validateNetworkConfig(networkConfig(c, 2));
  const cw = c.classWeights;
  if (cw !== null && cw !== 'balanced' && (!Array.isArray(cw) || cw.length < 2 || cw.some((w) => typeof w !== 'number' || !(w >= 0)))) {
    throw new Error(`classWeights must be 'balanced', null or a non-negative number per class, got ${JSON.stringify(cw)}`);
  }
  validateCleaning(c.cleaning);
  if (c.maxLen !== null && !(Number.isInteger(c.maxLen) && c.maxLen >= 1)) throw new Error(`maxLen must be a positive integer or null, got ${c.maxLen}`);
  if (c.padding !== 'pre' && c.padding !== 'post') throw new Error(`padding must be 'pre' or 'post', got ${String(c.padding)}`);
  if (c.truncating !== 'pre' && c.truncating !== 'post') throw new Error(`truncating must be 'pre' or 'post', got ${String(c.truncating)}`);
}

/** The network's part of a model configuration, for `numClasses` classes. */
export function networkConfig(c: ModelConfig, numClasses: number): NetworkConfig {
  const { maxLen: _maxLen, padding: _padding, truncating: _truncating, oovToken: _oov, cleaning: _cleaning, classWeights: _cw, ...network } = c;
  return { ...network, numClasses };
}
