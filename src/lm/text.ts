/**
 * A language model's text, checked before it becomes a vocabulary: bytes are decoded as the CSV reader
 * decodes them (data/text.ts: UTF-8, or UTF-16 with a byte-order mark; invalid UTF-8 replaced, counted,
 * and the likely real encoding named), and a text that is mostly not text is refused — a binary file
 * would otherwise train a "vocabulary" of replacement and control characters.
 *
 *   not text = invalid UTF-8 sequences (each one U+FFFD) + control characters other than tab, line feed
 *              and carriage return (C0, DEL, C1)
 *   refused when not text ≥ NOT_TEXT_SHARE (a quarter) of the characters (code points)
 *
 * Random (or compressed) bytes are about 56% not text by this count: the bytes ≥ 0x80 that form no
 * UTF-8 sequence, and the C0 controls; formats that mix binary with ASCII structure (PDF, executables)
 * less, hence a quarter rather than a half. UTF-8 text is 0% (a few control characters aside); text in a
 * legacy single-byte encoding is refused only when many of its letters are outside ASCII (Cyrillic,
 * Greek: a model of it would be one of U+FFFD anyway), and then with the encoding it probably is, while
 * Western European text (a few accented letters in ten) is only counted, for the caller to report.
 */
import { DatasetError } from '../data/errors';
import { decodeText, type TextEncoding, type TextSource } from '../data/text';

/** The share of invalid UTF-8 and control characters from which a text is refused. */
export const NOT_TEXT_SHARE = 0.25;

/** A language model's text and what reading it found. */
export interface LanguageText {
  text: string;
  /** Characters (code points). */
  characters: number;
  /**
   * Invalid UTF-8 sequences, each read as U+FFFD. For a string given as is: its U+FFFD characters (a
   * decoder's replacements, as far as can be told).
   */
  replacementChars: number;
  /** Control characters other than tab, line feed and carriage return. */
  controlChars: number;
  /** The encoding the bytes were read as; null for a string given as is. */
  encoding: TextEncoding | null;
  /** With replacements: the single-byte encoding the bytes probably are (e.g. "windows-1252"), or null. */
  likelyEncoding: string | null;
}

/** Characters, U+FFFD characters and control characters (but tab, LF, CR) of a string, in one pass. */
function countCharacters(text: string): { characters: number; fffd: number; control: number } {
  let characters = 0;
  let fffd = 0;
  let control = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // The low half of a surrogate pair is the same character as the high half before it.
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const h = text.charCodeAt(i - 1);
      if (h >= 0xd800 && h <= 0xdbff) continue;
    }
    characters++;
    if (c === 0xfffd) fffd++;
    else if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || (c >= 0x7f && c <= 0x9f)) control++;
  }
  return { characters, fffd, control };
}

/** Throw a DatasetError when at least NOT_TEXT_SHARE of the text is invalid UTF-8 or control characters. */
function refuseNonText(t: LanguageText, name: string): LanguageText {
  const bad = t.replacementChars + t.controlChars;
  if (t.characters === 0 || bad < NOT_TEXT_SHARE * t.characters) return t;
  // Rounded down, so that a refused text never shows a share under the threshold.
  const percent = Math.floor((100 * bad) / t.characters);
  const invalid = t.encoding === null ? 'replacement characters (U+FFFD)' : 'invalid UTF-8';
  const what = t.replacementChars && t.controlChars ? `${invalid} or control characters` : t.replacementChars ? invalid : 'control characters';
  // Legacy-encoded text has next to no control characters; a binary file has many (about 12% of random bytes).
  const hint =
    t.likelyEncoding && t.controlChars * 100 < t.characters
      ? `it may be text in ${t.likelyEncoding}: re-save it as UTF-8`
      : 'a language model needs text (UTF-8, or UTF-16 with a byte-order mark)';
  throw new DatasetError(`${name} does not look like text: ${percent}% of it is ${what}; ${hint}`);
}

/**
 * Decode a language model's text from bytes or a Blob (a File), as the CSV reader decodes a CSV, and
 * count what is not text; a DatasetError naming `name` when most of it is not.
 */
export async function readLanguageText(src: TextSource, name = 'the file'): Promise<LanguageText> {
  const d = await decodeText(src);
  const n = countCharacters(d.text);
  return refuseNonText({ text: d.text, characters: n.characters, replacementChars: d.replacementChars, controlChars: n.control, encoding: d.encoding, likelyEncoding: d.likelyEncoding }, name);
}

/** The same count and refusal for a string (its U+FFFD characters counted as replacements). */
export function checkLanguageText(text: string, name = 'the string'): LanguageText {
  const n = countCharacters(text);
  return refuseNonText({ text, characters: n.characters, replacementChars: n.fffd, controlChars: n.control, encoding: null, likelyEncoding: null }, name);
}

/**
 * What reading found besides the characters, as "; …" clauses to follow a character count (the CLI's and
 * the element's summary line; the sentiment command reports a CSV's the same way): "; 3 invalid UTF-8
 * sequences replaced (the file looks like windows-1252: re-save it as UTF-8 to keep those characters)",
 * "; 2 control characters", "; read as UTF-16LE (byte-order mark)". Empty for clean UTF-8.
 */
export function describeReading(t: LanguageText): string {
  const count = (n: number, what: string) => `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;
  return (
    (t.replacementChars ? `; ${count(t.replacementChars, t.encoding === null ? 'replacement character (U+FFFD)' : 'invalid UTF-8 sequence')}${t.encoding === null ? '' : ' replaced'}` : '') +
    (t.likelyEncoding ? ` (the file looks like ${t.likelyEncoding}: re-save it as UTF-8 to keep those characters)` : '') +
    (t.controlChars ? `; ${count(t.controlChars, 'control character')}` : '') +
    (t.encoding && t.encoding !== 'utf-8' ? `; read as ${t.encoding.toUpperCase()} (byte-order mark)` : '')
  );
}
