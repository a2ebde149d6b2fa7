/**
 * The page's half of "Load a model" when the trainer runs in a Worker: a Keras `.keras` or `.h5` keeps its
 * weights in HDF5, and the HDF5 library (h5wasm) loads in the page only (the Worker's script leaves it out,
 * as it does for the Keras export, whose archive the page writes). So the page reads such a file here —
 * every check of loadModel, no GPU work — and hands the Worker the same network as this library's layers
 * file, under the file's own name. Everything else (a .zip of this library, a TF.js model.json and its
 * shards, a tokenizer JSON) goes over as it is.
 */
import { isZip } from '../data/zip';
import { encodeSequential, IMPORT_SEED } from '../layers/file';
import type { ModelFile } from './trainer-types';

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Files whose weights are HDF5 replaced by this library's layers file of the same network; the rest as they are. */
export async function withoutHdf5(files: readonly ModelFile[]): Promise<ModelFile[]> {
  return Promise.all(
    files.map(async (f) => {
      const hdf5 = HDF5_SIGNATURE.every((x, i) => f.bytes[i] === x);
      if (!hdf5 && !(isZip(f.bytes) && !/\.bin$/i.test(f.name))) return f;
      const { readForeignModel } = await import('../load-model');
      const m = await readForeignModel(f.bytes, { name: f.name });
      if (!m) return f; // a zip of this library's: the Worker reads it
      const bytes = await encodeSequential({ graph: m.graph, name: m.name, seed: IMPORT_SEED, compile: m.compile, metadata: undefined }, m.values, undefined, { compress: false });
      return { name: f.name, bytes };
    }),
  );
}
