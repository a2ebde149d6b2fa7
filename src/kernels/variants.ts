/**
 * Kernel variants as the ops declare them: a shader (a typed name: a typo is a compile error), its
 * override constants, and optionally the one kernel tuning that uses it. Each op lists its variants
 * beside the code that picks among them; an engine compiles the variants of its tuning up front.
 */
import { kernelKey, type KernelVariant } from './registry';
import type { ShaderName } from './shaders.generated';

/**
 * Kernel shapes: 'cpu' (few invocations, much register-tiled work each, no barriers: what a software
 * adapter such as SwiftShader runs fastest) or 'gpu' (many light invocations, workgroup tiles and
 * reductions: what keeps a hardware GPU's cores busy at this model's small sizes).
 */
export type Tuning = 'cpu' | 'gpu';

/**
 * How a gpu-tuned engine runs the LSTM recurrence: 'auto' (a measured table, ops/lstm-schedule.ts),
 * 'timestep' (one dispatch per timestep) or the whole-sequence kernels with this many batch rows per
 * workgroup (one dispatch per layer and direction), their split dot products summed as `reduction` says.
 */
export type LstmSchedule = 'auto' | 'timestep' | { sequenceRows: SequenceRows; reduction?: SequenceReduction };
/** 8 only with the 'subgroups' reduction (the others hold at most 4 rows per workgroup). */
export type SequenceRows = 1 | 2 | 4 | 8;
/**
 * How the whole-sequence LSTM forward sums its split dot products: 'workgroup' (through workgroup memory:
 * every adapter; the default) or 'subgroups' (subgroup shuffles, lstm_sequence_forward_subgroups: only on
 * a device with the `subgroups` feature, and sized for the adapter's workgroup limits).
 */
export type SequenceReduction = 'workgroup' | 'subgroups';

export interface TunedVariant extends KernelVariant<ShaderName> {
  /** Used only by engines of this tuning; others never compile it. */
  only?: Tuning;
  /** Compiles only on a device with this feature (its module has an `enable` directive): others never compile it. */
  feature?: GPUFeatureName;
}

export const BOOLS = [false, true] as const;

/** One variant, optionally for one tuning only. */
export function kernel(shader: ShaderName, only?: Tuning, overrides?: KernelVariant['overrides']): TunedVariant {
  return { shader, ...(only ? { only } : {}), ...(overrides ? { overrides } : {}) };
}

/** The variants an engine of `tuning` uses (all of them without one), deduplicated. */
export function variantsFor(lists: ReadonlyArray<ReadonlyArray<TunedVariant>>, tuning?: Tuning): TunedVariant[] {
  const seen = new Map<string, TunedVariant>();
  for (const list of lists) {
    for (const v of list) if (!tuning || !v.only || v.only === tuning) seen.set(kernelKey(v.shader, v.overrides), v);
  }
  return [...seen.values()];
}
