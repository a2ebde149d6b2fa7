/**
 * inspect(): what every recurrent layer of a model computed at every timestep of some input — the
 * LSTM's input, forget and output gates, its candidate, cell state and h; the GRU's update and reset
 * gates, candidate and h; the SimpleRNN's h — and the model's prediction. One forward step that keeps
 * what a training forward keeps (the ops' `keepState`), one readback of all of it.
 */
import type { Step } from '../engine/step';
import { subSlice, type Slice } from '../engine/tensor';
import type { RecurrentState } from '../ops/recurrence';
import type { BuiltLayer, Graph, InputBatch } from './built';
import { lastActivation, softmaxOf } from './compile';
import { gatherInputs, readInputs, toNested, type TensorLike } from './data';
import { checkGraphFits, type LimitAdvice } from './limits';
import { forward } from './run';
import type { ParameterStore } from '../engine/parameters';
import type { Engine } from '../engine/engine';
import type { RecurrentLayer } from './specs';
import { recurrentOf } from './kinds/cells';

export interface InspectedLayer {
  /** The recurrent layer's name (a Bidirectional's, for both of its directions). */
  layer: string;
  cell: RecurrentLayer['className'];
  direction: 'forward' | 'backward';
  units: number;
  /** Value names in order: LSTM i, f, candidate, o, c, h; GRU z, r, candidate, h; SimpleRNN h. */
  names: string[];
  /** By name, per sample: timestep-major [T·units] in the input's time order (a backward direction's re-ordered). */
  values: Record<string, Float32Array[]>;
  /** Per sample and timestep (input order): true where the layer saw padding (it carried its state; no value computed). */
  masked: boolean[][];
}

export interface Inspection {
  layers: InspectedLayer[];
  /** What predict would answer for the input. */
  prediction: unknown;
  /** Samples and timesteps inspected. */
  samples: number;
  timesteps: number;
}

/** What inspect needs of a model (a Sequential hands itself over). */
export interface Inspectable {
  readonly engine: Engine;
  readonly graph: Graph;
  readonly params: ParameterStore;
  limitAdvice: LimitAdvice | undefined;
}

const isRecurrent = (b: BuiltLayer) => recurrentOf(b.layer) !== null;

export async function inspectModel(model: Inspectable, x: TensorLike): Promise<Inspection> {
  const { engine, graph } = model;
  const recurrent = graph.layers.filter(isRecurrent);
  if (recurrent.length === 0) throw new Error(`inspect: the model has no recurrent layer (it has ${graph.layers.map((b) => b.layer.className).join(' → ')})`);
  const inputs = readInputs(x, graph);
  // Every buffer of the step for this many sequences must fit the device: one sentence before any GPU work.
  checkGraphFits(graph, engine.device.limits, { T: inputs.T, B: inputs.N }, model.limitAdvice);
  const batch: InputBatch = gatherInputs(inputs, Array.from({ length: inputs.N }, (_, i) => i), graph.input.kind);
  const kept: Array<{ b: BuiltLayer; direction: number; state: RecurrentState }> = [];
  const step = engine.beginStep({ grad: false, label: 'inspect' });
  let read: Promise<Float32Array>;
  let predicted: Promise<Float32Array>;
  let regions: Array<{ slice: Slice; from: number; length: number; at: number }>;
  try {
    const softmax = lastActivation(graph) === 'softmax';
    const { out } = forward(step, graph, model.params, batch, { training: false, skipLastActivation: softmax, inspect: (b, direction, state) => kept.push({ b, direction, state }) });
    predicted = step.read(softmax ? softmaxOf(step, out) : out.data);
    ({ read, regions } = gatherRegions(step, kept.map((k) => k.state)));
    step.submit();
  } catch (e) {
    step.abort();
    throw e;
  }
  const [all, pred] = await Promise.all([read, predicted]);
  const N = inputs.N;
  const layers = kept.map(({ b, direction, state }) => describe(b, direction, state, all, regions, N));
  const U = graph.outputShape[graph.outputShape.length - 1] as number;
  const seq = graph.outputShape.length === 2;
  const T = inputs.T;
  // The prediction comes time-major [T, N, U] (or [N, U]): batch-major like predict's.
  const bm = new Float32Array(pred.length);
  const steps = seq ? T : 1;
  for (let n = 0; n < N; n++) for (let t = 0; t < steps; t++) bm.set(pred.subarray((t * N + n) * U, (t * N + n + 1) * U), (n * steps + t) * U);
  const shape = [N, ...(seq ? [T] : []), U];
  return { layers, prediction: inputs.nested ? toNested(bm, shape) : { data: bm, shape }, samples: N, timesteps: T };
}

/** Copy every region the states point into (once per distinct buffer range) into one scratch buffer, and read it. */
function gatherRegions(step: Step, states: RecurrentState[]) {
  const regions: Array<{ slice: Slice; from: number; length: number; at: number }> = [];
  for (const s of states) {
    for (const v of s.values) {
      const from = v.base;
      const end = v.base + (s.T * s.B - 1) * v.rowStride + s.H;
      const r = regions.find((x) => x.slice.buffer === v.slice.buffer && x.slice.offset === v.slice.offset);
      if (r) {
        const lo = Math.min(r.from, from);
        r.length = Math.max(r.from + r.length, end) - lo;
        r.from = lo;
      } else regions.push({ slice: v.slice, from, length: end - from, at: 0 });
    }
  }
  let total = 0;
  for (const r of regions) {
    r.at = total;
    total += r.length;
  }
  const out = step.scratch(Math.max(total, 1), 'inspect readback');
  for (const r of regions) step.copy(subSlice(r.slice, r.from, r.length), subSlice(out, r.at, r.length));
  return { read: step.read(out), regions };
}

function describe(b: BuiltLayer, direction: number, s: RecurrentState, all: Float32Array, regions: ReadonlyArray<{ slice: Slice; from: number; at: number }>, N: number): InspectedLayer {
  const inner = recurrentOf(b.layer)!;
  const reversed = b.layer.className === 'Bidirectional' ? (direction === 1) !== inner.goBackwards : inner.goBackwards;
  const { T, B, H } = s;
  // Input position p is this direction's timestep t = p, or T − 1 − p when it ran reversed.
  const tOf = (p: number) => (reversed ? T - 1 - p : p);
  const values: Record<string, Float32Array[]> = {};
  for (const v of s.values) {
    const r = regions.find((x) => x.slice.buffer === v.slice.buffer && x.slice.offset === v.slice.offset)!;
    values[v.name] = Array.from({ length: N }, (_, n) => {
      const a = new Float32Array(T * H);
      for (let p = 0; p < T; p++) {
        const src = r.at + v.base - r.from + (tOf(p) * B + n) * v.rowStride;
        a.set(all.subarray(src, src + H), p * H);
      }
      return a;
    });
  }
  const masked = Array.from({ length: N }, (_, n) =>
    Array.from({ length: T }, (_, p) => {
      const t = tOf(p);
      return t < s.tStart || t >= s.tEnd || (s.mask !== null && s.mask[t * B + n] === 0);
    }),
  );
  return { layer: b.name, cell: inner.className, direction: direction === 1 || (b.layer.className !== 'Bidirectional' && inner.goBackwards) ? 'backward' : 'forward', units: H, names: s.values.map((v) => v.name), values, masked };
}
