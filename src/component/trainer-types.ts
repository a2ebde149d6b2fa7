/**
 * The shapes the trainer controller, the element, its Worker and the model shelf share. A trainer is
 * what <lstm-trainer> renders (TrainerView: plain data, so a Worker can send it) and drives
 * (TrainerActions); TrainerController implements both in one thread, RemoteTrainer forwards them to a
 * controller in a Worker.
 */
import type { DatasetInfo, DatasetOptions } from '../data/dataset';
import type { KerasParts } from '../layers/keras';
import type { ClassificationReport } from '../metrics/report';
import type { ModelConfig } from '../sentiment/config';
import type { SaliencyToken, UnitInfluence } from '../sentiment/sentiment-model';
import type { InspectedLayer } from '../layers/inspect';
import type { BatchEndInfo, EpochEndInfo } from '../layers/fit-loop';

export type EpochPoint = Pick<EpochEndInfo, 'epoch' | 'loss' | 'accuracy' | 'valLoss' | 'valAccuracy'>;

/** Training progress, with epochs counted across Stop/Resume. */
export type Progress = BatchEndInfo;

export interface TrainSettings {
  epochs: number;
  batchSize: number;
  config: Partial<ModelConfig>;
  bucketing: boolean;
  /**
   * Early stopping on the validation split (Keras EarlyStopping with restore_best_weights): stop after
   * this many epochs without a lower validation loss and keep the best epoch's weights; 0: train every
   * epoch and keep the last.
   */
  patience: number;
}

/** A file the user chose, as plain data a Worker can take (its bytes are transferred). */
export interface ModelFile {
  name: string;
  bytes: Uint8Array;
}

/** What the list of saved models shows. */
export interface SavedModelInfo {
  id: string;
  name: string;
  /** ISO time of the last save. */
  savedAt: string;
  /** The dataset it was trained on (file name or URL's last part): resuming needs the same one loaded. */
  dataset: string;
  /** Completed epochs and the planned total. */
  epoch: number;
  epochs: number;
  /** Validation accuracy of the last completed epoch, and test accuracy once training finished. */
  valAccuracy: number | null;
  testAccuracy: number | null;
  finished: boolean;
}

export type TrainerStatus = 'starting' | 'no-webgpu' | 'idle' | 'training' | 'stopped' | 'trained' | 'device-lost';

export interface Misclassified {
  text: string;
  label: string;
  predicted: string;
  confidence: number;
}

export interface Prediction {
  text: string;
  probabilities: number[];
  tokens: SaliencyToken[];
}

/**
 * Inside the model for one sentence (TrainerActions.inspect): what each recurrent layer (and direction)
 * computed at every timestep, as plain data a Worker can send (typed arrays, no GPU objects).
 */
export interface ModelInside {
  text: string;
  /** Each word of the cleaned text, its token id (null: out of the vocabulary) and its timestep (null: not in the sequence). */
  tokens: Array<{ word: string; id: number | null; step: number | null }>;
  probabilities: number[];
  predicted: number;
  label: string;
  /** Timesteps of the sequence (padding included). */
  timesteps: number;
  /** Per recurrent layer and direction, the one sentence's values: `values[name]` is timestep-major [T·units]. */
  layers: Array<Pick<InspectedLayer, 'layer' | 'cell' | 'direction' | 'units' | 'names'> & { values: Record<string, Float32Array>; masked: boolean[] }>;
  /** The top recurrent layer's units, strongest push toward the predicted class first. */
  influence: UnitInfluence[];
}

/** The test split's results as the element shows them. */
export interface EvaluationView {
  loss: number;
  accuracy: number;
  report: ClassificationReport;
}

/** Everything the element renders. */
export interface TrainerView {
  status: TrainerStatus;
  gpuDescription: string;
  /** The last error, shown until the next action or dismissed. */
  error: string | null;
  datasetInfo: DatasetInfo | null;
  datasetSource: string;
  busy: boolean;
  progress: Progress | null;
  epochs: EpochPoint[];
  /** Running training loss per batch, for the live curve. */
  batchLosses: number[];
  evaluation: EvaluationView | null;
  /** The epoch whose weights were kept (chosen on validation loss), or null when every epoch ran and the last was kept. */
  keptEpoch: number | null;
  misclassified: Misclassified[];
  prediction: Prediction | null;
  /** The class names of a model that can predict (trained or loaded); null: none yet. */
  modelLabels: string[] | null;
  /** Models kept in this browser (newest first; empty without a shelf). */
  saved: SavedModelInfo[];
  /** Why the last save to, or read from, the browser's storage failed (shown; training goes on). */
  storageError: string | null;
  /** A zip with several CSVs waits for the user to pick one of these (chooseCsv). */
  csvChoices: string[] | null;
  gpuBytes: number;
}

/** Everything the element asks of the trainer. */
export interface TrainerActions {
  loadUrl(url: string, opts?: DatasetOptions): Promise<boolean>;
  /** A dataset file: its bytes, or a Blob (a File) that is read piece by piece. */
  loadBytes(source: Uint8Array | Blob, name: string, opts?: DatasetOptions): Promise<boolean>;
  /** Read the CSV picked from a zip that held several. */
  chooseCsv(csvName: string): Promise<boolean>;
  /** Re-read the current table with other columns or label filters. */
  reconfigure(opts: DatasetOptions): Promise<boolean>;
  train(settings: TrainSettings): Promise<void>;
  resume(): Promise<void>;
  stop(): void;
  dismissError(): void;
  resumeSaved(id: string, epochs: number): Promise<void>;
  useSaved(id: string): Promise<boolean>;
  deleteSaved(id: string): Promise<void>;
  savedBytes(id: string): Promise<Uint8Array | null>;
  predict(text: string): Promise<void>;
  /** Every gate and state of the recurrent layers for a sentence; null without a model, while training, or when a newer call superseded it. */
  inspect(text: string): Promise<ModelInside | null>;
  /** A model file of this library (a sentiment model's .zip). */
  loadModel(bytes: Uint8Array): Promise<boolean>;
  /**
   * The files a user chose to load a model from: a .zip of this library; a Keras `.keras` or `.h5`, or a
   * TF.js model.json with its .bin shards, each with the Keras tokenizer JSON (`tokenizer.to_json()`) the
   * text classifier was trained with among them.
   */
  loadModelFiles(files: ModelFile[]): Promise<boolean>;
  saveModel(): Promise<Uint8Array | null>;
  exportTfjs(): Promise<{ modelJson: string; weightsBin: Uint8Array } | null>;
  exportKeras(): Promise<Uint8Array | null>;
  /** What exportKeras writes, as plain data (a Worker sends this; the page writes the archive). */
  kerasParts(): Promise<KerasParts | null>;
  exportEmbeddingProjector(): Promise<{ vectorsTsv: string; metadataTsv: string } | null>;
  /** The model's weights by name (e.g. to compare two runs); null without a model. */
  weights(): Promise<Map<string, Float32Array> | null>;
}

export type Trainer = TrainerView & TrainerActions;

/** Where a trainer reports what happened (the element turns these into DOM events). */
export interface TrainerEvents {
  datasetLoaded(info: DatasetInfo): void;
  epochEnd(p: EpochPoint): void;
  trainEnd(e: EvaluationView): void;
  error(message: string): void;
}
