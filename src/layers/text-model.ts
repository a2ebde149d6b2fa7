/**
 * A token-id model (one loaded from Keras, say) with the Keras Tokenizer it was trained with: `predict`
 * takes strings. The text goes through the tokenizer exactly as Keras's texts_to_sequences and
 * pad_sequences would send it (padding and truncating 'pre' by default, as Keras's), to the model's
 * own input length.
 */
import { padSequences, Tokenizer } from '../data/tokenizer';
import type { PredictOptions, Sequential } from './sequential';

export interface TextModelOptions {
  /** Sequence length when the model's input length is free (default: the longest text of each call). */
  maxLen?: number;
  padding?: 'pre' | 'post';
  truncating?: 'pre' | 'post';
  /** Names of the output units (class labels), for `label`. */
  labels?: string[];
}

export class TextModel {
  readonly maxLen: number | null;

  constructor(
    readonly model: Sequential,
    readonly tokenizer: Tokenizer,
    readonly options: TextModelOptions = {},
  ) {
    if (model.graph.input.kind !== 'ids') throw new Error('withTokenizer: the model does not take token ids (its first layer is not an embedding)');
    const fixed = model.graph.input.shape[0] ?? null;
    if (fixed !== null && options.maxLen !== undefined && options.maxLen !== fixed) throw new Error(`withTokenizer: the model takes sequences of ${fixed}, not maxLen ${options.maxLen}`);
    this.maxLen = fixed ?? options.maxLen ?? null;
    const vocab = (model.graph.layers[0]!.layer as { inputDim: number }).inputDim;
    if (tokenizer.vocabSize > vocab) throw new Error(`withTokenizer: the tokenizer gives ids up to ${tokenizer.vocabSize - 1}, over the embedding's ${vocab} rows`);
  }

  /** The padded token ids of `texts`, as the model reads them. */
  encode(texts: readonly string[]): number[][] {
    const { data, maxlen } = padSequences(this.tokenizer.textsToSequences(texts), { maxlen: this.maxLen, padding: this.options.padding ?? 'pre', truncating: this.options.truncating ?? 'pre' });
    return Array.from({ length: texts.length }, (_, i) => Array.from(data.subarray(i * maxlen, (i + 1) * maxlen)));
  }

  /** The model's outputs for each text (a row of class probabilities for a classifier); options as Sequential.predict's. */
  async predict(texts: readonly string[], opts: PredictOptions = {}): Promise<number[][]> {
    if (texts.length === 0) return [];
    return (await this.model.predict(this.encode(texts), opts)) as number[][];
  }

  /** The most likely label of each text (the output unit's name when `labels` were given, else its index). */
  async label(texts: readonly string[]): Promise<string[]> {
    return (await this.predict(texts)).map((p) => {
      const k = p.indexOf(Math.max(...p));
      return this.options.labels?.[k] ?? String(k);
    });
  }
}

/** A text model of a token-id model and a Keras tokenizer (`tokenizer.to_json()`, as text or parsed). */
export function withTokenizer(model: Sequential, tokenizerJson: unknown, options: TextModelOptions = {}): TextModel {
  return new TextModel(model, Tokenizer.fromKeras(tokenizerJson), options);
}
