/** The tape ops as the package exposes them (`import { ops } from 'webgpu-lstm'`). */
export { add, addBias, backpropFrom, concatFeatures, dropout, dropoutMask, reverseTime } from './elementwise';
export { embedding } from './embedding';
export { lstm } from './lstm';
export type { LstmOptions, LstmOutput, LstmWeights } from './lstm';
export { gemm, matmul } from './matmul';
export type { GemmArgs } from './matmul';
export { IGNORE_LABEL, softmaxXent } from './softmax-xent';
export type { XentResult } from './softmax-xent';
export { activation } from './activation';
export type { ElementwiseActivation } from './activation';
export { pointwiseLoss } from './pointwise-loss';
export type { PointwiseLoss, PointwiseLossResult } from './pointwise-loss';
export { sampleTokens } from './sample';
export type { SampleOptions } from './sample';
