/**
 * Text cleaning as configurable steps. The default is the classic notebook recipe: lowercase, strip
 * every character outside [a-z0-9\s], and drop the retweet marker "rt" — as a token (the notebook's
 * substring replace also mangled words such as "start"). URL and @mention removal are optional.
 */
export interface CleaningConfig {
  lowercase: boolean;
  removeUrls: boolean;
  removeMentions: boolean;
  /** Remove characters outside [a-z0-9] (and A-Z when not lowercasing) and whitespace. */
  stripNonAlphanumeric: boolean;
  /** Whole tokens to drop after the other steps. */
  dropTokens: string[];
}

export const DEFAULT_CLEANING: CleaningConfig = {
  lowercase: true,
  removeUrls: false,
  removeMentions: false,
  stripNonAlphanumeric: true,
  dropTokens: ['rt'],
};

export function cleanText(text: string, cfg: CleaningConfig = DEFAULT_CLEANING): string {
  let s = text;
  if (cfg.removeUrls) s = s.replace(/\b(?:https?:\/\/|www\.)\S+/gi, ' ');
  if (cfg.removeMentions) s = s.replace(/(^|[^\w])@\w+/g, '$1 ');
  if (cfg.lowercase) s = s.toLowerCase();
  if (cfg.stripNonAlphanumeric) s = cfg.lowercase ? s.replace(/[^a-z0-9\s]/g, '') : s.replace(/[^a-zA-Z0-9\s]/g, '');
  if (cfg.dropTokens.length > 0) {
    const drop = new Set(cfg.dropTokens);
    s = s
      .split(/\s+/)
      .filter((w) => w !== '' && !drop.has(w))
      .join(' ');
  }
  return s;
}
