/**
 * Bytes → table: zip or CSV detection, decoding (UTF-8, or UTF-16 with a byte-order mark; invalid UTF-8
 * replaced and counted, with a guess at the file's real encoding), line endings made uniform (any mix of
 * \r\n, \n and \r), and incremental CSV parsing with papaparse (row by row).
 */
import { DatasetError } from './errors';
import { DEFAULT_MAX_UNCOMPRESSED, extractCsv, isZip } from './zip';

export interface Table {
  /** The file the table came from (the CSV's name inside a zip). */
  fileName: string;
  columns: string[];
  /** Column-major cells: data[c][r]. */
  data: string[][];
  rows: number;
  /** U+FFFD characters introduced by decoding bytes that were not valid UTF-8 (0 for valid UTF-8). */
  replacementChars: number;
  /** The encoding the bytes were read as. */
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be';
  /** With replacements: the single-byte encoding the file probably is (e.g. "windows-1252"), or null. */
  likelyEncoding: string | null;
  /** Rows whose field count differs from the header's (kept, padded or cut). */
  malformedRows: number;
}

export interface ReadOptions {
  maxUncompressedBytes?: number;
  /** In a zip with several CSVs, the one to read (its path in the zip, or its file name). */
  csvName?: string;
  /** Refuse a CSV larger than this many bytes (default and most: MAX_TEXT_BYTES). */
  maxBytes?: number;
}

/**
 * The largest CSV this reader takes, in bytes: the whole text must fit in one JavaScript string, and V8
 * (Chrome, Edge, Node) holds at most 2^29 − 24 UTF-16 code units in one; a UTF-8 file never decodes to
 * more code units than it has bytes.
 */
export const MAX_TEXT_BYTES = 0x1fffffe8;

/** Characters PapaParse parses at a time. */
const PARSE_CHUNK_CHARS = 1 << 22;

const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;

export function decodeUtf8(bytes: Uint8Array): { text: string; replacementChars: number } {
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3; // BOM
  const body = bytes.subarray(start);
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), replacementChars: 0 };
  } catch {
    const text = new TextDecoder('utf-8').decode(body);
    let n = 0;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0xfffd) n++;
    return { text, replacementChars: n };
  }
}

/** The UTF-16 byte order a byte-order mark announces, or null. */
export function utf16Bom(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return null;
}

/**
 * A guess at the single-byte encoding of bytes that are not UTF-8: many bytes in 0x80–0xFF standing
 * alone (not in UTF-8 sequences) mean a legacy code page. Bytes 0x80–0x9F are printable in windows-1252
 * (quotes, dashes, €) and control characters in ISO-8859-1; Cyrillic text in windows-1251 is mostly
 * 0xC0–0xFF.
 */
export function guessSingleByteEncoding(bytes: Uint8Array): string | null {
  let high = 0;
  let c1 = 0;
  let cyrillic = 0;
  const n = Math.min(bytes.length, 1 << 20);
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b < 0x80) continue;
    high++;
    if (b <= 0x9f) c1++;
    if (b >= 0xc0) cyrillic++;
  }
  if (high === 0) return null;
  if (cyrillic / high > 0.9 && high > 0.3 * n) return 'windows-1251 (Cyrillic)';
  return c1 > 0 ? 'windows-1252' : 'ISO-8859-1 (Latin-1) or windows-1252';
}

function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 4096);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return true;
  return false;
}

export async function readTable(input: Uint8Array, fileName: string, opts: ReadOptions = {}): Promise<Table> {
  const maxBytes = Math.min(opts.maxBytes ?? MAX_TEXT_BYTES, MAX_TEXT_BYTES);
  const tooBig = (what: string, n: number) =>
    new DatasetError(
      `${what} is ${mib(n)}, over the ${mib(maxBytes)} limit` +
        (maxBytes === MAX_TEXT_BYTES ? ' (the most text a JavaScript engine holds in one string); split the file' : ''),
    );
  if (!isZip(input) && input.length > maxBytes) throw tooBig(`"${fileName}"`, input.length);
  let bytes = input;
  let name = fileName;
  if (isZip(input)) {
    const csv = await extractCsv(input, Math.min(opts.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED, MAX_TEXT_BYTES), opts.csvName);
    if (csv.bytes.length > maxBytes) throw tooBig(`"${csv.name}" in the zip`, csv.bytes.length);
    bytes = csv.bytes;
    name = csv.name;
  }
  const utf16 = utf16Bom(bytes);
  if (!utf16 && looksBinary(bytes)) throw new DatasetError(`"${name}" is neither a zip archive nor a CSV text file`);
  // Loaded when a table is first read: a page that never reads one never downloads PapaParse.
  const Papa = (await import('papaparse')).default;
  const decoded = utf16 ? { text: new TextDecoder(utf16).decode(bytes), replacementChars: 0 } : decodeUtf8(bytes);
  const replacementChars = decoded.replacementChars;
  const likelyEncoding = replacementChars > 0 ? guessSingleByteEncoding(bytes) : null;
  // Papaparse guesses one newline for the whole file from its start, so a file that switches from \r\n
  // to \n merges rows: make every line ending \n first (inside quoted cells too, harmlessly for text).
  const text = decoded.text.replace(/\r\n?/g, '\n');
  let header: string[] | null = null;
  const data: string[][] = [];
  let rows = 0;
  let malformedRows = 0;
  Papa.parse<string[]>(text, {
    header: false,
    skipEmptyLines: 'greedy',
    newline: '\n',
    // Piece by piece (rows that straddle pieces are carried over by PapaParse itself): its fast path
    // would otherwise split the whole text into all of its rows at once, which for a large file costs
    // several times the file in short-lived memory.
    chunkSize: PARSE_CHUNK_CHARS,
    delimiter: /\.tsv$/i.test(name) ? '\t' : '',
    step: (res) => {
      const row = res.data;
      if (!header) {
        header = row.map((h, i) => h.trim() || `column ${i + 1}`);
        for (let c = 0; c < header.length; c++) data.push([]);
        return;
      }
      if (row.length !== header.length) malformedRows++;
      for (let c = 0; c < header.length; c++) data[c]!.push(row[c] ?? '');
      rows++;
    },
  });
  if (!header) throw new DatasetError(`"${name}" is empty`);
  if (rows === 0) throw new DatasetError(`"${name}" has a header but no data rows`);
  return { fileName: name, columns: header, data, rows, replacementChars, malformedRows, encoding: utf16 ?? 'utf-8', likelyEncoding };
}
