/** The shapes the trainer controller, the element and the model shelf share. */
import type { ModelConfig } from '../model/config';
import type { BatchEndInfo, EpochEndInfo } from '../training/fit';

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

