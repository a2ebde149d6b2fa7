/**
 * 16-bit copies of weights for inference: each pair of f32 values packed into one u32 (pack_half.wgsl),
 * as float16 or bfloat16 — the forms the LSTM forwards' float16 and bfloat16 kernels read. Half the bytes
 * per weight; the sums stay in f32.
 */
import { grid1d, type Step } from '../engine/step';
import type { Slice } from '../engine/tensor';
import { kernel, type TunedVariant } from '../kernels/variants';
import { LSTM_HALF_WEIGHT_KERNELS } from './lstm';
import type { HalfFormat } from './recurrence';

/** The packing kernels and the kernels that read packed weights: compiled on first use (prepareHalfWeights). */
export const HALF_WEIGHT_KERNELS: readonly TunedVariant[] = [kernel('pack_half', undefined, { BFLOAT16: false }), kernel('pack_half', undefined, { BFLOAT16: true }), ...LSTM_HALF_WEIGHT_KERNELS];

/**
 * out[e] = x[2e] (low 16 bits) and x[2e + 1] (high) in `format`, for e < x.length / 2. float16: each value
 * rounded to a neighbouring float16 (WGSL allows either; SwiftShader rounds to nearest), beyond ±65504
 * clamped. bfloat16: rounded to nearest, ties to even, exactly (integer arithmetic).
 */
export function packHalf(step: Step, x: Slice, out: Slice, format: HalfFormat): void {
  if (x.length % 2 !== 0) throw new Error(`packHalf: ${x.length} values do not pair up`);
  if (out.length !== x.length / 2) throw new Error(`packHalf: ${x.length} values need ${x.length / 2} u32s, got ${out.length}`);
  const n = out.length;
  step.dispatch('pack_half', { overrides: { BFLOAT16: format === 'bfloat16' }, buffers: { x, out }, params: { n, offX: x.offset, offOut: out.offset }, workgroups: grid1d(n) });
}
