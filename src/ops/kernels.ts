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
import { MERGE_KERNELS } from './merge';
import { DECODE_KERNELS } from './recurrent-decoder';
import type { RecurrentCell } from './recurrence';
import { scheduledVariant, type SequenceDevice } from './lstm-schedule';
import { GRU_KERNELS } from './gru';
import { GEMM_KERNELS } from './matmul';
import { HALF_WEIGHT_KERNELS } from './half-weights';
import { SIMPLE_RNN_KERNELS } from './simple-rnn';
import { POINTWISE_LOSS_KERNELS } from './pointwise-loss';
import { SAMPLE_KERNELS } from './sample';
import { SOFTMAX_XENT_KERNELS } from './softmax-xent';

export type OpName =
  | 'matmul' | 'add' | 'addBias' | 'embedding' | 'dropout' | 'dropoutMask' | 'softmaxXent' | 'reverseTime' | 'concat' | 'merge' | 'maskRows' | 'lstm'
  | 'activation' | 'pointwiseLoss' | 'sample' | 'lstmDecode';

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
  // A recurrent layer's recurrent-dropout mask, filled on the GPU for the cell kernels to read: a constant of the step.
  dropoutMask: { forward: E.dropoutMask, backward: [] },
  softmaxXent: SOFTMAX_XENT_KERNELS,
  reverseTime: { forward: E.reverseTime, backward: E.reverseTime },
  concat: { forward: E.copyStrided, backward: E.copyStrided },
  merge: MERGE_KERNELS,
  maskRows: { forward: E.maskRows, backward: E.maskRows },
  lstm: LSTM_KERNELS,
  activation: ACTIVATION_KERNELS,
  pointwiseLoss: POINTWISE_LOSS_KERNELS,
  // Generation's sampler: forward only (no gradient flows through a drawn token).
  sample: { forward: SAMPLE_KERNELS, backward: [] },
  lstmDecode: { forward: DECODE_KERNELS.lstm, backward: [] },
};

/** A recurrent cell other than the LSTM (whose kernels every engine compiles). */
export type ExtraCell = Exclude<RecurrentCell['kind'], 'lstm'>;

/**
 * The kernels each other cell adds — its op's, both directions, and its generation decode — compiled
 * when a model with that cell first runs (prepareCells, ops/create-engine.ts), not by every engine: each
 * whole-sequence pipeline takes seconds to compile on a software adapter, and most models have one cell.
 */
export const CELL_KERNELS: { readonly [C in ExtraCell]: readonly TunedVariant[] } = {
  gru: [...GRU_KERNELS.forward, ...GRU_KERNELS.backward, ...DECODE_KERNELS.gru],
  simpleRnn: [...SIMPLE_RNN_KERNELS.forward, ...SIMPLE_RNN_KERNELS.backward, ...DECODE_KERNELS.simpleRnn],
};

/**
 * Every kernel variant the ops and the optimizer use with this tuning (all of them without one) and,
 * given one, LSTM schedule (whole-sequence kernels only for the rows choices it may dispatch) on this
 * device (the subgroup forward only where it has the feature; see scheduledVariant).
 */
export function opKernels(tuning?: Tuning, schedule?: LstmSchedule, device?: SequenceDevice): TunedVariant[] {
  return scheduled(variantsFor([...Object.values(OP_KERNELS).flatMap((op) => [op.forward, op.backward]), OPTIMIZER_KERNELS], tuning), tuning, schedule, device);
}

/** The kernels `cells` add to an engine of this tuning and schedule (see CELL_KERNELS); all of them without either. */
export function cellKernels(cells: Iterable<RecurrentCell['kind']>, tuning?: Tuning, schedule?: LstmSchedule, device?: SequenceDevice): TunedVariant[] {
  const lists = [...new Set(cells)].filter((c): c is ExtraCell => c !== 'lstm').map((c) => CELL_KERNELS[c]);
  return scheduled(variantsFor(lists, tuning), tuning, schedule, device);
}

/** The kernels of inference with 16-bit recurrent weights (compiled on first use: prepareHalfWeights). */
export function halfWeightKernels(tuning?: Tuning, schedule?: LstmSchedule, device?: SequenceDevice): TunedVariant[] {
  return scheduled(variantsFor([HALF_WEIGHT_KERNELS], tuning), tuning, schedule, device);
}

/** Every kernel variant of every op and cell (the registry test: every shader is used). */
export function allKernels(): TunedVariant[] {
  return [...opKernels(), ...cellKernels(['gru', 'simpleRnn']), ...halfWeightKernels()];
}

/** Whole-sequence variants (the ones with a ROWS override) only as the schedule may dispatch them on this device. */
function scheduled(all: TunedVariant[], tuning?: Tuning, schedule?: LstmSchedule, device?: SequenceDevice): TunedVariant[] {
  if (!tuning || !schedule) return all;
  return all.filter((v) => scheduledVariant(v, tuning, schedule, device));
}
