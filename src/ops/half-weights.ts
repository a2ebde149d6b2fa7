/**
 * Float16 copies of weights for inference: each pair of f32 values packed into one u32 (pack_f16.wgsl),
 * the form lstm_forward_step_vec4_f16.wgsl reads. Half the bytes per weight; the sums stay in f32.
 */
import { grid1d, type Step } from '../engine/step';
import type { Slice } from '../engine/tensor';
import { kernel, type TunedVariant } from '../kernels/variants';
import { LSTM_HALF_WEIGHT_KERNELS } from './lstm';

/** The packing kernel and the kernels that read packed weights: compiled on first use (prepareHalfWeights). */
export const HALF_WEIGHT_KERNELS: readonly TunedVariant[] = [kernel('pack_f16'), ...LSTM_HALF_WEIGHT_KERNELS];

/**
 * out[e] = x[2e] (low 16 bits) and x[2e + 1] (high) as float16, for e < x.length / 2: each value rounded
 * to a neighbouring float16 (WGSL allows either; SwiftShader rounds to nearest), beyond ±65504 clamped.
 */
export function packHalf(step: Step, x: Slice, out: Slice): void {
  if (x.length % 2 !== 0) throw new Error(`packHalf: ${x.length} values do not pair up`);
  if (out.length !== x.length / 2) throw new Error(`packHalf: ${x.length} values need ${x.length / 2} u32s, got ${out.length}`);
  const n = out.length;
  step.dispatch('pack_f16', { buffers: { x, out }, params: { n, offX: x.offset, offOut: out.offset }, workgroups: grid1d(n) });
}
