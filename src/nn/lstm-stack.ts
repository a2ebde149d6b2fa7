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
import { lstm } from '../ops/lstm';
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

/** Run the stack on a time-major [T, B, in] input; returns [T, B, F] (returnSequences) or [B, F]. */
export function lstmStack(step: Step, x: Tensor, params: ParameterStore, cfg: LstmStackConfig, run: LstmStackRun): Tensor {
  const [T, B] = x.shape as [number, number, number];
  const names = lstmStackNames(cfg);
  const revMask = run.mask ? reverseMask(run.mask, T, B) : null;
  const backwardsOnly = !cfg.bidirectional && (cfg.goBackwards ?? false);
  let input = x;
  let out: Tensor = x;
  for (let l = 0; l < cfg.layers; l++) {
    const isLast = l === cfg.layers - 1;
    const wantSeq = !isLast || run.returnSequences;
    const dirs = names.map((n, i) => ({ ...n, index: i })).filter((n) => n.layer === l);
    const results = dirs.map((d) => {
      const w = {
        wx: params.get(`${d.prefix}/kernel`),
        wh: params.get(`${d.prefix}/recurrent_kernel`),
        b: params.get(`${d.prefix}/bias`),
      };
      const rmask = run.recurrentMasks?.[d.index] ?? null;
      const imask = run.inputMasks?.[d.index] ?? null;
      // Variational input dropout: one mask per (sequence, feature), the same at every timestep.
      const xin = imask ? dropout(step, input, imask, B, `${d.prefix} input dropout`) : input;
      if (backwardsOnly) {
        const rev = reverseTime(step, xin, `${d.prefix} input reversed`);
        return lstm(step, rev, w, { mask: revMask, recurrentMask: rmask, returnSequences: wantSeq, name: d.prefix });
      }
      if (!d.backward) return lstm(step, xin, w, { mask: run.mask, recurrentMask: rmask, returnSequences: wantSeq, name: d.prefix });
      // go_backwards: run on the time-reversed input; Bidirectional re-reverses the sequence output.
      const rev = reverseTime(step, xin, `${d.prefix} input reversed`);
      const r = lstm(step, rev, w, { mask: revMask, recurrentMask: rmask, returnSequences: wantSeq, name: d.prefix });
      return { ...r, sequence: wantSeq ? reverseTime(step, r.sequence, `${d.prefix} output reversed`) : r.sequence };
    });
    const pick = (r: (typeof results)[number]) => (wantSeq ? r.sequence : r.last);
    out = results.length === 2 ? concatFeatures(step, pick(results[0]!), pick(results[1]!), `lstm layer ${l} concat`) : pick(results[0]!);
    input = out;
  }
  return out;
}
