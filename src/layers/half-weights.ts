/**
 * Prediction with float16 recurrent weights (`predict(x, { weightPrecision: 'float16' })`): each LSTM
 * direction's recurrent kernel Wh ([H, 4H], the weights every timestep reads again) kept as float16
 * pairs packed in u32s, which the per-timestep forward widens to f32 as it loads them (all sums in f32).
 * Everything else — the embedding, the input kernels, the biases, the dense layers — stays float32.
 *
 * The copies hold while the weights do (ParameterStore.version): packed again, in one step of their
 * own, by the first float16 prediction after any change. Every LSTM forward kernel of the gpu tuning (per
 * timestep and whole sequence) has a float16 form, and so does the cpu tuning's vec4 one (units divisible
 * by 4). Models with a GRU or SimpleRNN, or units the cpu tuning cannot read as float16, refuse with the
 * reason; nothing falls back to float32 quietly.
 */
import type { Engine } from '../engine/engine';
import type { ParameterStore } from '../engine/parameters';
import type { Slice, Tensor } from '../engine/tensor';
import { prepareHalfWeights } from '../ops/create-engine';
import { packHalf } from '../ops/half-weights';
import type { Graph } from './built';
import { recurrentOf } from './kinds/cells';

/** The weight precisions a prediction takes. */
export type WeightPrecision = 'float32' | 'float16';

/** The recurrent kernels to pack, or why this model cannot predict with float16 recurrent weights. */
function halfPlan(graph: Graph, engine: Engine): { names: string[] } | { error: string } {
  const names: string[] = [];
  for (const b of graph.layers) {
    const r = recurrentOf(b.layer);
    if (!r) continue;
    if (r.className !== 'LSTM') return { error: `float16 recurrent weights are implemented for LSTM layers only; layer "${b.name}" is a ${r.className}` };
    for (const w of b.weights) {
      if (!w.name.endsWith('/recurrent_kernel')) continue;
      const H = w.shape[0]!;
      if (engine.tuning === 'cpu' && H % 4 !== 0) return { error: `float16 recurrent weights on the 'cpu' tuning need a layer's units to divide by 4; layer "${b.name}" has ${H}` };
      names.push(w.name);
    }
  }
  if (names.length === 0) return { error: 'the model has no LSTM layer (float16 applies to recurrent weights only)' };
  return { names };
}

export class HalfWeights {
  private readonly plan: { names: string[] } | { error: string };
  /** Packed Wh per recurrent-kernel parameter name. */
  private readonly packed = new Map<string, Slice>();
  private builtAt = -1;
  private compiled: Promise<void> | null = null;

  constructor(
    private readonly engine: Engine,
    private readonly params: ParameterStore,
    graph: Graph,
  ) {
    this.plan = halfPlan(graph, engine);
  }

  /** Throws why this model cannot predict with float16 recurrent weights; else compiles their kernels (once). */
  ready(): Promise<void> {
    if ('error' in this.plan) throw new Error(`predict: weightPrecision 'float16': ${this.plan.error}`);
    return (this.compiled ??= prepareHalfWeights(this.engine));
  }

  /** Right before a float16 prediction's steps: pack the recurrent kernels again if the weights changed (one step). */
  update(): void {
    if ('error' in this.plan) throw new Error(`predict: weightPrecision 'float16': ${this.plan.error}`);
    const version = this.params.version;
    if (this.builtAt === version) return;
    const step = this.engine.beginStep({ grad: false, label: 'float16 weights' });
    try {
      for (const name of this.plan.names) {
        const wh = this.params.get(name).data;
        let out = this.packed.get(name);
        if (!out) this.packed.set(name, (out = this.engine.allocate(wh.length / 2, `${name} (float16)`)));
        packHalf(step, wh, out);
      }
      step.submit();
    } catch (e) {
      step.abort();
      throw e;
    }
    this.builtAt = version;
  }

  /** Wh of `wh`'s direction as packed float16 pairs at the current weights (update() first). */
  lookup(wh: Tensor): Slice {
    const out = this.builtAt === this.params.version ? this.packed.get(wh.name) : undefined;
    if (!out) throw new Error(`float16 weights of "${wh.name}": not packed at the current weights`);
    return out;
  }

  destroy(): void {
    for (const s of this.packed.values()) this.engine.release(s);
    this.packed.clear();
    this.builtAt = -1;
  }
}
