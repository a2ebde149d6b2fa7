/**
 * The saved-model file: one zip holding manifest.json (format, configuration, labels, tokenizer, gate
 * order, parameter names and shapes) and weights.bin (every parameter as little-endian float32, in the
 * manifest's order). Reading checks everything before any GPU work, so a malformed or mismatched file is
 * rejected with a reason. JSZip is loaded when a file is first written or read.
 */
import { upgradeCleaning } from '../data/clean';
import { inflateEntry, readZipDirectory } from '../data/zip';
import { Tokenizer, type TokenizerJSON } from '../data/tokenizer';
import { GATE_ORDER } from '../nn/lstm-layout';
import { networkConfig, validateModelConfig, withDefaults, type ModelConfig } from './config';
import { SentimentNetwork } from './network';

export interface SavedManifest {
  format: 'webgpu-lstm-sentiment';
  version: 1;
  config: ModelConfig;
  labelNames: string[];
  maxLen: number;
  gateOrder: string[];
  params: Array<{ name: string; shape: number[] }>;
  tokenizer: TokenizerJSON;
}

export interface SavedModel {
  config: ModelConfig;
  labelNames: string[];
  maxLen: number;
  tokenizer: Tokenizer;
  /** Parameters by name, in the network's order. */
  weights: Map<string, Float32Array>;
}

const u8 = (b: Uint8Array | ArrayBuffer) => (b instanceof Uint8Array ? b : new Uint8Array(b));

async function jszip() {
  return (await import('jszip')).default;
}

/**
 * Write the model file. `compress: false` stores without DEFLATE: much less main-thread work, for
 * in-memory snapshots.
 */
export async function encodeModelFile(
  m: { config: ModelConfig; labelNames: string[]; maxLen: number; tokenizer: Tokenizer; specs: ReadonlyArray<{ name: string; shape: number[]; length: number }>; values: Map<string, Float32Array> },
  opts: { compress?: boolean } = {},
): Promise<Uint8Array> {
  const manifest: SavedManifest = {
    format: 'webgpu-lstm-sentiment',
    version: 1,
    config: m.config,
    labelNames: m.labelNames,
    maxLen: m.maxLen,
    gateOrder: [...GATE_ORDER],
    params: m.specs.map((s) => ({ name: s.name, shape: s.shape })),
    tokenizer: m.tokenizer.toJSON(),
  };
  const weights = new Float32Array(m.specs.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const s of m.specs) {
    const v = m.values.get(s.name)!;
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i]!)) throw new Error(`refusing to save: parameter ${s.name} holds NaN or infinite values (the training diverged)`);
    }
    weights.set(v, o);
    o += s.length;
  }
  const JSZip = await jszip();
  const zip = new JSZip();
  zip.file('manifest.json', JSON.stringify(manifest, null, 1));
  zip.file('weights.bin', new Uint8Array(weights.buffer));
  return zip.generateAsync({ type: 'uint8array', compression: opts.compress === false ? 'STORE' : 'DEFLATE' });
}

/** Read and check a model file. */
export async function decodeModelFile(bytes: Uint8Array | ArrayBuffer): Promise<SavedModel> {
  const JSZip = await jszip();
  let zip: InstanceType<typeof JSZip>;
  try {
    zip = await JSZip.loadAsync(bytes);
  } catch {
    throw new Error('not a saved model: the file is not a zip archive');
  }
  const mf = zip.file('manifest.json');
  const wf = zip.file('weights.bin');
  if (!mf || !wf) throw new Error('not a saved model: manifest.json or weights.bin is missing');
  let m: SavedManifest;
  try {
    m = JSON.parse(await mf.async('string')) as SavedManifest;
  } catch {
    throw new Error('not a saved model: manifest.json is not valid JSON');
  }
  if (!m || typeof m !== 'object') throw new Error('not a saved model: manifest.json is not an object');
  if (m.format !== 'webgpu-lstm-sentiment') throw new Error(`not a saved model of this engine (format "${String(m.format)}")`);
  if (m.version !== 1) throw new Error(`unsupported saved-model version ${String(m.version)} (this build reads version 1)`);
  if (JSON.stringify(m.gateOrder) !== JSON.stringify(GATE_ORDER)) throw new Error(`unsupported gate order ${JSON.stringify(m.gateOrder)}`);
  if (!m.config || typeof m.config !== 'object') throw new Error('not a saved model: manifest.json has no configuration');
  const saved = m.config.cleaning as unknown;
  if (saved !== undefined && (saved === null || typeof saved !== 'object')) throw new Error(`not a saved model: its cleaning configuration is ${JSON.stringify(saved)}`);
  // Models saved before `cleaning.keep` existed cleaned with stripNonAlphanumeric (true: ASCII only).
  const config = withDefaults({ ...m.config, cleaning: upgradeCleaning(m.config.cleaning ?? {}) as ModelConfig['cleaning'] });
  validateModelConfig(config);
  if (!Array.isArray(m.labelNames) || m.labelNames.length < 2 || m.labelNames.some((l) => typeof l !== 'string')) throw new Error('the saved labels are invalid');
  if (new Set(m.labelNames).size !== m.labelNames.length) throw new Error(`the saved labels repeat a name (${m.labelNames.join(', ')})`);
  if (!Array.isArray(m.params) || m.params.some((p) => !p || typeof p.name !== 'string' || !Array.isArray(p.shape))) {
    throw new Error('not a saved model: manifest.json lists no valid parameters');
  }
  if (!m.tokenizer || typeof m.tokenizer !== 'object') throw new Error('not a saved model: manifest.json has no tokenizer');
  if (!(Number.isInteger(m.maxLen) && m.maxLen >= 1)) throw new Error('the saved maxLen is invalid');
  const tokenizer = Tokenizer.fromJSON(m.tokenizer);
  // Expected parameters: what this config builds, by name and shape, in order.
  const expected = SentimentNetwork.paramShapes(networkConfig(config, m.labelNames.length));
  const same = expected.length === m.params.length && expected.every((e, i) => e.name === m.params[i]!.name && JSON.stringify(e.shape) === JSON.stringify(m.params[i]!.shape));
  if (!same) throw new Error('the saved parameters do not match the saved configuration (names or shapes differ)');
  const total = expected.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
  // The size weights.bin declares is checked before it is inflated (a 2 GB one is refused, not inflated),
  // and the inflation stops past that size (a header that lies) and checks the CRC-32.
  const entry = readZipDirectory(u8(bytes)).find((e) => e.name === 'weights.bin');
  if (!entry) throw new Error('not a saved model: weights.bin is missing');
  if (entry.uncompressedSize !== total * 4) throw new Error(`weights.bin holds ${entry.uncompressedSize} bytes; the configuration needs ${total * 4}`);
  let bin: Uint8Array;
  try {
    bin = await inflateEntry(zip, entry);
  } catch (e) {
    throw new Error(`not a saved model: ${(e as Error).message}`);
  }
  const values = new Float32Array(bin.slice().buffer);
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) throw new Error('weights.bin contains NaN or infinite values');
  const weights = new Map<string, Float32Array>();
  let o = 0;
  for (const e of expected) {
    const n = e.shape.reduce((a, b) => a * b, 1);
    weights.set(e.name, values.subarray(o, o + n));
    o += n;
  }
  return { config, labelNames: [...m.labelNames], maxLen: m.maxLen, tokenizer, weights };
}
