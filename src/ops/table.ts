/**
 * The op table: every tape op with its forward kernels, backward kernels and float64 reference, in one
 * typed record. Adding a name to `OpName` without filling in every piece is a compile error, and the
 * engine prepares exactly the kernels listed here (plus the optimizer's), so nothing compiles lazily.
 */
import { type OverrideValues } from '../kernels/registry';
import * as ref from '../reference/reference';
import type { Tuning } from '../engine/engine';

export type OpName = 'matmul' | 'add' | 'addBias' | 'embedding' | 'dropout' | 'softmaxXent' | 'reverseTime' | 'concat' | 'lstm';

export interface KernelVariant {
  shader: string;
  overrides?: OverrideValues;
  /** Used only by engines of this tuning (see EngineOptions.tuning); others never compile it. */
  only?: Tuning;
}

export interface OpEntry {
  forward: readonly KernelVariant[];
  backward: readonly KernelVariant[];
  reference: { forward: (...args: never[]) => unknown; backward: (...args: never[]) => unknown };
}

const k = (shader: string, only?: Tuning): KernelVariant => (only ? { shader, only } : { shader });
const bools = [false, true];
// This module imports no op implementation (the engine imports it to prepare pipelines), so the
// variant lists live here rather than beside the ops.
const transposes = (shader: string, only: Tuning) => bools.flatMap((ta) => bools.map((tb) => ({ shader, only, overrides: { TRANS_A: ta, TRANS_B: tb } })));
const GEMM_VARIANTS: KernelVariant[] = [
  ...transposes('matmul', 'cpu'),
  ...bools.map((ta) => ({ shader: 'matmul_vec4', only: 'cpu' as const, overrides: { TRANS_A: ta } })),
  { shader: 'matmul_nt_vec4', only: 'cpu' },
  ...[1, 4].flatMap((block) => transposes('matmul_tiled', 'gpu').map((v) => ({ ...v, overrides: { ...v.overrides, BLOCK: block } }))),
];
const lstmStep = (shader: string, only: Tuning) => bools.map((m) => ({ shader, only, overrides: { USE_RECURRENT_MASK: m } }));

export const OPS: { readonly [P in OpName]: OpEntry } = {
  matmul: { forward: GEMM_VARIANTS, backward: GEMM_VARIANTS, reference: { forward: ref.matmulRef, backward: ref.matmulBackwardRef } },
  add: { forward: [k('add')], backward: [k('add_scaled')], reference: { forward: ref.addRef, backward: ref.addRef } },
  addBias: {
    forward: [k('copy_strided'), k('add_bias')],
    backward: [k('add_scaled'), k('column_sum', 'cpu'), k('column_sum_wide', 'gpu')],
    reference: { forward: ref.addBiasRef, backward: ref.addBiasBackwardRef },
  },
  embedding: { forward: [k('embedding_gather')], backward: [k('embedding_backward')], reference: { forward: ref.embeddingRef, backward: ref.embeddingBackwardRef } },
  // Dropout with a fixed mask is linear and self-adjoint: the backward is the same masked product.
  dropout: { forward: [k('dropout')], backward: [k('dropout')], reference: { forward: ref.spatialDropoutRef, backward: ref.spatialDropoutRef } },
  softmaxXent: { forward: [k('softmax_xent')], backward: [k('softmax_xent_backward')], reference: { forward: ref.softmaxXentRef, backward: ref.softmaxXentRef } },
  reverseTime: { forward: [k('reverse_time')], backward: [k('reverse_time')], reference: { forward: ref.reverseTimeRef, backward: ref.reverseTimeRef } },
  concat: { forward: [k('copy_strided')], backward: [k('copy_strided')], reference: { forward: ref.concatRef, backward: ref.concatBackwardRef } },
  lstm: {
    forward: [...GEMM_VARIANTS, k('add_bias'), ...lstmStep('lstm_forward_step', 'cpu'), ...lstmStep('lstm_forward_step_vec4', 'cpu'), ...lstmStep('lstm_forward_step_wide', 'gpu')],
    backward: [...GEMM_VARIANTS, k('column_sum', 'cpu'), k('column_sum_wide', 'gpu'), k('dropout'), ...lstmStep('lstm_backward_step', 'cpu'), ...lstmStep('lstm_backward_step_vec4', 'cpu'), ...lstmStep('lstm_backward_step_wide', 'gpu')],
    reference: { forward: ref.lstmForwardRef, backward: ref.lstmBackwardRef },
  },
};

/** The optimizer's kernels (not a tape op: it runs after the backward). */
export const OPTIMIZER_KERNELS: readonly KernelVariant[] = [k('grad_norm_partial'), k('grad_clip_scale'), k('adam')];

/** Every kernel variant an engine of this tuning uses (all of them without one), deduplicated. */
export function allKernelVariants(tuning?: Tuning): KernelVariant[] {
  const seen = new Map<string, KernelVariant>();
  const add = (v: KernelVariant) => {
    if (!tuning || !v.only || v.only === tuning) seen.set(`${v.shader}${JSON.stringify(v.overrides ?? {})}`, v);
  };
  for (const op of Object.values(OPS)) [...op.forward, ...op.backward].forEach(add);
  OPTIMIZER_KERNELS.forEach(add);
  return [...seen.values()];
}
