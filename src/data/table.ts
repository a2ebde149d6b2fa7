/**
 * Bytes → table: zip or CSV detection, decoding (UTF-8, or UTF-16 with a byte-order mark; invalid UTF-8
 * replaced and counted, with a guess at the file's real encoding), line endings made uniform (any mix of
 * \r\n, \n and \r), and CSV parsing with papaparse (row by row).
 *
 * A CSV is streamed: read in pieces (from bytes in memory, or from a Blob — a browser's File, Node's
 * fs.openAsBlob — without ever holding the file), decoded and parsed piece by piece, so the whole text
 * never exists at once: cells are views into their piece of text (one byte per character for ASCII
 * and Latin-1), and repeated cells of few-valued columns are one string. Peak memory while loading
 * stays near the size of the table itself (bench/load-memory.mjs measures it).
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
 * The largest CSV this reader takes, in bytes (2 GiB). The text is streamed, so no limit of JavaScript
 * strings applies; what bounds it is memory: a loaded table holds about three times its file (the text,
 * one view per cell, the column arrays), and the model's token sequences come on top of that.
 */
export const MAX_TEXT_BYTES = 2 ** 31;

/** Bytes read (and decoded) at a time. */
const READ_PIECE_BYTES = 1 << 20;
/** Characters handed to PapaParse at a time (rows that straddle two are carried over by PapaParse). */
const PARSE_PIECE_CHARS = 1 << 20;
/** A column's distinct values shared as one string each, up to this many (labels, categories). */
const SHARED_VALUES = 4096;

/** What readTable reads: bytes in memory, or a Blob (a File in browsers, fs.openAsBlob in Node) read piece by piece. */
export type TableSource = Uint8Array | Blob;

const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;

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

/** The first `n` bytes of the source (fewer if it is shorter). */
async function head(src: TableSource, n: number): Promise<Uint8Array> {
  return src instanceof Uint8Array ? src.subarray(0, n) : new Uint8Array(await src.slice(0, n).arrayBuffer());
}

async function* pieces(src: TableSource): AsyncGenerator<Uint8Array> {
  const size = src instanceof Uint8Array ? src.length : src.size;
  for (let at = 0; at < size; at += READ_PIECE_BYTES) {
    yield src instanceof Uint8Array ? src.subarray(at, at + READ_PIECE_BYTES) : new Uint8Array(await src.slice(at, at + READ_PIECE_BYTES).arrayBuffer());
  }
}

/** Where a piece of UTF-8 must be cut so that no character is split: before an incomplete last sequence. */
function utf8Cut(b: Uint8Array): number {
  for (let i = b.length - 1; i >= Math.max(0, b.length - 4); i--) {
    const x = b[i]!;
    if (x < 0x80) return b.length; // ASCII: complete
    if (x >= 0xc0) return b.length - i < (x >= 0xf0 ? 4 : x >= 0xe0 ? 3 : 2) ? i : b.length; // a lead byte
  }
  return b.length;
}

/**
 * The source's text, piece by piece. UTF-8 pieces are cut between characters and each decoded on its
 * own: V8 then keeps ASCII and Latin-1 text one byte per character (a streaming decoder's output is
 * UTF-16, twice the memory for every cell cut from it). The file's byte-order mark is dropped; one
 * inside the text is kept, as a streaming decode would.
 */
async function* decodePieces(src: TableSource, encoding: Table['encoding'], fatal: boolean): AsyncGenerator<string> {
  if (encoding !== 'utf-8') {
    const decoder = new TextDecoder(encoding, { fatal });
    for await (const bytes of pieces(src)) yield decoder.decode(bytes, { stream: true });
    yield decoder.decode();
    return;
  }
  const decoder = new TextDecoder('utf-8', { fatal, ignoreBOM: true });
  let carry = new Uint8Array(0);
  let first = true;
  for await (const piece of pieces(src)) {
    let b = piece;
    if (carry.length) {
      b = new Uint8Array(carry.length + piece.length);
      b.set(carry);
      b.set(piece, carry.length);
    }
    if (first && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) b = b.subarray(3);
    first = false;
    const cut = utf8Cut(b);
    carry = b.slice(cut);
    yield decoder.decode(b.subarray(0, cut));
  }
  if (carry.length) yield decoder.decode(carry);
}

/** One column's cells, its few distinct values (labels, categories) shared rather than repeated. */
class Column {
  readonly cells: string[] = [];
  private shared: Map<string, string> | null = new Map();

  push(cell: string): void {
    const m = this.shared;
    if (m) {
      const known = m.get(cell);
      if (known !== undefined) return void this.cells.push(known);
      if (m.size < SHARED_VALUES) {
        m.set(cell, cell);
        return void this.cells.push(cell);
      }
      this.shared = null; // many distinct values: a text column
    }
    this.cells.push(cell);
  }
}

interface Parsed {
  header: string[] | null;
  data: string[][];
  rows: number;
  malformedRows: number;
  replacementChars: number;
}

/** The smallest part of Node's Readable that PapaParse reads from: its public stream input, fed by hand. */
function pushSource() {
  const on: Record<string, (x?: unknown) => void> = {};
  return {
    stream: {
      readable: true,
      read() {},
      pause() {},
      resume() {},
      on(event: string, fn: (x?: unknown) => void) {
        on[event] = fn;
      },
      removeListener() {},
    },
    data: (text: string) => on.data!(text),
    end: () => on.end!(),
  };
}

