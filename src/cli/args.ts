/**
 * Option values for the CLI's commands, checked where they are read: a value that is missing, empty, an
 * option name, not a number, or out of range is a usage error (exit 2) before any data is read.
 */
import { CELL_NAMES, CELL_TITLES, type CellName } from '../layers/specs';

export class UsageError extends Error {}

/** --cell's value: one of the cells, or a usage error that lists them. */
export function cellOption(v: string): CellName {
  if (!CELL_NAMES.includes(v as CellName)) throw new UsageError(`--cell must be one of ${CELL_NAMES.join(', ')} (${CELL_NAMES.map((c) => `${c}: ${CELL_TITLES[c]}`).join(', ')}), got "${v}"`);
  return v as CellName;
}

/** The value after `flag` at argv[i]; an option name where a value belongs is an error. */
export function valueOf(flag: string, argv: readonly string[], i: number): string {
  const x = argv[i];
  if (x === undefined) throw new UsageError(`${flag} needs a value`);
  if (/^--?[a-z]/i.test(x)) throw new UsageError(`${flag} needs a value, got the option ${x}`);
  return x;
}

export interface Range {
  int?: boolean;
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  /** Exclusive upper bound. */
  below?: number;
}

/** A number from an option's text ("" is not 0), within `range`. */
export function numberOf(flag: string, text: string, range: Range = {}): number {
  const n = text.trim() === '' ? NaN : Number(text);
  const what = range.int ? 'an integer' : 'a number';
  const bounds = [
    range.min !== undefined ? `≥ ${range.min}` : null,
    range.above !== undefined ? `> ${range.above}` : null,
    range.below !== undefined ? `< ${range.below}` : null,
  ].filter(Boolean);
  const ok =
    Number.isFinite(n) &&
    (!range.int || Number.isInteger(n)) &&
    (range.min === undefined || n >= range.min) &&
    (range.above === undefined || n > range.above) &&
    (range.below === undefined || n < range.below);
  if (!ok) throw new UsageError(`${flag} needs ${what}${bounds.length ? ` ${bounds.join(' and ')}` : ''}, got "${text}"`);
  return n;
}

/** What an option handler gets: the flag, and readers of its value that check it. */
export interface OptionReader {
  flag: string;
  value(): string;
  /** The next argument as it is, even one that starts with a dash (a prompt may). */
  raw(): string;
  int(min: number): number;
  number(range: Range): number;
}

/**
 * Walk argv: each option goes to `option`, which returns false for one it does not know (a usage
 * error); a word that is not an option is the command's input file (at most one). null for --help.
 */
export function readOptions(argv: readonly string[], option: (o: OptionReader) => boolean): { file: string | null } | null {
  let file: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--help' || flag === '-h') return null;
    const value = () => valueOf(flag, argv, ++i);
    const reader: OptionReader = {
      flag,
      value,
      raw: () => {
        const x = argv[++i];
        if (x === undefined) throw new UsageError(`${flag} needs a value`);
        return x;
      },
      int: (min) => numberOf(flag, value(), { int: true, min }),
      number: (range) => numberOf(flag, value(), range),
    };
    if (flag.startsWith('-')) {
      if (!option(reader)) throw new UsageError(`unknown option ${flag} (see --help)`);
      continue;
    }
    if (file !== null) throw new UsageError(`only one input file, got "${file}" and "${flag}"`);
    file = flag;
  }
  return { file };
}
