/**
 * Bytes → table: zip or CSV detection, decoding (data/text.ts: UTF-8, or UTF-16 with a byte-order mark;
 * invalid UTF-8 replaced and counted, with a guess at the file's real encoding), line endings made
 * uniform (any mix of \r\n, \n and \r), and CSV parsing with papaparse (row by row).
 *
 * A CSV is streamed: read in pieces (from bytes in memory, or from a Blob — a browser's File, Node's
 * fs.openAsBlob — without ever holding the file), decoded and parsed piece by piece, so the whole text
 * never exists at once: cells are views into their piece of text (one byte per character for ASCII
 * and Latin-1), and repeated cells of few-valued columns are one string. Peak memory while loading
 * stays near the size of the table itself (bench/load-memory.mjs measures it).
 */
import { DatasetError } from './errors';
import { countReplacements, decodePieces, ENCODING_SAMPLE_BYTES, head, readWithFallback, utf16Bom, type TextEncoding, type TextSource } from './text';
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
  encoding: TextEncoding;
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

/** Characters handed to PapaParse at a time (rows that straddle two are carried over by PapaParse). */
const PARSE_PIECE_CHARS = 1 << 20;
/** A column's distinct values shared as one string each, up to this many (labels, categories). */
const SHARED_VALUES = 4096;

/** What readTable reads: bytes in memory, or a Blob (a File in browsers, fs.openAsBlob in Node) read piece by piece. */
export type TableSource = TextSource;

const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;

function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 4096);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return true;
  return false;
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
async function parseCsv(src: TableSource, name: string, encoding: TextEncoding, fatal: boolean): Promise<Parsed> {
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
    out.replacementChars += countReplacements(text, encoding, fatal);
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
  const first = await head(src, ENCODING_SAMPLE_BYTES);
  if (!utf16Bom(first) && looksBinary(first)) throw new DatasetError(`"${name}" is neither a zip archive nor a CSV text file`);
  const parsed = await readWithFallback(first, (encoding, fatal) => parseCsv(src, name, encoding, fatal));
  const { header, data, rows, malformedRows, replacementChars, encoding, likelyEncoding } = parsed;
  if (!header) throw new DatasetError(`"${name}" is empty`);
  if (rows === 0) throw new DatasetError(`"${name}" has a header but no data rows`);
  return { fileName: name, columns: header, data, rows, replacementChars, malformedRows, encoding, likelyEncoding };
}
