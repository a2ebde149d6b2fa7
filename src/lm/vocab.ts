/**
 * A language model's tokens: characters (default) or words. Words keep the text's spaces and
 * punctuation as tokens of their own, so decoding gives the text back. Ids by frequency in the text
 * (ties by first appearance), from 1; id 0 is "unknown" (a token the text did not have, or one past
 * `maxTokens`), decoded as U+FFFD: a prompt may hold it, generation never draws it.
 */
export type TokenLevel = 'char' | 'word';

/** The id of a token the vocabulary lacks (decoded as U+FFFD). */
export const UNKNOWN_ID = 0;
/** The lowest id of a token of the text: ids below it are special (unknown), read but never generated. */
export const FIRST_TOKEN_ID = 1;

const WORDS = /\s+|[\p{L}\p{M}\p{N}_']+|[^\s\p{L}\p{M}\p{N}_']/gu;

export function splitTokens(text: string, level: TokenLevel): string[] {
  return level === 'char' ? Array.from(text) : (text.match(WORDS) ?? []);
}

export class Vocabulary {
  private readonly index: Map<string, number>;

  /** tokens[i] is id i + 1. */
  constructor(
    readonly tokens: readonly string[],
    readonly level: TokenLevel,
  ) {
    this.index = new Map(tokens.map((t, i) => [t, i + 1]));
    if (this.index.size !== tokens.length) throw new Error('vocabulary: a token appears twice');
  }

  static fromText(text: string, level: TokenLevel = 'char', maxTokens = level === 'char' ? 1000 : 10000): Vocabulary {
    const counts = new Map<string, number>();
    for (const t of splitTokens(text, level)) counts.set(t, (counts.get(t) ?? 0) + 1);
    if (counts.size === 0) throw new Error('the text is empty');
    // Map iteration is insertion order, so a stable sort keeps first appearance among equal counts.
    const tokens = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, maxTokens).map(([t]) => t);
    return new Vocabulary(tokens, level);
  }

  /** Ids including 0 (unknown). */
  get size(): number {
    return this.tokens.length + 1;
  }

  encode(text: string): Uint32Array {
    const parts = splitTokens(text, this.level);
    return Uint32Array.from(parts, (t) => this.index.get(t) ?? UNKNOWN_ID);
  }

  /** The distinct tokens of `text` that the vocabulary lacks (each read as unknown), in order of appearance. */
  unknownTokens(text: string): string[] {
    const unknown = new Set<string>();
    for (const t of splitTokens(text, this.level)) if (!this.index.has(t)) unknown.add(t);
    return [...unknown];
  }

  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) s += ids[i] === UNKNOWN_ID ? '\uFFFD' : (this.tokens[ids[i]! - FIRST_TOKEN_ID] ?? '\uFFFD');
    return s;
  }

  toJSON(): { level: TokenLevel; tokens: string[] } {
    return { level: this.level, tokens: [...this.tokens] };
  }

  static fromJSON(j: unknown): Vocabulary {
    const v = j as { level?: unknown; tokens?: unknown };
    if (!v || (v.level !== 'char' && v.level !== 'word') || !Array.isArray(v.tokens) || v.tokens.some((t) => typeof t !== 'string')) throw new Error('not a valid vocabulary');
    return new Vocabulary(v.tokens as string[], v.level);
  }
}