/**
 * Decode and parse the CSV piece by piece. `fatal`: stop at the first invalid UTF-8 sequence (the
 * TypeError propagates); otherwise invalid sequences become U+FFFD, counted.
 */
async function parseCsv(src: TableSource, name: string, encoding: Table['encoding'], fatal: boolean): Promise<Parsed> {
  const Papa = (await import('papaparse')).default;
  const out: Parsed = { header: null, data: [], rows: 0, malformedRows: 0, replacementChars: 0 };
  let columns: Column[] = [];
  const source = pushSource();
  const done = new Promise<void>((resolve, reject) => {
    Papa.parse<string[]>(source.stream as unknown as NodeJS.ReadableStream, {
      header: false,
      skipEmptyLines: 'greedy',
      newline: '\n',
      delimiter: /\.tsv$/i.test(name) ? '\t' : '',
      step: (res) => {
        const row = res.data;
        if (!out.header) {
          out.header = row.map((h, i) => h.trim() || `column ${i + 1}`);
          columns = out.header.map(() => new Column());
          return;
        }
        if (row.length !== columns.length) out.malformedRows++;
        for (let c = 0; c < columns.length; c++) columns[c]!.push(row[c] ?? '');
        out.rows++;
      },
      complete: () => resolve(),
      error: (e: Error) => reject(e),
    });
  });
  // Papaparse guesses one newline for the whole file from its start, so a file that switches from \r\n
  // to \n would merge rows: every line ending becomes \n first (inside quoted cells too, harmlessly for
  // text). A \r that ends a piece waits for the next piece's first character.
  let pending: string[] = [];
  let pendingChars = 0;
  let cr = false;
  const feed = (text: string, last: boolean) => {
    if (cr) text = `\r${text}`;
    cr = !last && text.endsWith('\r');
    if (cr) text = text.slice(0, -1);
    // Replacements are counted for UTF-8 read leniently (a UTF-16 file's U+FFFD is its own text).
    if (!fatal && encoding === 'utf-8') for (let i = text.indexOf('\ufffd'); i >= 0; i = text.indexOf('\ufffd', i + 1)) out.replacementChars++;
    pending.push(text.replace(/\r\n?/g, '\n'));
    pendingChars += text.length;
    if (pendingChars >= PARSE_PIECE_CHARS || last) {
      let piece = pending.join('');
      pending = [];
      pendingChars = 0;
      if (!last) {
        const cut = piece.lastIndexOf('\n') + 1;
        if (cut > 0 && cut < piece.length) {
          pending.push(piece.slice(cut));
          pendingChars = piece.length - cut;
          piece = piece.slice(0, cut);
        }
      }
      if (piece) source.data(piece);
    }
  };
  for await (const text of decodePieces(src, encoding, fatal)) feed(text, false);
  feed('', true);
  source.end();
  await done;
  out.data = columns.map((c) => c.cells);
  return out;
}

export async function readTable(input: TableSource, fileName: string, opts: ReadOptions = {}): Promise<Table> {
  const maxBytes = Math.min(opts.maxBytes ?? MAX_TEXT_BYTES, MAX_TEXT_BYTES);
  const tooBig = (what: string, n: number) =>
    new DatasetError(
      `${what} is ${mib(n)}, over the ${mib(maxBytes)} limit` +
        (maxBytes === MAX_TEXT_BYTES ? ' (a loaded table takes about three times its file in memory); split the file' : ''),
    );
  const size = input instanceof Uint8Array ? input.length : input.size;
  let src: TableSource = input;
  let name = fileName;
  if (isZip(await head(input, 4))) {
    const bytes = input instanceof Uint8Array ? input : new Uint8Array(await input.arrayBuffer());
    const csv = await extractCsv(bytes, Math.min(opts.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED, MAX_TEXT_BYTES), opts.csvName);
    if (csv.bytes.length > maxBytes) throw tooBig(`"${csv.name}" in the zip`, csv.bytes.length);
    src = csv.bytes;
    name = csv.name;
  } else if (size > maxBytes) throw tooBig(`"${fileName}"`, size);
  const first = await head(src, 1 << 20);
  const utf16 = utf16Bom(first);
  if (!utf16 && looksBinary(first)) throw new DatasetError(`"${name}" is neither a zip archive nor a CSV text file`);
  let parsed: Parsed;
  try {
    parsed = await parseCsv(src, name, utf16 ?? 'utf-8', !utf16);
  } catch (e) {
    if (!(e instanceof TypeError) || utf16) throw e;
    // Not valid UTF-8: read it again, replacing and counting what does not decode.
    parsed = await parseCsv(src, name, 'utf-8', false);
  }
  const { header, data, rows, malformedRows, replacementChars } = parsed;
  if (!header) throw new DatasetError(`"${name}" is empty`);
  if (rows === 0) throw new DatasetError(`"${name}" has a header but no data rows`);
  const likelyEncoding = replacementChars > 0 ? guessSingleByteEncoding(first) : null;
  return { fileName: name, columns: header, data, rows, replacementChars, malformedRows, encoding: utf16 ?? 'utf-8', likelyEncoding };
}
