/**
 * What a built model is, as data: shapes, weights, layers and the graph, and a batch as the GPU sees it.
 * Types only (and how a shape prints): what graph.ts makes, the layer rules read and run.ts runs, so that
 * none of them imports another for its types.
 */
import type { Layer } from './specs';

/** A shape without the batch dimension (Keras layout: [time, features] or [features]); null = any length. */
export type Shape = ReadonlyArray<number | null>;

export interface WeightShape {
  name: string;
  shape: number[];
}

export interface BuiltLayer {
  layer: Layer;
  name: string;
  /** The wrapped LSTM's name (Bidirectional only). */
  innerName?: string;
  inputShape: Shape;
  outputShape: Shape;
  weights: WeightShape[];
  /** A padding mask reaches this layer's output (Keras mask propagation). */
  masked: boolean;
}

export interface Graph {
  layers: BuiltLayer[];
  /** The model's input: token ids [time] for an embedding first layer, else floats. */
  input: { kind: 'ids' | 'floats'; shape: Shape };
  outputShape: Shape;
  /** The output is a sequence whose padded timesteps are masked (they take no part in the loss). */
  outputMasked: boolean;
}

/** A batch as the GPU sees it: token ids batch-major [B, T], or floats already time-major. */
export interface InputBatch {
  B: number;
  /** Sequence length (1 for a model whose input is [batch, features]). */
  T: number;
  ids?: Uint32Array;
  floats?: Float32Array;
  /** The floats' rows are one-hot (or zero): the index of each row's 1, time-major [T·B] (F for none). */
  oneHot?: Uint32Array;
}

export const formatShape = (s: Shape) => `[${['null', ...s.map((d) => (d === null ? 'null' : String(d)))].join(', ')}]`;
