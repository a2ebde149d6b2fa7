/** The tape ops as the package exposes them (`import { ops } from 'webgpu-lstm'`). */
export { add, addBias, backpropFrom, concatFeatures, dropout, dropoutMask, reverseTime } from './elementwise';
export { embedding } from './embedding';
export { lstm } from './lstm';
export type { LstmOptions, LstmOutput, LstmWeights } from './lstm';
export { gemm, matmul } from './matmul';
export type { GemmArgs } from './matmul';
export { softmaxXent } from './softmax-xent';
export type { XentResult } from './softmax-xent';
