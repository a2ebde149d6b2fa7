/**
 * LSTM stacks for tests and benchmarks: N layers, each optionally bidirectional, with Keras's default
 * initialisation and the Keras weight names, run layer by layer through the production lstmLayer (the
 * layers API builds its models the same way from its own layer list).
 */
import { type Step } from '../../src/engine/engine';
import { type ParamSpec, type ParameterStore } from '../../src/engine/parameters';
import { type Tensor } from '../../src/engine/tensor';
import { glorotUniform, lstmBias, orthogonal } from '../../src/nn/init';
import { lstmLayer } from '../../src/nn/lstm-layer';
import { GATE } from '../../src/nn/lstm-layout';

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
