/**
 * webgpu-lstm: the public library entry (browsers and bundlers; in Node the package resolves to
 * node.ts, which adds Dawn and re-exports everything here). Every other module under src/ is internal:
 * its names and layout may change between versions.
 */

// The layers API: Keras-style sequential models on the fused engine.
export { Sequential, sequential } from './layers/sequential';
export { loadModel } from './load-model';
export type { LoadedModel, LoadModelOptions, ModelSource, TfjsModelArtifacts } from './load-model';
export type { ModelKind, SequentialManifest } from './layers/file';
/** @deprecated The manifest of every model file is now SequentialManifest (0.2's sentiment files are still read). */
export type { SequentialManifest as SavedManifest } from './layers/file';
export type { EvaluateResult, PredictionArray, PredictOptions, SequentialFitOptions, SequentialHistory, SequentialOptions } from './layers/sequential';
export type { WeightPrecision } from './layers/half-weights';
export type { InspectedLayer, Inspection } from './layers/inspect';
export { TextModel, withTokenizer } from './layers/text-model';
export type { TextModelOptions } from './layers/text-model';
export { CELL_NAMES, layers } from './layers/specs';
export type { Activation, BidirectionalArgs, CellName, DenseArgs, EmbeddingArgs, GruArgs, InputShape, Layer, LstmArgs, MaskingArgs, MergeMode, RateArgs, RnnActivation, SimpleRnnArgs, TimeDistributedArgs } from './layers/specs';
export type { CompileArgs, Compiled, LossName, MetricName, OptimizerConfig } from './layers/compile';
export type { ShapedArray, TensorLike } from './layers/data';
export type { BuiltLayer, Shape } from './layers/graph';

// Language models: next-token LSTMs on the layers API, generating on the GPU.
export { createLanguageModel, DEFAULT_LM, LanguageModel } from './lm/language-model';
export type { LanguageModelConfig, LmFitOptions } from './lm/language-model';
export type { GenerateOptions } from './lm/generate';
export { Vocabulary } from './lm/vocab';
export type { TokenLevel } from './lm/vocab';

// The sentiment model: the notebook's recipe on the fused engine.
export { createSentimentModel, getDefaultEngine, SentimentModel } from './sentiment/sentiment-model';
export type { Evaluation, FitOptions, ImportedTextOptions, SaliencyToken, TextInspection, UnitInfluence } from './sentiment/sentiment-model';
export { NOTEBOOK_RECIPE, validateModelConfig } from './sentiment/config';
export type { ModelConfig } from './sentiment/config';
export type { BatchEndInfo, EarlyStopping, EpochEndInfo, History } from './layers/fit-loop';
export type { TfjsArtifacts } from './layers/tfjs';

// Data: zip/CSV → columns → clean → Tokenizer → pad → split.
export { buildDataset, detectColumns, loadDataset } from './data/dataset';
export type { Dataset, DatasetInfo, DatasetOptions, LabelledTexts } from './data/dataset';
export { readTable } from './data/table';
export type { ReadOptions, Table } from './data/table';
export { DatasetError } from './data/errors';
export { ASCII_CLEANING, cleanText, DEFAULT_CLEANING } from './data/clean';
export type { CleaningConfig } from './data/clean';
export { KERAS_FILTERS, padSequences, Tokenizer } from './data/tokenizer';
export type { PadOptions, TokenizerConfig, TokenizerJSON } from './data/tokenizer';
export { epochBatches, splitDataset } from './data/split';
export type { SplitOptions, Splits } from './data/split';
export { builtinDatasetBytes, builtinDatasetUrl, loadBuiltinDataset } from './builtin';

// Metrics (scikit-learn's numbers and layout).
export { classificationReport, confusionMatrix, formatConfusion, formatReport } from './metrics/report';
export type { ClassificationReport, ClassScores } from './metrics/report';

// The engine, for advanced use: a device, one-submit steps, a tape, tensors, parameters, fused ops.
export { Engine } from './engine/engine';
export type { EngineOptions, Tuning } from './engine/engine';
export { Step } from './engine/step';
export type { DispatchArgs } from './engine/step';
export type { LstmSchedule, SequenceRows } from './kernels/variants';
export { createEngine } from './ops/create-engine';
export { Tensor } from './engine/tensor';
export type { Slice } from './engine/tensor';
export { ParameterStore } from './engine/parameters';
export type { AdamOptions, ParamSpec } from './engine/parameters';
export { acquireGpu } from './gpu/device';
export type { AcquireOptions, GpuContext, GpuError, GpuErrorKind } from './gpu/device';
export { GATE_ORDER } from './ops/lstm-layout';
export * as ops from './ops/public';
// Synthetic tasks: the essay's long-term dependency as data, and a race of the cells on it.
export * as tasks from './tasks/public';
