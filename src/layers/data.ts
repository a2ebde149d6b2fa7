/**
 * Model inputs and targets as users pass them — nested arrays, or `{ data, shape }` with a typed array —
 * checked against the model before any GPU work (errors name the layer and both shapes), flattened
 * batch-major, and gathered into time-major batches for the GPU.
 */
import { formatShape, type Graph } from './built';
import type { InputBatch } from './built';

/** A tensor as a flat typed array (row-major) and its shape, batch first. */
export interface ShapedArray {
  data: Float32Array | Uint32Array | Int32Array | Float64Array | ArrayLike<number>;
  shape: readonly number[];
}

/** Nested arrays ([N, T, F] floats, [N, T] token ids, [N, F] …) or a shaped typed array. */
export type TensorLike = number[] | number[][] | number[][][] | ShapedArray;

export interface Flat {
  values: Float64Array;
  shape: number[];
  /** It came as nested arrays (predict answers in kind). */
  nested: boolean;
}

export function flatten(x: TensorLike, what: string): Flat {
  if (x && typeof x === 'object' && !Array.isArray(x) && 'shape' in x && 'data' in x) {
    const shape = [...x.shape];
    if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`${what}: shape ${JSON.stringify(shape)} must list non-negative integers`);
    const n = shape.reduce((a, b) => a * b, 1);
    if (x.data.length !== n) throw new Error(`${what}: shape [${shape.join(', ')}] needs ${n} values, data has ${x.data.length}`);
    return { values: Float64Array.from(x.data), shape, nested: false };
  }
  if (!Array.isArray(x)) throw new Error(`${what}: expected nested arrays of numbers or { data, shape }`);
  const shape: number[] = [];
  for (let v: unknown = x; Array.isArray(v); v = v[0]) shape.push(v.length);
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float64Array(n);
  let o = 0;
  const walk = (v: unknown, depth: number, path: number[]) => {
    if (depth === shape.length) {
      if (typeof v !== 'number') throw new Error(`${what}${path.map((p) => `[${p}]`).join('')} is ${JSON.stringify(v)}, not a number`);
      values[o++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new Error(`${what}${path.map((p) => `[${p}]`).join('')} has ${Array.isArray(v) ? `${v.length} entries` : 'no entries'}, expected ${shape[depth]} like the first (ragged input: pad the sequences to one length)`);
    }
    for (let i = 0; i < v.length; i++) walk(v[i], depth + 1, [...path, i]);
  };
  walk(x, 0, []);
  return { values, shape, nested: true };
}

export interface Inputs extends Omit<Flat, 'values'> {
  /** Batch-major values (token ids may come as a Uint32Array: a preset's padded sequences). */
  values: Float64Array | Uint32Array;
  N: number;
  /** Timesteps (1 for [batch, features] inputs). */
  T: number;
  /** Features per timestep (1 for token ids). */
  F: number;
}

export function readInputs(x: TensorLike, graph: Graph): Inputs {
  const flat = flatten(x, 'input');
  const want = graph.input.shape;
  const first = graph.layers[0]!;
  const expected = formatShape(want);
  const got = `[${flat.shape.join(', ')}]`;
  const mismatch = () => new Error(`layer "${first.name}" expects input shape ${expected}, got ${got}`);
  if (flat.shape.length !== want.length + 1) throw mismatch();
  want.forEach((d, i) => {
    if (d !== null && flat.shape[i + 1] !== d) throw mismatch();
  });
  const N = flat.shape[0]!;
  if (N === 0) throw new Error('input: no samples');
  if (graph.input.kind === 'ids') {
    const vocab = (first.layer as { inputDim: number }).inputDim;
    flat.values.forEach((v, i) => {
      if (!Number.isInteger(v) || v < 0 || v >= vocab) {
        const T = flat.shape[1]!;
        throw new Error(`input[${Math.floor(i / T)}][${i % T}] = ${v}: layer "${first.name}" takes token ids 0…${vocab - 1}`);
      }
    });
    return { ...flat, N, T: flat.shape[1]!, F: 1 };
  }
  for (const v of flat.values) if (!Number.isFinite(v)) throw new Error(`input contains ${v}: every value must be a finite number`);
  return want.length === 2 ? { ...flat, N, T: flat.shape[1]!, F: flat.shape[2]! } : { ...flat, N, T: 1, F: flat.shape[1]! };
}

export interface Targets {
  kind: 'classes' | 'floats';
  /** Batch-major: [N], [N, T] (classes) or [N, U], [N, T, U] (floats). */
  values: Float64Array;
  /** Targets per timestep (the output is a sequence). */
  perTimestep: boolean;
  /** Values per sample per timestep: 1 for classes, U for floats. */
  width: number;
}

