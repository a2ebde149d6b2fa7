/**
 * What every training command shares: options parsed first (a usage error exits 2 before any work),
 * `--help`, Ctrl-C turned into an AbortSignal (the first stops after the current step, a second quits
 * at once), a failure as one sentence and exit 1, and the input file read with its errors in words.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Engine } from '../engine/engine';
import { DatasetError } from '../data/errors';
import type { ModelKind } from '../layers/file';
import { loadModel, modelKindOf, type ModelOfKind } from '../load-model';

export async function runCommand<A>(argv: string[], parse: (argv: string[]) => A | null, help: string, body: (args: A, interrupt: AbortSignal) => Promise<number>): Promise<number> {
  let args: A | null;
  try {
    args = parse(argv);
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return 2;
  }
  if (!args) {
    console.log(help);
    return 0;
  }
  const interrupt = new AbortController();
  const onSigint = () => {
    if (interrupt.signal.aborted) process.exit(130); // a second Ctrl-C: leave at once
    process.stderr.write('\ninterrupted: stopping after the current step (Ctrl-C again to quit at once)\n');
    interrupt.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    return await body(args, interrupt.signal);
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function checkInputFile(file: string, kinds: string): void {
  if (!fs.existsSync(file)) throw new DatasetError(`no such file: ${file}`);
  if (fs.statSync(file).isDirectory()) throw new DatasetError(`${file} is a directory, not a ${kinds} file`);
}

/** A user's input file: its bytes and base name, or a DatasetError that says what is wrong with the path. */
export function readInputFile(file: string, kinds: string): { bytes: Uint8Array; name: string } {
  checkInputFile(file, kinds);
  return { bytes: fs.readFileSync(file), name: path.basename(file) };
}

/** A user's input file as a Blob that reads it on demand (a large CSV is then never held whole), and its base name. */
export async function openInputFile(file: string, kinds: string): Promise<{ source: Blob; name: string }> {
  checkInputFile(file, kinds);
  return { source: await fs.openAsBlob(file), name: path.basename(file) };
}

const MODEL: Record<ModelKind, { name: string; madeBy: string }> = {
  layers: { name: 'layers model', madeBy: 'webgpu-lstm forecast' },
  sentiment: { name: 'sentiment model', madeBy: 'webgpu-lstm train' },
  'language-model': { name: 'language model', madeBy: 'webgpu-lstm lm' },
};

/**
 * A model file of the kind a command needs (any format this library reads, 0.2's included), or one
 * sentence: what the file is instead, and which command makes the kind wanted.
 */
export async function readModelFile<K extends ModelKind>(file: string, kind: K): Promise<ModelOfKind[K]> {
  const { bytes } = readInputFile(file, 'model .zip');
  const found = await modelKindOf(bytes);
  if (found && found !== kind) throw new DatasetError(`${file} is a ${MODEL[found].name} file, not a ${MODEL[kind].name} (${MODEL[kind].madeBy} makes those)`);
  return loadModel(bytes, { kind });
}

/** "GPU: dawn+swiftshader (google swiftshader …), cpu-tuned kernels" */
export function gpuLine(engine: Engine): string {
  const a = engine.gpu.adapterInfo;
  return `GPU: ${engine.gpu.backend} (${[a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' ')}), ${engine.tuning}-tuned kernels`;
}
