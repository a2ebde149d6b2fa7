/**
 * Bytes → table: zip or CSV detection, UTF-8 decoding with replacement (counted), and incremental CSV
 * parsing with papaparse (row by row, never a split of the whole text).
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
  /** Rows whose field count differs from the header's (kept, padded or cut). */
  malformedRows: number;
}

export interface ReadOptions {
  maxUncompressedBytes?: number;
  /** Refuse inputs larger than this many bytes (default 1 GiB). */
  maxBytes?: number;
}

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

function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 4096);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return true;
  return false;
}

export async function readTable(input: Uint8Array, fileName: string, opts: ReadOptions = {}): Promise<Table> {
  const maxBytes = opts.maxBytes ?? 1024 ** 3;
  if (input.length > maxBytes) throw new DatasetError(`"${fileName}" is ${(input.length / 2 ** 20).toFixed(0)} MiB, over the ${(maxBytes / 2 ** 20).toFixed(0)} MiB limit`);
  let bytes = input;
  let name = fileName;
  if (isZip(input)) {
    const csv = await extractCsv(input, opts.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED);
    bytes = csv.bytes;
    name = csv.name;
  } else if (looksBinary(input)) {
    throw new DatasetError(`"${fileName}" is neither a zip archive nor a CSV text file`);
  }
  // Loaded when a table is first read: a page that never reads one never downloads PapaParse.
  const Papa = (await import('papaparse')).default;
  const { text, replacementChars } = decodeUtf8(bytes);
  let header: string[] | null = null;
  const data: string[][] = [];
  let rows = 0;
  let malformedRows = 0;
  Papa.parse<string[]>(text, {
    header: false,
    skipEmptyLines: 'greedy',
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
  return { fileName: name, columns: header, data, rows, replacementChars, malformedRows };
}
