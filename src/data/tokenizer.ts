/**
 * A Keras-compatible word Tokenizer and pad_sequences.
 *
 * Semantics (keras.preprocessing.text.Tokenizer):
 * - text_to_word_sequence: optionally lowercase, replace every `filters` character by `split`, split on
 *   `split`, drop empty strings.
 * - fit_on_texts counts words; word_index ranks them by count, descending, ties in order of first
 *   appearance (a stable sort of the insertion-ordered counts); indices start at 1 (0 is padding); an
 *   `oovToken` takes index 1 and shifts the rest.
 * - texts_to_sequences keeps a word only if its index < numWords (when set); otherwise it becomes the
 *   OOV index if there is an OOV token, or is dropped.
 */
export const KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n';

export interface TokenizerConfig {
  numWords: number | null;
  oovToken: string | null;
  filters: string;
  lower: boolean;
  split: string;
}

export interface TokenizerJSON extends TokenizerConfig {
  /** Words in index order: words[i] has index i + 1. */
  words: string[];
  /** Word counts in the same order. */
  counts: number[];
}

export class Tokenizer {
  readonly config: TokenizerConfig;
  /** word → index (1-based). */
  wordIndex = new Map<string, number>();
  /** word → count in fit_on_texts, in order of first appearance. */
  wordCounts = new Map<string, number>();
  /**
   * Keras's `sorted_voc`: the OOV token (if any), then the words by count. `wordIndex` is built from it as
   * Keras builds its dict: entry k gets index k + 1 and a repeated word keeps its last index, so an OOV
   * token that is also a word of the texts leaves index 1 unused and shifts no other word.
   */
  vocabulary: string[] = [];

  constructor(config: Partial<TokenizerConfig> = {}) {
    this.config = {
      numWords: config.numWords ?? null,
      oovToken: config.oovToken ?? null,
      filters: config.filters ?? KERAS_FILTERS,
      lower: config.lower ?? true,
      split: config.split ?? ' ',
    };
    if (this.config.numWords !== null && !(Number.isInteger(this.config.numWords) && this.config.numWords >= 1)) {
      throw new Error(`numWords must be a positive integer or null, got ${this.config.numWords}`);
    }
    if (this.config.split === '') throw new Error('split must not be empty');
  }

  get fitted(): boolean {
    return this.wordIndex.size > 0;
  }

  textToWordSequence(text: string): string[] {
    let s = this.config.lower ? text.toLowerCase() : text;
    const { filters, split } = this.config;
    if (filters.length > 0) {
      let out = '';
      for (const ch of s) out += filters.includes(ch) ? split : ch;
      s = out;
    }
    return s.split(split).filter((w) => w !== '');
  }

  fitOnTexts(texts: Iterable<string>): void {
    for (const t of texts) {
      for (const w of this.textToWordSequence(t)) this.wordCounts.set(w, (this.wordCounts.get(w) ?? 0) + 1);
    }
    const sorted = [...this.wordCounts.entries()].sort((a, b) => b[1] - a[1]); // stable: ties keep first appearance
    const words = sorted.map(([w]) => w);
    const oov = this.config.oovToken;
    this.setVocabulary(oov === null ? words : [oov, ...words]);
  }

  private setVocabulary(vocabulary: string[]): void {
    this.vocabulary = vocabulary;
    this.wordIndex = new Map();
    vocabulary.forEach((w, i) => this.wordIndex.set(w, i + 1)); // later entries win, as in a Python dict
  }

  /** The size of the id space a model needs: numWords when set, else the largest index + 1 (0 is padding). */
  get vocabSize(): number {
    return this.config.numWords ?? this.vocabulary.length + 1;
  }

  textsToSequences(texts: readonly string[]): number[][] {
    return texts.map((t) => this.textToSequence(t));
  }

  textToSequence(text: string): number[] {
    const { numWords, oovToken } = this.config;
    const oovIndex = oovToken !== null ? this.wordIndex.get(oovToken) ?? null : null;
    const seq: number[] = [];
    for (const w of this.textToWordSequence(text)) {
      const i = this.wordIndex.get(w);
      if (i !== undefined && (numWords === null || i < numWords)) seq.push(i);
      else if (oovIndex !== null) seq.push(oovIndex);
    }
    return seq;
  }

  toJSON(): TokenizerJSON {
    const words = this.vocabulary;
    return { ...this.config, words, counts: words.map((w) => this.wordCounts.get(w) ?? 0) };
  }

