/**
 * Keras Bidirectional's merge modes other than 'concat' (which is concatFeatures): the two directions'
 * outputs summed, multiplied or averaged element by element. One forward dispatch; the backward is one
 * dispatch per direction that needs a gradient (dA += dY·∂Y/∂A, reading B for 'mul').
 */
import { grid1d, type Step } from '../engine/step';
import type { Tensor } from '../engine/tensor';
import { kernel, type TunedVariant } from '../kernels/variants';

/** The element-wise merge modes (Keras's names). */
export type ElementwiseMerge = 'sum' | 'mul' | 'ave';
const MODE: Readonly<Record<ElementwiseMerge, number>> = { sum: 0, mul: 1, ave: 2 };

export const MERGE_KERNELS = { forward: [kernel('merge_directions')], backward: [kernel('merge_directions_backward')] } satisfies Record<string, readonly TunedVariant[]>;

/** Y = A + B, A ⊙ B or (A + B)/2, with their gradients. */
export function mergeDirections(step: Step, a: Tensor, b: Tensor, mode: ElementwiseMerge, name = 'merge'): Tensor {
  if (a.size !== b.size || a.shape.join() !== b.shape.join()) throw new Error(`${name}: "${a.name}" [${a.shape.join(', ')}] and "${b.name}" [${b.shape.join(', ')}] differ in shape`);
  if (!Object.hasOwn(MODE, mode)) throw new Error(`${name}: unknown merge mode ${JSON.stringify(mode)}`);
  const n = a.size;
  const out = step.output(a.shape, name, a.requiresGrad || b.requiresGrad);
  step.dispatch('merge_directions', {
    buffers: { A: a.data, B: b.data, Y: out.data },
    params: { n, mode: MODE[mode], offA: a.data.offset, offB: b.data.offset, offY: out.data.offset },
    workgroups: grid1d(n),
  });
  step.tape.record(name, () => {
    for (const [x, other] of [[a, b], [b, a]] as const) {
      if (!x.grad) continue;
      step.dispatch('merge_directions_backward', {
        buffers: { dY: out.grad!, Other: other.data, dX: x.grad },
        params: { n, mode: MODE[mode], offDY: out.grad!.offset, offOther: other.data.offset, offDX: x.grad.offset },
        workgroups: grid1d(n),
      });
    }
  });
  return out;
}
