/**
 * Text cleaning as configurable steps. The default keeps the letters, digits and combining marks of every
 * script (Unicode properties), lower-cased with the locale-independent Unicode rules, and drops the
 * retweet marker "rt" as a token. Scripts written without spaces between words (Han, Hiragana, Katakana,
 * Thai, Lao, Khmer, Myanmar) become one token per character, and emoji are kept, one token each.
 * `keep: 'ascii'` is the classic notebook's recipe: only [a-z0-9] survive (so any other script is
 * removed entirely). URL and @mention removal are optional.
 */
export interface CleaningConfig {
  lowercase: boolean;
  removeUrls: boolean;
  removeMentions: boolean;
  /**
   * Which characters survive besides whitespace: 'unicode' letters, digits and marks of every script plus
   * emoji; 'ascii' only a–z, 0–9 (and A–Z when not lowercasing), the notebook's cleaning; 'all' everything.
   */
  keep: 'unicode' | 'ascii' | 'all';
  /** Whole tokens to drop after the other steps. */
  dropTokens: string[];
}

export const DEFAULT_CLEANING: CleaningConfig = {
  lowercase: true,
  removeUrls: false,
  removeMentions: false,
  keep: 'unicode',
  dropTokens: ['rt'],
};

/** The classic notebook's cleaning: lowercase, only [a-z0-9] survive, "rt" dropped. */
export const ASCII_CLEANING: CleaningConfig = { ...DEFAULT_CLEANING, keep: 'ascii' };

const NOT_KEPT_UNICODE = /[^\p{L}\p{N}\p{M}\p{Extended_Pictographic}\s]/gu;
/** Characters that are tokens on their own: scripts without spaces between words, and emoji. */
const CHARACTER_TOKENS = /([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{Extended_Pictographic}])/gu;

export function cleanText(text: string, cfg: CleaningConfig = DEFAULT_CLEANING): string {
  let s = text;
  if (cfg.removeUrls) s = s.replace(/\b(?:https?:\/\/|www\.)\S+/gi, ' ');
  if (cfg.removeMentions) s = s.replace(/(^|[^\w])@\w+/g, '$1 ');
  if (cfg.lowercase) s = s.toLowerCase(); // Unicode's default case mapping, the same in every locale
  if (cfg.keep === 'ascii') s = cfg.lowercase ? s.replace(/[^a-z0-9\s]/g, '') : s.replace(/[^a-zA-Z0-9\s]/g, '');
  else if (cfg.keep === 'unicode') s = s.replace(NOT_KEPT_UNICODE, '').replace(CHARACTER_TOKENS, ' $1 ');
  if (cfg.dropTokens.length > 0 || cfg.keep === 'unicode') {
    const drop = new Set(cfg.dropTokens);
    s = s
      .split(/\s+/)
      .filter((w) => w !== '' && !drop.has(w))
      .join(' ');
  }
  return s;
}

/** A saved model's cleaning from before `keep` existed: stripNonAlphanumeric true meant 'ascii'. */
export function upgradeCleaning(c: Partial<CleaningConfig> & { stripNonAlphanumeric?: boolean }): Partial<CleaningConfig> {
  if (c.keep !== undefined || c.stripNonAlphanumeric === undefined) return c;
  const { stripNonAlphanumeric, ...rest } = c;
  return { ...rest, keep: stripNonAlphanumeric ? 'ascii' : 'all' };
}

/** The validation of a cleaning configuration (null or a wrong type is an error, not a default). */
export function validateCleaning(c: unknown): asserts c is CleaningConfig {
  const o = c as Partial<CleaningConfig> | null;
  if (!o || typeof o !== 'object') throw new Error(`cleaning must be an object, got ${JSON.stringify(c)}`);
  for (const k of ['lowercase', 'removeUrls', 'removeMentions'] as const) {
    if (typeof o[k] !== 'boolean') throw new Error(`cleaning.${k} must be true or false, got ${JSON.stringify(o[k])}`);
  }
  if (o.keep !== 'unicode' && o.keep !== 'ascii' && o.keep !== 'all') throw new Error(`cleaning.keep must be 'unicode', 'ascii' or 'all', got ${JSON.stringify(o.keep)}`);
  if (!Array.isArray(o.dropTokens) || o.dropTokens.some((t) => typeof t !== 'string')) throw new Error('cleaning.dropTokens must be an array of strings');
}

/** In words, for messages: what the cleaning keeps. */
export function describeCleaning(c: CleaningConfig): string {
  return c.keep === 'ascii' ? "the 'ascii' cleaning (only a–z and 0–9)" : c.keep === 'unicode' ? "the 'unicode' cleaning (letters and digits of every script, emoji)" : 'no character filtering';
}
