/**
 * The text side of the sentiment model: clean → tokenize (a Keras-compatible Tokenizer, fitted on the
 * training texts) → pad_sequences (to a length chosen from the training texts unless configured), and
 * the mapping from a text's words to the timesteps they occupy (for saliency). Large inputs are prepared in slices with a yield to the event loop between them, so
 * that a page stays responsive.
 */
import { cleanText, type CleaningConfig } from '../data/clean';
import { padRow, Tokenizer } from '../data/tokenizer';

export interface EncodedTexts {
  /** Batch-major [n, T] token ids. */
  ids: Uint32Array;
  /** Each row's real length (≤ T). */
  lengths: Uint32Array;
  T: number;
}

/**
 * Token sequences packed end to end: sequence i is tokens[offsets[i] .. offsets[i + 1]). A million
 * texts take a few bytes per token this way, where arrays of arrays take hundreds of bytes per text.
 */
export interface PackedSequences {
  tokens: Uint32Array;
  offsets: Uint32Array;
}

/** Pack arrays of token ids. */
export function packSequences(seqs: readonly (readonly number[])[]): PackedSequences {
  const offsets = new Uint32Array(seqs.length + 1);
  seqs.forEach((s, i) => (offsets[i + 1] = offsets[i]! + s.length));
  const tokens = new Uint32Array(offsets[seqs.length]!);
  seqs.forEach((s, i) => tokens.set(s, offsets[i]!));
  return { tokens, offsets };
}

/** Each packed sequence's length. */
export function sequenceLengths(p: PackedSequences): Uint32Array {
  const n = p.offsets.length - 1;
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = p.offsets[i + 1]! - p.offsets[i]!;
  return out;
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
  /**
   * While maxLen is null, pad each call's texts to the longest of them (Keras pad_sequences' default)
   * instead of refusing: an imported network whose input length is free predicts before any fit.
   */
  padToLongest = false;

  constructor(readonly config: TextEncoderConfig) {
    this.tokenizer = new Tokenizer({ numWords: config.vocabSize, oovToken: config.oovToken });
    this.maxLen = config.maxLen;
  }

  /** Clean, tokenize and pad texts into a [n, maxLen] id matrix (plus each row's real length). */
  encode(texts: readonly string[]): EncodedTexts {
    return this.pad(packSequences(this.tokenizer.textsToSequences(texts.map((t) => cleanText(t, this.config.cleaning)))));
  }

  /** pad_sequences of packed sequences: a [n, maxLen] id matrix and each row's real length. */
  pad(p: PackedSequences): EncodedTexts {
    const n = p.offsets.length - 1;
    let T = this.maxLen;
    if (T === null && this.padToLongest) T = sequenceLengths(p).reduce((m, l) => Math.max(m, l), 1);
    if (T === null) throw new Error('maxLen is not known before the first fit');
    const ids = new Uint32Array(n * T);
    const lengths = new Uint32Array(n);
    for (let r = 0; r < n; r++) {
      const seq = p.tokens.subarray(p.offsets[r]!, p.offsets[r + 1]!);
      padRow(ids, r, seq, T, this.config.padding, this.config.truncating);
      lengths[r] = Math.min(seq.length, T);
    }
    return { ids, lengths, T };
  }

  /**
   * Token sequences of `texts`, packed, prepared in slices (fitting the tokenizer on them first when
   * asked). Each text is cleaned as it is needed (twice when fitting) rather than all kept cleaned.
   */
  async sequencesOf(texts: readonly string[], fitTokenizer: boolean): Promise<PackedSequences> {
    const clean = (t: string) => cleanText(t, this.config.cleaning);
    if (fitTokenizer) {
      // The word counts accumulate text by text; the vocabulary is ordered once, at the end.
      this.tokenizer.fitOnTexts((function* () {
        for (const t of texts) yield clean(t);
      })());
      await yieldToEventLoop();
    }
    const offsets = new Uint32Array(texts.length + 1);
    let tokens = new Uint32Array(Math.max(1024, texts.length * 8));
    let used = 0;
    for (let s = 0; s < texts.length; s += SLICE) {
      const seqs = this.tokenizer.textsToSequences(texts.slice(s, s + SLICE).map(clean));
      seqs.forEach((seq, k) => {
        if (used + seq.length > tokens.length) {
          const grown = new Uint32Array(Math.max(used + seq.length, Math.ceil(tokens.length * 1.5)));
          grown.set(tokens.subarray(0, used));
          tokens = grown;
        }
        tokens.set(seq, used);
        used += seq.length;
        offsets[s + k + 1] = used;
      });
      await yieldToEventLoop();
    }
    return { tokens: tokens.slice(0, used), offsets };
  }

  /**
   * The words of `text` with the token id each gets (null where the tokenizer drops the word, as Keras does
   * without an OOV token) and the timestep of the padded sequence each kept word occupies (null if truncated).
   */
  wordSteps(text: string): Array<{ word: string; id: number | null; step: number | null }> {
    const words = this.tokenizer.textToWordSequence(cleanText(text, this.config.cleaning));
    const out = words.map((word) => ({ word, id: this.tokenizer.textToSequence(word)[0] ?? null, step: null as number | null }));
    // Kept words occupy consecutive timesteps: after the padding ('pre') or before it ('post'), with
    // truncation dropping words from the configured side.
    const kept = out.filter((w) => w.id !== null);
    const n = kept.length;
    const T = this.maxLen ?? (this.padToLongest ? Math.max(1, n) : null);
    if (T === null) throw new Error('maxLen is not known before the first fit');
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

/** Where the default sequence length is capped: the longest text when it is within this factor of the 99th percentile. */
export const OUTLIER_FACTOR = 4;

/**
 * The default sequence length (Keras pad_sequences pads to the longest): the longest training sequence,
 * unless it is more than OUTLIER_FACTOR × the 99th percentile of lengths (one huge cell would otherwise
 * set the cost of every batch), then that percentile.
 */
export function defaultMaxLen(lengths: ArrayLike<number>): { maxLen: number; longest: number; p99: number; capped: boolean } {
  const sorted = Float64Array.from(lengths).sort();
  const longest = Math.max(1, sorted[sorted.length - 1] ?? 1);
  const p99 = Math.max(1, sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)] ?? 1);
  const capped = longest > OUTLIER_FACTOR * p99;
  return { maxLen: capped ? p99 : longest, longest, p99, capped };
}
