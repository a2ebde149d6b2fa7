/**
 * Which columns hold the texts and the labels, when the user has not said: names that say what a column
 * is win over guesses from the values (an airline-tweets CSV has `airline_sentiment` and `airline`; the
 * label is the one whose name says so, not the one with the fewest values). Each choice comes with the
 * reason and the runner-up, so the CLI and the element can show both.
 */
import type { Table } from './table';

const TEXT_WORDS = ['text', 'sentence', 'review', 'tweet', 'content', 'comment', 'body', 'message', 'description', 'summary', 'title'];
const LABEL_WORDS = ['sentiment', 'label', 'labels', 'class', 'polarity', 'target', 'category', 'rating', 'ratings', 'stars', 'star', 'score', 'emotion', 'y'];

export interface ColumnChoice {
  column: string;
  /** Why, in words: "its name is \"text\"" or "the longest texts (mean 58 characters)". */
  reason: string;
}

export interface DetectedColumns {
  textColumn: string | null;
  labelColumn: string | null;
  text: ColumnChoice | null;
  label: ColumnChoice | null;
  /** The label column that came second, if any. */
  labelRunnerUp: ColumnChoice | null;
}

/** The words of a column name: "airline_sentiment" → airline, sentiment; "starRating" → star, rating. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** 2: the whole name is one of `words`; 1: one of its words is; 0: neither. */
function nameScore(name: string, words: string[]): { score: number; word: string | null } {
  const whole = name.trim().toLowerCase();
  if (words.includes(whole)) return { score: 2, word: whole };
  const hit = nameWords(name).find((w) => words.includes(w));
  return hit ? { score: 1, word: hit } : { score: 0, word: null };
}

function described(name: string, s: { score: number; word: string | null }): string | null {
  if (s.score === 2) return `its name is "${name}"`;
  if (s.score === 1) return `its name contains "${s.word}"`;
  return null;
}

export function detectColumns(table: Table): DetectedColumns {
  const { columns, data, rows } = table;
  const stats = columns.map((c, i) => {
    const cells = data[i]!;
    const sample = cells.slice(0, 200);
    const filled = cells.reduce((n, v) => n + (v.trim() !== '' ? 1 : 0), 0);
    const distinct = new Set<string>();
    for (const v of cells) {
      const t = v.trim();
      if (t !== '' && distinct.size <= 101) distinct.add(t);
    }
    return {
      column: c,
      meanLength: cells.reduce((s, v) => s + v.length, 0) / Math.max(1, rows),
      numeric: sample.every((v) => v.trim() === '' || !Number.isNaN(Number(v))),
      fractional: sample.some((v) => v.trim() !== '' && !Number.isNaN(Number(v)) && !Number.isInteger(Number(v))),
      filled,
      distinct: distinct.size,
    };
  });

  // Text: a name that says so (longest texts among those), else the longest non-numeric column.
  const texts = stats
    .filter((s) => !s.numeric)
    .map((s) => ({ ...s, name: nameScore(s.column, TEXT_WORDS) }))
    .sort((a, b) => b.name.score - a.name.score || b.meanLength - a.meanLength);
  const t = texts[0];
  const text: ColumnChoice | null = t ? { column: t.column, reason: described(t.column, t.name) ?? `the longest texts (mean ${t.meanLength.toFixed(0)} characters)` } : null;

  // Label: a column named exactly so (buildDataset explains what is wrong with it, if anything); else a
  // column whose name contains a label word (≤ 100 values); else one filled in ≥ 90% of rows with 2–20
  // values. Never fractional numbers (scores, confidences) nor identifiers (id, tweet_id). A name first,
  // then the fewest values.
  const labels = stats
    .filter((s) => s.column !== text?.column && !(s.numeric && s.fractional) && !nameWords(s.column).includes('id'))
    .map((s) => ({ ...s, name: nameScore(s.column, LABEL_WORDS) }))
    .filter((s) => s.name.score === 2 || (s.name.score === 1 ? s.distinct >= 2 && s.distinct <= 100 : s.filled >= 0.9 * rows && s.distinct >= 2 && s.distinct <= 20))
    .sort((a, b) => b.name.score - a.name.score || a.distinct - b.distinct);
  const choice = (s: (typeof labels)[number] | undefined): ColumnChoice | null =>
    s ? { column: s.column, reason: `${described(s.column, s.name) ?? 'no column name says "label"; it has the fewest distinct values'} (${s.distinct} distinct values)` } : null;
  const label = choice(labels[0]);
  return { textColumn: text?.column ?? null, labelColumn: label?.column ?? null, text, label, labelRunnerUp: choice(labels[1]) };
}
