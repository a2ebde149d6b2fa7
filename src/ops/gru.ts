/**
 * A whole GRU layer over a whole (time-major) sequence as one tape op with one fused backward, in either
 * of Keras's forms (the float64 reference, src/reference/cells.ts, writes both down):
 *   resetAfter (Keras's default, cuDNN's): the reset gate scales the recurrent candidate sum after the
 *     matmul, so one [B, H]·[H, 3H] recurrent product per timestep serves all three gates; bias [2·3H]
 *     (input bias, then recurrent bias) — gru-reset-after.ts;
 *   resetBefore: the reset gate scales h_{t−1} before its candidate matmul, so each timestep has two
 *     dependent products (z and r first, then the candidate); bias [3H] — gru-reset-before.ts.
 * Gate order z, r, h̃ (Keras's): gate g of unit j is column g·H + j of Wx [in, 3H] and Wh [H, 3H].
 */
import type { Step } from '../engine/step';
import type { Tensor } from '../engine/tensor';
import type { TunedVariant } from '../kernels/variants';
import { GRU_RESET_AFTER_KERNELS, gruResetAfter } from './gru-reset-after';
import { GRU_RESET_BEFORE_KERNELS, gruResetBefore } from './gru-reset-before';
import type { GruOptions, OneHotInput, RecurrentOutput, RecurrentWeights } from './recurrence';

/** Wx [in, 3H], Wh [H, 3H], b [2·3H] (input bias, then recurrent bias) with resetAfter, else [3H]. */
export type GruWeights = RecurrentWeights;
export type { GruOptions };

/** Every variant `gru` may dispatch, by direction. */
export const GRU_KERNELS: { forward: readonly TunedVariant[]; backward: readonly TunedVariant[] } = {
  forward: [...GRU_RESET_AFTER_KERNELS.forward, ...GRU_RESET_BEFORE_KERNELS.forward],
  backward: [...GRU_RESET_AFTER_KERNELS.backward, ...GRU_RESET_BEFORE_KERNELS.backward],
};

export function gru(step: Step, x: Tensor | OneHotInput, w: GruWeights, opts: GruOptions): RecurrentOutput {
  return opts.resetAfter ? gruResetAfter(step, x, w, opts) : gruResetBefore(step, x, w, opts);
}
