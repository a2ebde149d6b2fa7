// PLACEHOLDER (being written): the op's kernels and encoders.
import type { Step } from '../engine/step';
import type { Tensor } from '../engine/tensor';
import type { TunedVariant } from '../kernels/variants';

import type { OneHotInput, RecurrentOptions, RecurrentOutput } from './recurrence';

export type SimpleRnnActivation = 'tanh' | 'relu' | 'sigmoid' | 'linear';
export interface SimpleRnnWeights { wx: Tensor; wh: Tensor; b: Tensor }
export interface SimpleRnnOptions extends RecurrentOptions { activation: SimpleRnnActivation }

export const SIMPLE_RNN_KERNELS: { forward: readonly TunedVariant[]; backward: readonly TunedVariant[] } = { forward: [], backward: [] };

export function simpleRnn(_step: Step, _x: Tensor | OneHotInput, _w: SimpleRnnWeights, _opts: SimpleRnnOptions): RecurrentOutput {
  throw new Error('simpleRnn: not written yet');
}
