/**
 * The container every saved model uses: one zip with manifest.json (whatever the model type describes)
 * and weights.bin (every parameter as little-endian float32, in the manifest's order). Writing refuses
 * NaN/Inf weights; reading checks the declared size of weights.bin before inflating it, stops past that
 * size, verifies the CRC-32, and refuses NaN/Inf. JSZip is loaded when a file is first written or read.
 */
import { inflateEntry, openZip, readZipDirectory } from '../data/zip';

const u8 = (b: Uint8Array | ArrayBuffer) => (b instanceof Uint8Array ? b : new Uint8Array(b));

/** Parameters in `order`, concatenated; NaN or infinite values are refused (a diverged model is not saved). */
export function packWeights(order: ReadonlyArray<{ name: string }>, values: ReadonlyMap<string, Float32Array>): Float32Array {
  const arrays = order.map((s) => {
    const v = values.get(s.name);
    if (!v) throw new Error(`refusing to save: parameter ${s.name} has no values`);
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i]!)) throw new Error(`refusing to save: parameter ${s.name} holds NaN or infinite values (the training diverged)`);
    }
    return v;
  });
  const out = new Float32Array(arrays.reduce((s, a) => s + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

/** `extra`: further float32 entries (e.g. an optimizer's state), by file name. */
export async function writeModelZip(manifest: object, weights: Float32Array, opts: { compress?: boolean; extra?: Record<string, Float32Array> } = {}): Promise<Uint8Array> {
  const JSZip = (await import('jszip')).default;
  const zip = new JSZip();
  zip.file('manifest.json', JSON.stringify(manifest, null, 1));
  zip.file('weights.bin', new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength));
  for (const [name, values] of Object.entries(opts.extra ?? {})) zip.file(name, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  return zip.generateAsync({ type: 'uint8array', compression: opts.compress === false ? 'STORE' : 'DEFLATE' });
}

export interface OpenedModelZip {
  /** The parsed manifest.json (an object; its fields are the caller's to check). */
  manifest: Record<string, unknown>;
  /** weights.bin as float32, checked to hold exactly `count` finite values. */
  weights(count: number): Promise<Float32Array>;
  /** Another float32 entry, checked the same way. */
  floats(name: string, count: number): Promise<Float32Array>;
}

export async function openModelZip(bytes: Uint8Array | ArrayBuffer): Promise<OpenedModelZip> {
  let zip: Awaited<ReturnType<typeof openZip>>;
  try {
    zip = await openZip(bytes);
  } catch {
    throw new Error('not a saved model: the file is not a zip archive');
  }
  const mf = zip.file('manifest.json');
  if (!mf || !zip.file('weights.bin')) throw new Error('not a saved model: manifest.json or weights.bin is missing');
  let manifest: unknown;
  try {
    manifest = JSON.parse(await mf.async('string'));
  } catch {
    throw new Error('not a saved model: manifest.json is not valid JSON');
  }
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) throw new Error('not a saved model: manifest.json is not an object');
  const floats = async (name: string, count: number) => {
    // The size an entry declares is checked before it is inflated (a 2 GB one is refused, not
    // inflated), and the inflation stops past that size (a header that lies) and checks the CRC-32.
    const entry = readZipDirectory(u8(bytes)).find((e) => e.name === name);
    if (!entry) throw new Error(`not a saved model: ${name} is missing`);
    if (entry.uncompressedSize !== count * 4) throw new Error(`${name} holds ${entry.uncompressedSize} bytes; the configuration needs ${count * 4}`);
    let bin: Uint8Array;
    try {
      bin = await inflateEntry(zip, entry);
    } catch (e) {
      throw new Error(`not a saved model: ${(e as Error).message}`);
    }
    const values = new Float32Array(bin.slice().buffer);
    for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) throw new Error(`${name} contains NaN or infinite values`);
    return values;
  };
  return { manifest: manifest as Record<string, unknown>, weights: (count) => floats('weights.bin', count), floats };
}

/** Split concatenated weights back into named parameters. */
export function unpackWeights(values: Float32Array, order: ReadonlyArray<{ name: string; shape: readonly number[] }>): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  let o = 0;
  for (const e of order) {
    const n = e.shape.reduce((a, b) => a * b, 1);
    out.set(e.name, values.subarray(o, o + n));
    o += n;
  }
  return out;
}

/** The optimizer's state and the random streams' positions: a resumed fit continues exactly. */
export interface TrainingState {
  m: Float32Array;
  v: Float32Array;
  step: number;
  /**
   * The random streams' positions: seedrandom Arc4 states by name (`shuffle`, …) and `dropoutDraws`, the
   * dropout generator's training-step counter (ops/dropout-key.ts). Files from before dropout masks were
   * drawn on the GPU hold an Arc4 state under `dropout` instead (see restoredDropoutDraws).
   */
  rng: Record<string, unknown>;
}

/**
 * The dropout draw counter a saved training state continues from: the one it saved or, in a file from
 * before masks were drawn on the GPU (an Arc4 state under `rng.dropout`, no counter), the optimizer's
 * step count — one draw per training step, as if the masks had always come from the counter. Such a
 * file resumes deterministically (the same file and data give the same weights), though not with the
 * masks the old version's stream would have drawn.
 */
export function restoredDropoutDraws(t: TrainingState): number {
  const saved = t.rng['dropoutDraws'];
  if (saved !== undefined) {
    if (!(Number.isSafeInteger(saved) && (saved as number) >= 0)) throw new Error(`its dropout draw counter ${JSON.stringify(saved)} is not a non-negative integer`);
    return saved as number;
  }
  if (t.rng['dropout'] !== undefined && Number.isSafeInteger(t.step) && t.step >= 0) return t.step;
  throw new Error('its training state has no dropout draw counter');
}

/** How a manifest records a saved training state (the moments are the entries optimizer-m.bin and optimizer-v.bin). */
export interface TrainingManifest {
  optimizerStep: number;
  arena: number;
  rng: Record<string, unknown>;
}

/** The manifest part and the extra entries that save a training state. */
export function trainingEntries(t: TrainingState): { manifest: TrainingManifest; extra: Record<string, Float32Array> } {
  return { manifest: { optimizerStep: t.step, arena: t.m.length, rng: t.rng }, extra: { 'optimizer-m.bin': t.m, 'optimizer-v.bin': t.v } };
}

/** Read back a training state recorded by trainingEntries (null when the file has none). */
export async function readTrainingState(opened: OpenedModelZip, t: unknown): Promise<TrainingState | null> {
  if (t === undefined) return null;
  const m = t as Partial<TrainingManifest> | null;
  if (!m || !Number.isInteger(m.optimizerStep) || !Number.isInteger(m.arena) || m.arena! < 1 || !m.rng || typeof m.rng !== 'object') {
    throw new Error('not a valid saved model: its training state is malformed');
  }
  return { m: await opened.floats('optimizer-m.bin', m.arena!), v: await opened.floats('optimizer-v.bin', m.arena!), step: m.optimizerStep!, rng: m.rng };
}
