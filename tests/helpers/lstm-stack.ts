/**
 * LSTM stacks for tests and benchmarks: N layers, each optionally bidirectional, described as the
 * layers API's layer list, so that weight names, shapes and Keras's default initialisation are that
 * API's own (lstm, lstm_1, …; bidirectional/forward_lstm, bidirectional/backward_lstm, …), and run layer
 * by layer through the production lstmLayer (as the layers API runs its models).
 */
import { type Step } from '../../src/engine/step';
import { type ParamSpec, type ParameterStore } from '../../src/engine/parameters';
import { type Tensor } from '../../src/engine/tensor';
import { buildGraph, initialWeights, type Graph } from '../../src/layers/graph';
import { layers, type Layer } from '../../src/layers/specs';
import { lstmLayer } from '../../src/nn/recurrent-layer';
import type { DropoutMask } from '../../src/ops/dropout-key';

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

/** One direction of one layer and the layers API's names of its weights. */
export interface LstmStackDirection {
  layer: number;
  backward: boolean;
  /** What the names share (e.g. bidirectional_1/backward_lstm_1): the op's name in the step. */
  prefix: string;
  kernel: string;
  recurrentKernel: string;
  bias: string;
}

/**
 * The stack as the layers API builds it (names, shapes; no GPU work). Every layer returns sequences
 * here: which ones do is decided per run (LstmStackRun) and changes no weight.
 */
function stackGraph(cfg: LstmStackConfig): Graph {
  if (!(cfg.layers >= 1) || !Number.isInteger(cfg.layers)) throw new Error(`layers must be a positive integer, got ${cfg.layers}`);
  if (!(cfg.units >= 1) || !Number.isInteger(cfg.units)) throw new Error(`units must be a positive integer, got ${cfg.units}`);
  const list: Layer[] = Array.from({ length: cfg.layers }, (_, l) => {
    const inputShape = l === 0 ? { inputShape: [null, cfg.inputDim] } : {};
    if (cfg.bidirectional) return layers.bidirectional({ layer: layers.lstm({ units: cfg.units, returnSequences: true }), ...inputShape });
    return layers.lstm({ units: cfg.units, returnSequences: true, goBackwards: cfg.goBackwards ?? false, ...inputShape });
  });
  return buildGraph(list);
}

/** The weight names of every direction, layer by layer (forward before backward). */
export function lstmStackNames(cfg: LstmStackConfig): LstmStackDirection[] {
  return stackGraph(cfg).layers.flatMap((built, layer) => {
    const out: LstmStackDirection[] = [];
    // The weights come in triples (kernel, recurrent kernel, bias), one per direction.
    for (let d = 0; d < built.weights.length; d += 3) {
      const [kernel, recurrentKernel, bias] = built.weights.slice(d, d + 3).map((w) => w.name) as [string, string, string];
      out.push({ layer, backward: d > 0, prefix: kernel.slice(0, kernel.lastIndexOf('/')), kernel, recurrentKernel, bias });
    }
    return out;
  });
}

export function lstmLayerInput(cfg: LstmStackConfig, layer: number): number {
  if (layer === 0) return cfg.inputDim;
  return cfg.bidirectional ? 2 * cfg.units : cfg.units;
}

/** The stack's weights with the layers API's initial values, drawn from `rng` in weight order. */
export function lstmStackParams(cfg: LstmStackConfig, rng: () => number): ParamSpec[] {
  return initialWeights(stackGraph(cfg), rng);
}

export interface LstmStackRun {
  /** Time-major [T·B] mask (1 real, 0 padding) or null. */
  mask: Uint32Array | null;
  /** Per layer-direction input dropout masks [B·in] (Keras `dropout`; same order as lstmStackNames), or null. */
  inputMasks?: Array<DropoutMask | null> | null;
  /** Per layer-direction recurrent dropout masks [B·H] (Keras `recurrent_dropout`), or null. */
  recurrentMasks?: Array<DropoutMask | null> | null;
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
        weights: { wx: params.get(d.kernel), wh: params.get(d.recurrentKernel), b: params.get(d.bias) },
        backward: d.backward || backwardsOnly,
        inputMask: run.inputMasks?.[d.index] ?? null,
        recurrentMask: run.recurrentMasks?.[d.index] ?? null,
      }));
    out = lstmLayer(step, out, dirs, { mask: run.mask, returnSequences: l < cfg.layers - 1 || run.returnSequences, name: `lstm layer ${l}` });
  }
  return out;
}
