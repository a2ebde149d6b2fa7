// PLACEHOLDER (being written): the op's kernels and encoders.
import type { Step } from '../engine/step';
import type { Tensor } from '../engine/tensor';
import type { TunedVariant } from '../kernels/variants';
import type { GruOptions, GruWeights } from './gru';
import type { OneHotInput, RecurrentOutput } from './recurrence';


export const GRU_RESET_AFTER_KERNELS: { forward: readonly TunedVariant[]; backward: readonly TunedVariant[] } = { forward: [], backward: [] };

export function gruResetAfter(_step: Step, _x: Tensor | OneHotInput, _w: GruWeights, _opts: GruOptions): RecurrentOutput {
  throw new Error('gruResetAfter: not written yet');
}
