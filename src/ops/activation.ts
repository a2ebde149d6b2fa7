/**
 * Elementwise activations of dense layers (sigmoid, tanh, relu) as one tape op: one dispatch forward,
 * one backward that reads the output (every slope here is a function of y = act(x)).
 */
import { grid1d, type Step } from '../engine/step';
import { type Tensor } from '../engine/tensor';
import { kernel } from '../kernels/variants';

/** The activations with a kernel, by the code their shaders switch on (shaders/lib/activations.wgsl). */
export const ACTIVATION_CODES = { sigmoid: 0, tanh: 1, relu: 2 } as const;
export type ElementwiseActivation = keyof typeof ACTIVATION_CODES;

const codes = Object.values(ACTIVATION_CODES);
export const ACTIVATION_KERNELS = {
  forward: codes.map((ACT) => kernel('activation', undefined, { ACT })),
  backward: codes.map((ACT) => kernel('activation_backward', undefined, { ACT })),
};

/** Y = act(X); dX += dY ⊙ act′ (from Y). */
export function activation(step: Step, x: Tensor, act: ElementwiseActivation, name: string = act): Tensor {
  const ACT = ACTIVATION_CODES[act];
  if (ACT === undefined) throw new Error(`activation: unknown activation "${act}" (known: ${Object.keys(ACTIVATION_CODES).join(', ')})`);
  const out = step.output(x.shape, name, x.requiresGrad);
  step.dispatch('activation', {
    overrides: { ACT },
    buffers: { X: x.data, Y: out.data },
    params: { n: x.size, offX: x.data.offset, offY: out.data.offset },
    workgroups: grid1d(x.size),
  });
  step.tape.record(name, () => {
    if (!x.grad) return;
    step.dispatch('activation_backward', {
      overrides: { ACT },
      buffers: { Y: out.data, dY: out.grad!, dX: x.grad },
      params: { n: x.size, offY: out.data.offset, offDY: out.grad!.offset, offDX: x.grad.offset },
      workgroups: grid1d(x.size),
    });
  });
  return out;
}