/** `classes`: sparse class ids for a softmax output; else floats shaped like the output. */
export function readTargets(y: TensorLike, graph: Graph, inputs: Inputs, kind: 'classes' | 'floats'): Targets {
  const flat = flatten(y, 'targets');
  const out = graph.outputShape;
  const perTimestep = out.length === 2;
  const units = out[out.length - 1] as number;
  const lastLayer = graph.layers[graph.layers.length - 1]!.name;
  const want = [inputs.N, ...(perTimestep ? [inputs.T] : []), ...(kind === 'floats' ? [units] : [])];
  // A trailing dimension of 1 may be left out or given ([N] or [N, 1] for one value per sample).
  const shape = flat.shape.length === want.length + 1 && flat.shape[flat.shape.length - 1] === 1 ? flat.shape.slice(0, -1) : flat.shape;
  const fits = shape.length === want.length ? shape.every((d, i) => d === want[i]) : kind === 'floats' && units === 1 && shape.length === want.length - 1 && shape.every((d, i) => d === want[i]);
  if (!fits) {
    const what = kind === 'classes' ? `one class id per ${perTimestep ? 'timestep' : 'sample'}` : `${units} value${units === 1 ? '' : 's'} per ${perTimestep ? 'timestep' : 'sample'}`;
    throw new Error(`targets of shape [${flat.shape.join(', ')}] do not fit layer "${lastLayer}" (output ${formatShape(out)}): expected [${want.join(', ')}], ${what}`);
  }
  if (kind === 'classes') {
    flat.values.forEach((v, i) => {
      if (!Number.isInteger(v) || v < 0 || v >= units) throw new Error(`targets: entry ${i} is ${v}, not a class id 0…${units - 1} of layer "${lastLayer}"`);
    });
  } else {
    for (const v of flat.values) if (!Number.isFinite(v)) throw new Error(`targets contain ${v}: every value must be a finite number`);
  }
  return { kind, values: flat.values, perTimestep, width: kind === 'classes' ? 1 : units };
}

/**
 * The position of the 1 in each time-major row of F floats when every row is one-hot or all zeros
 * (then F), else null: the first LSTM then reads the batch as indices (OneHotInput), skipping its
 * input GEMMs. Stops at the first value that is neither 0 nor 1.
 */
export function oneHotIndices(floats: Float32Array, F: number): Uint32Array | null {
  const rows = floats.length / F;
  const ids = new Uint32Array(rows);
  for (let r = 0, o = 0; r < rows; r++, o += F) {
    let at = F;
    for (let f = 0; f < F; f++) {
      const v = floats[o + f]!;
      if (v === 0) continue;
      if (v !== 1 || at !== F) return null;
      at = f;
    }
    ids[r] = at;
  }
  return ids;
}

/**
 * Rows of the inputs as one GPU batch: ids stay batch-major, floats become time-major [T, B, F] (and
 * one-hot sequences also come as indices, see oneHotIndices).
 */
export function gatherInputs(inputs: Inputs, rows: readonly number[], kind: 'ids' | 'floats'): InputBatch {
  const B = rows.length;
  const { T, F } = inputs;
  const v = inputs.values;
  if (kind === 'ids') {
    const ids = new Uint32Array(B * T);
    rows.forEach((r, b) => {
      for (let t = 0; t < T; t++) ids[b * T + t] = v[r * T + t]!;
    });
    return { B, T, ids };
  }
  const floats = new Float32Array(T * B * F);
  rows.forEach((r, b) => {
    for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) floats[(t * B + b) * F + f] = v[(r * T + t) * F + f]!;
  });
  const oneHot = inputs.shape.length === 3 ? oneHotIndices(floats, F) : null;
  return oneHot ? { B, T, floats, oneHot } : { B, T, floats };
}

/** Targets for rows in the output's time-major row order ([T·B] for sequences, else [B]), `width` per row. */
export function gatherTargets(targets: Targets, rows: readonly number[], T: number): Float64Array {
  const B = rows.length;
  const steps = targets.perTimestep ? T : 1;
  const w = targets.width;
  const out = new Float64Array(steps * B * w);
  rows.forEach((r, b) => {
    for (let t = 0; t < steps; t++) for (let k = 0; k < w; k++) out[(t * B + b) * w + k] = targets.values[(r * steps + t) * w + k]!;
  });
  return out;
}

/** Nested arrays of a flat row-major array. */
export function toNested(values: ArrayLike<number>, shape: readonly number[]): unknown[] {
  const build = (offset: number, depth: number): unknown[] => {
    const n = shape[depth]!;
    if (depth === shape.length - 1) return Array.from({ length: n }, (_, i) => values[offset + i]!);
    const stride = shape.slice(depth + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: n }, (_, i) => build(offset + i * stride, depth + 1));
  };
  return build(0, 0);
}
