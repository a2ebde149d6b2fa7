/**
 * Prediction with 16-bit recurrent weights (`predict(x, { weightPrecision: 'float16' | 'bfloat16' })`):
 * each LSTM direction's recurrent kernel Wh ([H, 4H], the weights every timestep reads again) kept as
 * float16 or bfloat16 pairs packed in u32s, which the forward kernels widen to f32 as they load them (all
 * sums in f32). float16 keeps 11 significant bits (WGSL's conversion), bfloat16 8 (rounded to nearest even,
 * exactly) but widens with a shift instead of a conversion.
 * Everything else — the embedding, the input kernels, the biases, the dense layers — stays float32.
 *
 * The copies hold while the weights do (ParameterStore.version): packed again, in one step of their
 * own, by the first prediction in that format after any change. Every LSTM forward kernel of the gpu tuning
 * (per timestep and whole sequence) has both forms, and so does the cpu tuning's vec4 one (units divisible
 * by 4). Models with a GRU or SimpleRNN, or units the cpu tuning cannot read packed, refuse with the
 * reason; nothing falls back to float32 quietly.
 */
import type { Engine } from '../engine/engine';
import type { ParameterStore } from '../engine/parameters';
import type { Slice, Tensor } from '../engine/tensor';
import { prepareHalfWeights } from '../ops/create-engine';
import { packHalf } from '../ops/half-weights';
import type { HalfFormat } from '../ops/recurrence';
import type { Graph } from './built';
import { recurrentOf } from './kinds/cells';

/** The weight precisions a prediction takes. */
export type WeightPrecision = 'float32' | HalfFormat;

/** The recurrent kernels to pack, or why this model cannot predict with 16-bit recurrent weights. */
function halfPlan(graph: Graph, engine: Engine): { names: string[] } | { error: string } {
  const names: string[] = [];
  for (const b of graph.layers) {
    const r = recurrentOf(b.layer);
    if (!r) continue;
    if (r.className !== 'LSTM') return { error: `16-bit recurrent weights are implemented for LSTM layers only; layer "${b.name}" is a ${r.className}` };
    for (const w of b.weights) {
      if (!w.name.endsWith('/recurrent_kernel')) continue;
      const H = w.shape[0]!;
      if (engine.tuning === 'cpu' && H % 4 !== 0) return { error: `16-bit recurrent weights on the 'cpu' tuning need a layer's units to divide by 4; layer "${b.name}" has ${H}` };
      names.push(w.name);
    }
  }
  if (names.length === 0) return { error: 'the model has no LSTM layer (16-bit precision applies to recurrent weights only)' };
  return { names };
}

/** One format's packed copies: Wh per recurrent-kernel parameter name, and the weights' version they hold. */
interface Packed {
  slices: Map<string, Slice>;
  builtAt: number;
}

export class HalfWeights {
  private readonly plan: { names: string[] } | { error: string };
  private readonly packed = new Map<HalfFormat, Packed>();
  private compiled: Promise<void> | null = null;

  constructor(
    private readonly engine: Engine,
    private readonly params: ParameterStore,
    graph: Graph,
  ) {
    this.plan = halfPlan(graph, engine);
  }

  /** Throws why this model cannot predict with 16-bit recurrent weights; else compiles their kernels (once). */
  ready(format: HalfFormat): Promise<void> {
    if ('error' in this.plan) throw new Error(`predict: weightPrecision '${format}': ${this.plan.error}`);
    return (this.compiled ??= prepareHalfWeights(this.engine));
  }

  /**
   * Right before a prediction's steps in `format`: pack the recurrent kernels again if the weights changed
   * (one step); returns what the forward looks each direction's packed Wh up in.
   */
  update(format: HalfFormat): { lookup(wh: Tensor): { packed: Slice; format: HalfFormat } } {
    if ('error' in this.plan) throw new Error(`predict: weightPrecision '${format}': ${this.plan.error}`);
    const version = this.params.version;
    let p = this.packed.get(format);
    if (!p) this.packed.set(format, (p = { slices: new Map(), builtAt: -1 }));
    if (p.builtAt !== version) {
      const step = this.engine.beginStep({ grad: false, label: `${format} weights` });
      try {
        for (const name of this.plan.names) {
          const wh = this.params.get(name).data;
          let out = p.slices.get(name);
          if (!out) p.slices.set(name, (out = this.engine.allocate(wh.length / 2, `${name} (${format})`)));
          packHalf(step, wh, out, format);
        }
        step.submit();
      } catch (e) {
        step.abort();
        throw e;
      }
      p.builtAt = version;
    }
    const packed = p;
    return {
      lookup: (wh: Tensor) => {
        const out = packed.builtAt === this.params.version ? packed.slices.get(wh.name) : undefined;
        if (!out) throw new Error(`${format} weights of "${wh.name}": not packed at the current weights`);
        return { packed: out, format };
      },
    };
  }

  destroy(): void {
    for (const p of this.packed.values()) for (const s of p.slices.values()) this.engine.release(s);
    this.packed.clear();
  }
}