  /**
   * A tokenizer from Keras's `tokenizer.to_json()` (keras.preprocessing.text.Tokenizer; the JSON text or
   * its parsed object): its settings, word_index and word_counts. char_level tokenizers are refused.
   */
  static fromKeras(json: unknown): Tokenizer {
    const top = (typeof json === 'string' ? parseJson(json, 'tokenizer JSON') : json) as { class_name?: unknown; config?: Record<string, unknown> } | null;
    if (!top || typeof top !== 'object' || top.class_name !== 'Tokenizer' || typeof top.config !== 'object' || top.config === null) {
      throw new Error('not a Keras tokenizer: expected the JSON of tokenizer.to_json() ({"class_name": "Tokenizer", "config": …})');
    }
    const c = top.config;
    if (c.char_level === true) throw new Error('Keras tokenizer: char_level=True is not supported (word tokenizers only)');
    const field = (v: unknown, what: string): Record<string, number> => {
      const o = typeof v === 'string' ? parseJson(v, `tokenizer ${what}`) : v;
      if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error(`Keras tokenizer: ${what} must be an object`);
      return o as Record<string, number>;
    };
    const index = field(c.word_index, 'word_index');
    const counts = c.word_counts === undefined || c.word_counts === null ? {} : field(c.word_counts, 'word_counts');
    const t = new Tokenizer({
      numWords: typeof c.num_words === 'number' ? c.num_words : null,
      oovToken: typeof c.oov_token === 'string' ? c.oov_token : null,
      filters: typeof c.filters === 'string' ? c.filters : KERAS_FILTERS,
      lower: c.lower !== false,
      split: typeof c.split === 'string' ? c.split : ' ',
    });
    // Keras's sorted_voc in index order (an index no word holds, e.g. an OOV token that is also a word, stays empty).
    const entries = Object.entries(index);
    const size = entries.reduce((m, [, i]) => Math.max(m, i), 0);
    const vocabulary: string[] = new Array<string>(size).fill('');
    for (const [w, i] of entries) {
      if (!(Number.isInteger(i) && i >= 1)) throw new Error(`Keras tokenizer: word_index gives "${w}" the index ${JSON.stringify(i)}`);
      vocabulary[i - 1] = w;
    }
    for (const [w, n] of Object.entries(counts)) if (Number.isInteger(n) && n >= 0) t.wordCounts.set(w, n);
    t.setVocabulary(vocabulary);
    return t;
  }

  static fromJSON(j: TokenizerJSON): Tokenizer {
    if (!Array.isArray(j.words) || !Array.isArray(j.counts) || j.words.length !== j.counts.length) throw new Error('tokenizer: words and counts must be arrays of equal length');
    const t = new Tokenizer(j);
    j.words.forEach((w, i) => {
      if (typeof w !== 'string') throw new Error('tokenizer: words must be strings');
      if (!(Number.isInteger(j.counts[i]) && j.counts[i]! >= 0)) throw new Error('tokenizer: counts must be non-negative integers');
      if (j.counts[i]! > 0 || !t.wordCounts.has(w)) t.wordCounts.set(w, j.counts[i]!);
    });
    t.setVocabulary([...j.words]);
    return t;
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${what} is not valid JSON: ${(e as Error).message}`);
  }
}

export interface PadOptions {
  maxlen?: number | null;
  padding?: 'pre' | 'post';
  truncating?: 'pre' | 'post';
  value?: number;
}

/**
 * keras pad_sequences: a [n, maxlen] row-major Uint32Array; maxlen defaults to the longest sequence, so
 * all-empty sequences give [n, 0], and an empty list without maxlen is an error, as in Keras.
 */
export function padSequences(seqs: readonly number[][], opts: PadOptions = {}): { data: Uint32Array; maxlen: number } {
  if (seqs.length === 0 && (opts.maxlen ?? null) === null) {
    throw new Error('pad_sequences of an empty list needs maxlen (Keras: "zero-size array to reduction operation maximum which has no identity")');
  }
  const maxlen = opts.maxlen ?? seqs.reduce((m, s) => Math.max(m, s.length), 0);
  if (!(Number.isInteger(maxlen) && maxlen >= 0)) throw new Error(`maxlen must be a non-negative integer, got ${maxlen}`);
  const data = new Uint32Array(seqs.length * maxlen).fill(opts.value ?? 0);
  seqs.forEach((s, r) => padRow(data, r, s, maxlen, opts.padding ?? 'pre', opts.truncating ?? 'pre'));
  return { data, maxlen };
}

/** Write one sequence into row `r` of a [n, maxlen] matrix already filled with the padding value (pad_sequences' rule). */
export function padRow(data: Uint32Array, r: number, s: ArrayLike<number> & { slice(a: number, b?: number): ArrayLike<number> }, maxlen: number, padding: 'pre' | 'post', truncating: 'pre' | 'post'): void {
  const kept = s.length <= maxlen ? s : truncating === 'pre' ? s.slice(s.length - maxlen) : s.slice(0, maxlen);
  data.set(kept, r * maxlen + (padding === 'pre' ? maxlen - kept.length : 0));
}
