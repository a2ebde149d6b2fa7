/**
 * The op table: every tape op with the kernel variants of its forward and its backward, in one typed
 * record (adding a name to `OpName` without its kernels is a compile error). The lists themselves live
 * beside the code that picks among them; `opKernels` is what an engine running these ops compiles up
 * front (see createEngine), so nothing compiles lazily inside a training step.
 *
 * The float64 references (src/reference) are deliberately not here: they are test code, and nothing a
 * production bundle imports may reach them.
 */
import { OPTIMIZER_KERNELS } from '../engine/parameters';
import { variantsFor, type LstmSchedule, type Tuning, type TunedVariant } from '../kernels/variants';
import { ACTIVATION_KERNELS } from './activation';
import { ELEMENTWISE_KERNELS as E } from './elementwise';
import { EMBEDDING_KERNELS } from './embedding';
import { LSTM_KERNELS } from './lstm';
import { RECURRENT_DECODE_KERNELS } from './recurrent-decoder';
import { scheduledRows } from './lstm-schedule';
import { GRU_KERNELS } from './gru';
import { GEMM_KERNELS } from './matmul';
import { SIMPLE_RNN_KERNELS } from './simple-rnn';
import { POINTWISE_LOSS_KERNELS } from './pointwise-loss';
import { SAMPLE_KERNELS } from './sample';
import { SOFTMAX_XENT_KERNELS } from './softmax-xent';

export type OpName =
  | 'matmul' | 'add' | 'addBias' | 'embedding' | 'dropout' | 'softmaxXent' | 'reverseTime' | 'concat' | 'maskRows' | 'lstm'
  | 'activation' | 'pointwiseLoss' | 'sample' | 'recurrentDecode' | 'gru' | 'simpleRnn';

export interface OpKernels {
  forward: readonly TunedVariant[];
  backward: readonly TunedVariant[];
}

export const OP_KERNELS: { readonly [P in OpName]: OpKernels } = {
  matmul: { forward: GEMM_KERNELS, backward: GEMM_KERNELS },
  add: { forward: E.add, backward: E.addScaled },
  addBias: { forward: [...E.copyStrided, ...E.addBias], backward: [...E.addScaled, ...E.columnSum] },
  embedding: EMBEDDING_KERNELS,
  // Dropout with a fixed mask is linear and self-adjoint: the backward is the same masked product.
  dropout: { forward: E.dropout, backward: E.dropout },
  softmaxXent: SOFTMAX_XENT_KERNELS,
  reverseTime: { forward: E.reverseTime, backward: E.reverseTime },
  concat: { forward: E.copyStrided, backward: E.copyStrided },
  maskRows: { forward: E.maskRows, backward: E.maskRows },
  lstm: LSTM_KERNELS,
  activation: ACTIVATION_KERNELS,
  pointwiseLoss: POINTWISE_LOSS_KERNELS,
  // Generation's sampler: forward only (no gradient flows through a drawn token).
  sample: { forward: SAMPLE_KERNELS, backward: [] },
  recurrentDecode: { forward: RECURRENT_DECODE_KERNELS, backward: [] },
  gru: GRU_KERNELS,
  simpleRnn: SIMPLE_RNN_KERNELS,
};

/**
 * Every kernel variant the ops and the optimizer use with this tuning (all of them without one) and,
 * given one, LSTM schedule (whole-sequence kernels only for the rows choices it may dispatch).
 */
export function opKernels(tuning?: Tuning, schedule?: LstmSchedule): TunedVariant[] {
  const all = variantsFor([...Object.values(OP_KERNELS).flatMap((op) => [op.forward, op.backward]), OPTIMIZER_KERNELS], tuning);
  if (!tuning || !schedule) return all;
  const rows: number[] = scheduledRows(schedule, tuning);
  // Every cell's whole-sequence variants are the ones with a ROWS override.
  return all.filter((v) => v.overrides?.ROWS === undefined || rows.includes(Number(v.overrides.ROWS)));
}
