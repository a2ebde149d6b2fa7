/**
 * Which units of a language model's recurrent layer are worth looking at for a text: the one whose h
 * varies most, and those whose h tracks something a reader can see in the text — the position in the
 * line, being inside quotes, inside brackets, having just read a space (the units "Visualizing and
 * Understanding Recurrent Networks" found by eye). Pure functions of the tokens and the activations; no
 * GPU, no DOM (the writer's Worker runs them).
 *
 * Every feature describes the state after reading token t (what h_t can know): after an opening quote
 * it is 1, after the closing one 0; after a newline the position in the line is 0.
 */

/**
 * The most characters of a text the writer reads to colour it (one inference pass over them; the
 * colouring stays readable). Here, with no GPU code, so the page can say it without loading the engine.
 */
export const MAX_COLOURED_CHARS = 400;

/** What a unit may track. */
export type UnitCriterion = 'variance' | 'line-position' | 'in-quotes' | 'in-brackets' | 'after-space';

export const CRITERIA: readonly UnitCriterion[] = ['variance', 'line-position', 'in-quotes', 'in-brackets', 'after-space'];

/** How the picker names each criterion. */
export const CRITERION_TITLES: Readonly<Record<UnitCriterion, string>> = {
  variance: 'varies most',
  'line-position': 'tracks the position in the line',
  'in-quotes': 'is on inside quotes',
  'in-brackets': 'is on inside brackets',
  'after-space': 'fires after a space',
};

export type FeatureName = Exclude<UnitCriterion, 'variance'>;

const OPEN_BRACKETS = '([{';
const CLOSE_BRACKETS = ')]}';

/** Per token, the value of each feature after reading it. */
export function textFeatures(tokens: readonly string[]): Record<FeatureName, Float64Array> {
  const T = tokens.length;
  const f: Record<FeatureName, Float64Array> = {
    'line-position': new Float64Array(T),
    'in-quotes': new Float64Array(T),
    'in-brackets': new Float64Array(T),
    'after-space': new Float64Array(T),
  };
  let column = 0;
  let inQuotes = false;
  let depth = 0;
  tokens.forEach((tok, t) => {
    for (const ch of tok) {
      if (ch === '\n') column = 0;
      else column++;
      // '"' toggles; curly quotes open and close; a single quote is an apostrophe too often to count.
      if (ch === '"') inQuotes = !inQuotes;
      else if (ch === '“' || ch === '«') inQuotes = true;
      else if (ch === '”' || ch === '»') inQuotes = false;
      if (OPEN_BRACKETS.includes(ch)) depth++;
      else if (CLOSE_BRACKETS.includes(ch)) depth = Math.max(0, depth - 1);
    }
    f['line-position'][t] = column;
    f['in-quotes'][t] = inQuotes ? 1 : 0;
    f['in-brackets'][t] = depth > 0 ? 1 : 0;
    f['after-space'][t] = tok.length > 0 && /\s$/u.test(tok) ? 1 : 0;
  });
  return f;
}

/** Pearson's correlation of a and b; null when either is constant (nothing to correlate with). */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  const n = a.length;
  if (n !== b.length) throw new Error(`correlation: ${n} values against ${b.length}`);
  if (n < 2) return null;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma, db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  // A spread this small is rounding, not variation.
  const tiny = 1e-12 * n;
  if (saa <= tiny || sbb <= tiny) return null;
  return sab / Math.sqrt(saa * sbb);
}

/** A unit proposed for a criterion: its score is the variance, or the correlation (its sign says which way). */
export interface UnitProposal {
  criterion: UnitCriterion;
  unit: number;
  score: number;
}

/**
 * For each criterion, the `perCriterion` units that fit it best over the text: `h` is timestep-major
 * [T·units] (one layer, one sample), `tokens` the T tokens it read. Units are ranked by variance, or by
 * |correlation| with the feature; a feature that is constant over the text (no quotes in it) proposes
 * nothing.
 */
export function proposeUnits(h: ArrayLike<number>, units: number, tokens: readonly string[], perCriterion = 3): UnitProposal[] {
  const T = tokens.length;
  if (!(Number.isInteger(units) && units >= 1)) throw new Error(`units must be a positive integer, got ${units}`);
  if (h.length !== T * units) throw new Error(`proposeUnits: ${h.length} activations for ${T} tokens × ${units} units (want ${T * units})`);
  const columns = Array.from({ length: units }, (_, j) => Float64Array.from({ length: T }, (_, t) => h[t * units + j]!));
  const features = textFeatures(tokens);
  const out: UnitProposal[] = [];
  const top = (criterion: UnitCriterion, scored: Array<{ unit: number; score: number; rank: number }>) =>
    scored
      .sort((a, b) => b.rank - a.rank || a.unit - b.unit)
      .slice(0, perCriterion)
      .forEach(({ unit, score }) => out.push({ criterion, unit, score }));
  top(
    'variance',
    columns.map((v, unit) => {
      const s = variance(v);
      return { unit, score: s, rank: s };
    }),
  );
  for (const name of Object.keys(features) as FeatureName[]) {
    const scored: Array<{ unit: number; score: number; rank: number }> = [];
    columns.forEach((v, unit) => {
      const r = correlation(v, features[name]);
      if (r !== null) scored.push({ unit, score: r, rank: Math.abs(r) });
    });
    top(name, scored);
  }
  return out;
}

function variance(v: Float64Array): number {
  if (v.length === 0) return 0;
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length;
}
