/**
 * The text side of the sentiment model: clean → tokenize (a Keras-compatible Tokenizer, fitted on the
 * training texts) → pad_sequences, and the mapping from a text's words to the timesteps they occupy
 * (for saliency). Large inputs are prepared in slices with a yield to the event loop between them, so
 * that a page stays responsive.
 */
import { cleanText, type CleaningConfig } from '../data/clean';
import { padSequences, Tokenizer } from '../data/tokenizer';

export interface EncodedTexts {
  /** Batch-major [n, T] token ids. */
  ids: Uint32Array;
  /** Each row's real length (≤ T). */
  lengths: Uint32Array;
  T: number;
}

export interface TextEncoderConfig {
  vocabSize: number;
  oovToken: string | null;
  maxLen: number | null;
  padding: 'pre' | 'post';
  truncating: 'pre' | 'post';
  cleaning: CleaningConfig;
}

/** A macrotask boundary: lets the page render and handle input between chunks of host work. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}

const SLICE = 2000;

export class SequenceEncoder {
  tokenizer: Tokenizer;
  /** null until the first fit (then the longest training sequence) unless configured. */
  maxLen: number | null;

  constructor(readonly config: TextEncoderConfig) {
    this.tokenizer = new Tokenizer({ numWords: config.vocabSize, oovToken: config.oovToken });
    this.maxLen = config.maxLen;
  }

  /** Clean, tokenize and pad texts into a [n, maxLen] id matrix (plus each row's real length). */
  encode(texts: readonly string[]): EncodedTexts {
    return this.pad(this.tokenizer.textsToSequences(texts.map((t) => cleanText(t, this.config.cleaning))));
  }

  pad(seqs: number[][]): EncodedTexts {
    const T = this.maxLen;
    if (T === null) throw new Error('maxLen is not known before the first fit');
    const { data } = padSequences(seqs, { maxlen: T, padding: this.config.padding, truncating: this.config.truncating });
    return { ids: data, lengths: Uint32Array.from(seqs, (s) => Math.min(s.length, T)), T };
  }

  /** Token sequences of `texts`, prepared in slices (fitting the tokenizer on them first when asked). */
  async sequencesOf(texts: readonly string[], fitTokenizer: boolean): Promise<number[][]> {
    const cleaned: string[] = [];
    for (let s = 0; s < texts.length; s += SLICE) {
      for (const t of texts.slice(s, s + SLICE)) cleaned.push(cleanText(t, this.config.cleaning));
      await yieldToEventLoop();
    }
    if (fitTokenizer) {
      this.tokenizer.fitOnTexts(cleaned);
      await yieldToEventLoop();
    }
    const seqs: number[][] = [];
    for (let s = 0; s < cleaned.length; s += SLICE) {
      seqs.push(...this.tokenizer.textsToSequences(cleaned.slice(s, s + SLICE)));
      await yieldToEventLoop();
    }
    return seqs;
  }

  /**
   * The words of `text` with the token id each gets (null where the tokenizer drops the word, as Keras does
   * without an OOV token) and the timestep of the padded sequence each kept word occupies (null if truncated).
   */
  wordSteps(text: string): Array<{ word: string; id: number | null; step: number | null }> {
    const T = this.maxLen;
    if (T === null) throw new Error('maxLen is not known before the first fit');
    const words = this.tokenizer.textToWordSequence(cleanText(text, this.config.cleaning));
    const out = words.map((word) => ({ word, id: this.tokenizer.textToSequence(word)[0] ?? null, step: null as number | null }));
    // Kept words occupy consecutive timesteps: after the padding ('pre') or before it ('post'), with
    // truncation dropping words from the configured side.
    const kept = out.filter((w) => w.id !== null);
    const n = kept.length;
    const shown = Math.min(n, T);
    const firstKept = this.config.truncating === 'pre' ? n - shown : 0;
    const firstStep = this.config.padding === 'pre' ? T - shown : 0;
    kept.forEach((w, k) => {
      const j = k - firstKept;
      if (j >= 0 && j < shown) w.step = firstStep + j;
    });
    return out;
  }
}
