/**
 * Export to the TF.js Layers format: `model.json` (a Keras Sequential topology plus a weights manifest)
 * and one `weights.bin`, with Keras layer names and weight order, so `tf.loadLayersModel` loads it and
 * predicts the same probabilities for the same padded inputs. The packed weights are already in Keras's
 * layout (gate order i, f, c, o), so export is a renaming and a copy.
 */
import { lstmStackNames, type LstmStackConfig } from '../nn/lstm-stack';
import type { ModelConfig } from './config';
import { lstmConfig, tfjsArtifacts, type TfjsArtifacts } from '../layers/tfjs';

export type { TfjsArtifacts };

export interface ExportInput
  extends Pick<ModelConfig, 'vocabSize' | 'embedDim' | 'units' | 'layers' | 'bidirectional' | 'goBackwards' | 'spatialDropout' | 'dropout' | 'recurrentDropout' | 'maskZero'> {
  maxLen: number;
  numClasses: number;
  weights: Map<string, Float32Array>;
  shapes: Map<string, number[]>;
}

/** Our parameter name → the name TF.js gives the same weight. */
export function tfjsWeightName(ourName: string, bidirectional: boolean): string {
  if (!bidirectional) return ourName;
  // ours: lstm[_l]/{forward,backward}/kernel → tfjs: bidirectional[_l]/{forward,backward}_lstm[_l]/kernel
  const m = /^(lstm(?:_(\d+))?)\/(forward|backward)\/(.+)$/.exec(ourName);
  if (!m) return ourName;
  const l = m[2] ? `_${m[2]}` : '';
  return `bidirectional${l}/${m[3]}_${m[1]}/${m[4]}`;
}

export function exportTfjs(x: ExportInput): TfjsArtifacts {
  const stack: LstmStackConfig = { inputDim: x.embedDim, units: x.units, layers: x.layers, bidirectional: x.bidirectional };
  const layers: unknown[] = [
    {
      class_name: 'Embedding',
      config: { name: 'embedding', trainable: true, input_dim: x.vocabSize, output_dim: x.embedDim, mask_zero: x.maskZero, input_length: x.maxLen, batch_input_shape: [null, x.maxLen], dtype: 'float32' },
    },
  ];
  if (x.spatialDropout > 0) layers.push({ class_name: 'SpatialDropout1D', config: { name: 'spatial_dropout1d', trainable: true, rate: x.spatialDropout } });
  for (let l = 0; l < x.layers; l++) {
    const lstmName = l === 0 ? 'lstm' : `lstm_${l}`;
    const lstm = {
      class_name: 'LSTM',
      config: lstmConfig(lstmName, {
        units: x.units,
        returnSequences: l < x.layers - 1,
        goBackwards: !x.bidirectional && x.goBackwards,
        dropout: x.dropout,
        recurrentDropout: x.recurrentDropout,
      }),
    };
    layers.push(
      x.bidirectional
        ? { class_name: 'Bidirectional', config: { name: l === 0 ? 'bidirectional' : `bidirectional_${l}`, trainable: true, merge_mode: 'concat', layer: lstm } }
        : lstm,
    );
  }
  layers.push({ class_name: 'Dense', config: { name: 'dense', trainable: true, units: x.numClasses, activation: 'softmax', use_bias: true } });

  const order = [
    'embedding/embeddings',
    ...lstmStackNames(stack).flatMap((d) => ['kernel', 'recurrent_kernel', 'bias'].map((w) => `${d.prefix}/${w}`)),
    'dense/kernel',
    'dense/bias',
  ];
  const weights = order.map((name) => {
    const values = x.weights.get(name);
    if (!values) throw new Error(`export: missing weight "${name}"`);
    return { name: tfjsWeightName(name, x.bidirectional), shape: x.shapes.get(name)!, values };
  });
  return tfjsArtifacts('sentiment', layers, weights);
}
