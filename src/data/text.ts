/**
 * Bytes → text, shared by the CSV reader (data/table.ts) and the language model's text (lm/text.ts):
 * UTF-8, or UTF-16 with a byte-order mark; bytes that are not valid UTF-8 are replaced by U+FFFD and
 * counted, with a guess at the file's real (single-byte) encoding. Read in pieces, from bytes in memory or
 * from a Blob (a browser's File, Node's fs.openAsBlob), each UTF-8 piece cut between characters.
 */

/** The encodings text is read as. */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** What the readers read: bytes in memory, or a Blob read piece by piece. */
export type TextSource = Uint8Array | Blob;

/** Bytes read (and decoded) at a time. */
const READ_PIECE_BYTES = 1 << 20;
/** The bytes guessSingleByteEncoding looks at. */
export const ENCODING_SAMPLE_BYTES = 1 << 20;

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
  const n = Math.min(bytes.length, ENCODING_SAMPLE_BYTES);
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

/** The first `n` bytes of the source (fewer if it is shorter). */
export async function head(src: TextSource, n: number): Promise<Uint8Array> {
  return src instanceof Uint8Array ? src.subarray(0, n) : new Uint8Array(await src.slice(0, n).arrayBuffer());
}

async function* pieces(src: TextSource): AsyncGenerator<Uint8Array> {
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
 * UTF-16, twice the memory for every string cut from it). The file's byte-order mark is dropped; one
 * inside the text is kept, as a streaming decode would. `fatal`: the first invalid sequence throws a
 * TypeError; otherwise it becomes U+FFFD.
 */
export async function* decodePieces(src: TextSource, encoding: TextEncoding, fatal: boolean): AsyncGenerator<string> {
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

/**
 * The U+FFFD characters of a decoded piece that stand for invalid bytes: those of UTF-8 read leniently.
 * A UTF-16 file's U+FFFD, and one in valid UTF-8 (read strictly), are the file's own text.
 */
export function countReplacements(text: string, encoding: TextEncoding, fatal: boolean): number {
  if (fatal || encoding !== 'utf-8') return 0;
  let n = 0;
  for (let i = text.indexOf('\ufffd'); i >= 0; i = text.indexOf('\ufffd', i + 1)) n++;
  return n;
}

/**
 * Read a source strictly, and again leniently if it is not valid UTF-8: `read(fatal)` decodes it (with
 * decodePieces), throwing decodePieces' TypeError at the first invalid sequence when `fatal`. UTF-16
 * (a byte-order mark in `first`, the source's first bytes) is read once, leniently. Then the
 * replacements counted (0 unless read leniently as UTF-8) name the likely single-byte encoding.
 */
export async function readWithFallback<T extends { replacementChars: number }>(
  first: Uint8Array,
  read: (encoding: TextEncoding, fatal: boolean) => Promise<T>,
): Promise<T & { encoding: TextEncoding; likelyEncoding: string | null }> {
  const utf16 = utf16Bom(first);
  let r: T;
  try {
    r = await read(utf16 ?? 'utf-8', !utf16);
  } catch (e) {
    if (!(e instanceof TypeError) || utf16) throw e;
    // Not valid UTF-8: read it again, replacing and counting what does not decode.
    r = await read('utf-8', false);
  }
  return { ...r, encoding: utf16 ?? 'utf-8', likelyEncoding: r.replacementChars > 0 ? guessSingleByteEncoding(first) : null };
}

/** A whole text decoded: what decodeText returns. */
export interface DecodedText {
  text: string;
  /** The encoding the bytes were read as. */
  encoding: TextEncoding;
  /** U+FFFD characters introduced by decoding bytes that were not valid UTF-8 (0 for valid UTF-8 and for UTF-16). */
  replacementChars: number;
  /** With replacements: the single-byte encoding the bytes probably are (e.g. "windows-1252"), or null. */
  likelyEncoding: string | null;
}

/** The whole text of a source, read as the CSV reader reads a CSV (the same decoding, counting and guess). */
export async function decodeText(src: TextSource): Promise<DecodedText> {
  const first = await head(src, ENCODING_SAMPLE_BYTES);
  return readWithFallback(first, async (encoding, fatal) => {
    const parts: string[] = [];
    let replacementChars = 0;
    for await (const piece of decodePieces(src, encoding, fatal)) {
      replacementChars += countReplacements(piece, encoding, fatal);
      parts.push(piece);
    }
    return { text: parts.join(''), replacementChars };
  });
}
