/**
 * Reading a CSV out of a zip without trusting it: the central directory is read first and a zip whose
 * declared uncompressed sizes exceed the limit is rejected before anything is inflated (zip bomb); while
 * inflating, output beyond the declared size (a lying header) aborts too; the inflated bytes must match
 * the entry's CRC-32. A zip with several CSVs needs the caller to name one.
 */
import { DatasetError } from './errors';

/** Several CSVs in one zip and none named: the caller chooses (CLI --csv, the element's chooser). */
export class ChooseCsvError extends DatasetError {
  constructor(readonly choices: string[]) {
    super(`the zip holds ${choices.length} CSV files (${choices.join(', ')}): choose one (CLI: --csv NAME)`);
  }
}

export const DEFAULT_MAX_UNCOMPRESSED = 512 * 1024 * 1024;

export interface ZipEntryInfo {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
}

let crcTable: Uint32Array | null = null;
/** CRC-32 (the zip polynomial, reflected 0xEDB88320) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

interface ZipStream {
  on(event: 'data', cb: (chunk: Uint8Array) => void): ZipStream;
  on(event: 'error', cb: (e: Error) => void): ZipStream;
  on(event: 'end', cb: () => void): ZipStream;
  pause(): ZipStream;
  resume(): ZipStream;
}

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** List the entries from the central directory (no decompression). */
export function readZipDirectory(bytes: Uint8Array): ZipEntryInfo[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new DatasetError('the file starts like a zip archive but has no central directory (truncated or corrupt zip)');
  const count = view.getUint16(eocd + 10, true);
  let p = view.getUint32(eocd + 16, true);
  const entries: ZipEntryInfo[] = [];
  for (let n = 0; n < count; n++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== 0x02014b50) throw new DatasetError('corrupt zip: bad central directory entry');
    const crc = view.getUint32(p + 16, true);
    const compressedSize = view.getUint32(p + 20, true);
    const uncompressedSize = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    entries.push({ name, compressedSize, uncompressedSize, crc32: crc });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function isCsvEntry(name: string): boolean {
  return /\.(csv|tsv)$/i.test(name) && !name.startsWith('__MACOSX/') && !/(^|\/)\._/.test(name);
}

/** The CSV inside a zip (the one named `csvName` when there are several), as bytes. */
export async function extractCsv(bytes: Uint8Array, maxUncompressed = DEFAULT_MAX_UNCOMPRESSED, csvName?: string): Promise<{ name: string; bytes: Uint8Array }> {
  const entries = readZipDirectory(bytes);
  const total = entries.reduce((s, e) => s + e.uncompressedSize, 0);
  const zip64 = entries.some((e) => e.uncompressedSize === 0xffffffff || e.compressedSize === 0xffffffff);
  if (zip64 || total > maxUncompressed) {
    throw new DatasetError(
      `the zip declares ${zip64 ? 'over 4 GiB' : `${(total / 2 ** 20).toFixed(0)} MiB`} of uncompressed data, more than the ` +
        `${(maxUncompressed / 2 ** 20).toFixed(0)} MiB limit; it was not inflated`,
    );
  }
  const csvs = entries.filter((e) => isCsvEntry(e.name));
  if (csvs.length === 0) {
    throw new DatasetError(`the zip contains no .csv file (it holds: ${entries.map((e) => e.name).join(', ') || 'nothing'})`);
  }
  let entry = csvs[0]!;
  if (csvName !== undefined) {
    const named = csvs.find((e) => e.name === csvName) ?? csvs.find((e) => e.name.split('/').pop() === csvName);
    if (!named) throw new DatasetError(`the zip has no CSV named "${csvName}" (it holds: ${csvs.map((e) => e.name).join(', ')})`);
    entry = named;
  } else if (csvs.length > 1) {
    throw new ChooseCsvError(csvs.map((e) => e.name));
  }
  return { name: entry.name, bytes: await inflateEntry(await openZip(bytes), entry) };
}

type Zip = import('jszip');

/** The zip opened by JSZip (loaded when a zip is first read: a page that never opens one never downloads it). */
export async function openZip(bytes: Uint8Array | ArrayBuffer): Promise<Zip> {
  const JSZip = (await import('jszip')).default;
  try {
    return await JSZip.loadAsync(bytes);
  } catch {
    throw new DatasetError('the zip could not be read: it is corrupt or uses a format this reader does not support');
  }
}

/**
 * One entry's bytes, trusting nothing: inflated as a stream that stops past the size the central
 * directory declares, then checked against the declared CRC-32. Errors are DatasetErrors in our words.
 */
export async function inflateEntry(zip: Zip, entry: ZipEntryInfo): Promise<Uint8Array> {
  const file = zip.file(entry.name);
  if (!file) throw new DatasetError(`the zip's entry "${entry.name}" could not be opened`);
  const limit = entry.uncompressedSize;
  const chunks: Uint8Array[] = [];
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    // internalStream is JSZip's documented streaming API; its typings omit it.
    const stream = (file as unknown as { internalStream(type: 'uint8array'): ZipStream }).internalStream('uint8array');
    stream
      .on('data', (chunk: Uint8Array) => {
        size += chunk.length;
        if (size > limit) {
          stream.pause();
          reject(new DatasetError(`"${entry.name}" inflates to more than its declared ${limit} bytes (a corrupt or malicious zip); rejected`));
          return;
        }
        chunks.push(chunk);
      })
      .on('error', () => reject(new DatasetError(`"${entry.name}" in the zip is corrupt: its compressed data could not be inflated`)))
      .on('end', () => resolve())
      .resume();
  });
  const out = new Uint8Array(size);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  if (crc32(out) !== entry.crc32) throw new DatasetError(`"${entry.name}" in the zip is corrupt: its data does not match its CRC-32 checksum`);
  return out;
}
