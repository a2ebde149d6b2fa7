/**
 * LSTM stacks: N layers, each optionally bidirectional (forward and go_backwards copies, outputs
 * concatenated along features, as Keras's Bidirectional with merge_mode 'concat').
 *
 * Parameters are declared once (`lstmStackParams`) with Keras's default initialisation and the Keras
 * weight names, then looked up by name in a ParameterStore at run time (`lstmStack`).
 */
import { type Step } from '../engine/engine';
import { type ParamSpec, type ParameterStore } from '../engine/parameters';
import { type Tensor } from '../engine/tensor';
import { concatFeatures, dropout, reverseTime } from '../ops/elementwise';
import { lstm, type LstmWeights } from '../ops/lstm';
import { glorotUniform, lstmBias, orthogonal } from './init';
import { GATE } from './lstm-layout';

export interface LstmStackConfig {
  inputDim: number;
  units: number;
  layers: number;
  bidirectional: boolean;
  /**
   * Keras go_backwards for unidirectional layers: each layer reads its input in reverse time order, and
   * (as in Keras) a returned sequence stays in that reversed order. Ignored when bidirectional.
   */
  goBackwards?: boolean;
}

/** Names of the parameter triples, layer by layer and direction by direction. */
export function lstmStackNames(cfg: LstmStackConfig): Array<{ layer: number; backward: boolean; prefix: string }> {
  const out: Array<{ layer: number; backward: boolean; prefix: string }> = [];
  for (let l = 0; l < cfg.layers; l++) {
    const base = l === 0 ? 'lstm' : `lstm_${l}`;
    out.push({ layer: l, backward: false, prefix: cfg.bidirectional ? `${base}/forward` : base });
    if (cfg.bidirectional) out.push({ layer: l, backward: true, prefix: `${base}/backward` });
  }
  return out;
}

export function lstmLayerInput(cfg: LstmStackConfig, layer: number): number {
  if (layer === 0) return cfg.inputDim;
  return cfg.bidirectional ? 2 * cfg.units : cfg.units;
}

export function lstmStackParams(cfg: LstmStackConfig, rng: () => number): ParamSpec[] {
  if (!(cfg.layers >= 1) || !Number.isInteger(cfg.layers)) throw new Error(`layers must be a positive integer, got ${cfg.layers}`);
  if (!(cfg.units >= 1) || !Number.isInteger(cfg.units)) throw new Error(`units must be a positive integer, got ${cfg.units}`);
  const H = cfg.units;
  return lstmStackNames(cfg).flatMap(({ layer, prefix }) => {
    const In = lstmLayerInput(cfg, layer);
    return [
      { name: `${prefix}/kernel`, shape: [In, 4 * H], init: glorotUniform(rng, In, 4 * H) },
      { name: `${prefix}/recurrent_kernel`, shape: [H, 4 * H], init: orthogonal(rng, H, 4 * H) },
      { name: `${prefix}/bias`, shape: [4 * H], init: lstmBias(H, GATE.f) },
    ];
  });
}

export interface LstmStackRun {
  /** Time-major [T·B] mask (1 real, 0 padding) or null. */
  mask: Uint32Array | null;
  /** Per layer-direction input dropout masks [B·in] (Keras `dropout`; same order as lstmStackNames), or null. */
  inputMasks?: Array<Float32Array | null> | null;
  /** Per layer-direction recurrent dropout masks [B·H] (Keras `recurrent_dropout`), or null. */
  recurrentMasks?: Array<Float32Array | null> | null;
  returnSequences: boolean;
}

/** Reverse a time-major [T·B] mask. */
export function reverseMask(mask: Uint32Array, T: number, B: number): Uint32Array {
  const out = new Uint32Array(T * B);
  for (let t = 0; t < T; t++) out.set(mask.subarray(t * B, (t + 1) * B), (T - 1 - t) * B);
  return out;
}

/** One direction of an LSTM layer at run time: its weights and dropout masks. */
export interface LstmDirection {
  prefix: string;
  weights: LstmWeights;
  /** Runs on the time-reversed input (Keras go_backwards). */
  backward: boolean;
  inputMask: Float32Array | null;
  recurrentMask: Float32Array | null;
}

/**
 * One LSTM layer, one or two directions, on a time-major [T, B, in] input: [T, B, F] (returnSequences)
 * or [B, F], where two directions are concatenated along features (Keras Bidirectional, merge_mode
 * 'concat': the backward direction's sequence is re-reversed into input order), and a single backward
 * direction keeps its sequence in reversed order, as Keras's go_backwards does.
 */
export function lstmLayer(step: Step, input: Tensor, dirs: readonly LstmDirection[], run: { mask: Uint32Array | null; returnSequences: boolean; name: string }): Tensor {
  const [T, B] = input.shape as [number, number, number];
  const revMask = run.mask ? reverseMask(run.mask, T, B) : null;
  const wantSeq = run.returnSequences;
  const results = dirs.map((d, i) => {
    // Variational input dropout: one mask per (sequence, feature), the same at every timestep.
    const xin = d.inputMask ? dropout(step, input, d.inputMask, B, `${d.prefix} input dropout`) : input;
    if (!d.backward) {
      const r = lstm(step, xin, d.weights, { mask: run.mask, recurrentMask: d.recurrentMask, returnSequences: wantSeq, name: d.prefix });
      return { ...r, sequence: wantSeq && i === 1 ? reverseTime(step, r.sequence, `${d.prefix} output reversed`) : r.sequence };
    }
    const rev = reverseTime(step, xin, `${d.prefix} input reversed`);
    const r = lstm(step, rev, d.weights, { mask: revMask, recurrentMask: d.recurrentMask, returnSequences: wantSeq, name: d.prefix });
    // Bidirectional flips its second layer's sequence (as Keras does, whichever way that layer ran); a
    // lone go_backwards layer keeps its sequence reversed.
    return { ...r, sequence: wantSeq && i === 1 ? reverseTime(step, r.sequence, `${d.prefix} output reversed`) : r.sequence };
  });
  const pick = (r: (typeof results)[number]) => (wantSeq ? r.sequence : r.last);
  return results.length === 2 ? concatFeatures(step, pick(results[0]!), pick(results[1]!), `${run.name} concat`) : pick(results[0]!);
}

/** Run the stack on a time-major [T, B, in] input; returns [T, B, F] (returnSequences) or [B, F]. */
export function lstmStack(step: Step, x: Tensor, params: ParameterStore, cfg: LstmStackConfig, run: LstmStackRun): Tensor {
  const names = lstmStackNames(cfg);
  const backwardsOnly = !cfg.bidirectional && (cfg.goBackwards ?? false);
  let out: Tensor = x;
  for (let l = 0; l < cfg.layers; l++) {
    const dirs = names
      .map((n, i) => ({ ...n, index: i }))
      .filter((n) => n.layer === l)
      .map((d) => ({
        prefix: d.prefix,
        weights: { wx: params.get(`${d.prefix}/kernel`), wh: params.get(`${d.prefix}/recurrent_kernel`), b: params.get(`${d.prefix}/bias`) },
        backward: d.backward || backwardsOnly,
        inputMask: run.inputMasks?.[d.index] ?? null,
        recurrentMask: run.recurrentMasks?.[d.index] ?? null,
      }));
    out = lstmLayer(step, out, dirs, { mask: run.mask, returnSequences: l < cfg.layers - 1 || run.returnSequences, name: `lstm layer ${l}` });
  }
  return out;
}
