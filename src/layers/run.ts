/**
 * A built model's forward pass on one step: each layer as the fused ops it maps to, on time-major
 * tensors ([T, B, F] for sequences, [B, F] otherwise), the padding mask carried alongside. Dropout masks
 * are drawn from the model's dropout stream in layer order, only when training.
 */
import type { Step } from '../engine/engine';
import type { ParameterStore } from '../engine/parameters';
import { Tensor } from '../engine/tensor';
import { activation } from '../ops/activation';
import { addBias, dropout, dropoutMask } from '../ops/elementwise';
import { embedding } from '../ops/embedding';
import { matmul } from '../ops/matmul';
import { lstmLayer, type LstmDirection } from '../nn/lstm-layer';
import { isOneHot, type OneHotInput } from '../ops/lstm';
import type { BuiltLayer, Graph } from './graph';
import type { LstmLayer } from './specs';

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

export interface ForwardResult {
  /** The last layer's output: its activation left out when `skipLastActivation`. */
  out: Tensor;
  /** Time-major [T·B] padding mask (1 real, 0 padding) or null. */
  mask: Uint32Array | null;
  /** The embedded input (embedding models), for saliency. */
  embedded: Tensor | null;
}

function paddingMask(ids: Uint32Array, B: number, T: number): Uint32Array {
  const m = new Uint32Array(T * B);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) m[t * B + b] = ids[b * T + t] !== 0 ? 1 : 0;
  return m;
}

function lstmDirections(b: BuiltLayer, params: ParameterStore, inputShape: readonly number[], training: boolean, rng: () => number): LstmDirection[] {
  const l = b.layer;
  const lstm: LstmLayer = l.className === 'LSTM' ? l : (l as { layer: LstmLayer }).layer;
  const bidi = l.className === 'Bidirectional';
  const prefixes = bidi ? [`${b.name}/forward_${b.innerName}`, `${b.name}/backward_${b.innerName}`] : [b.name];
  const [, B, F] = inputShape as [number, number, number];
  // Masks in the order the sentiment network has always drawn them: every direction's input mask, then every recurrent mask.
  const inputMasks = prefixes.map(() => (training && lstm.dropout > 0 ? dropoutMask(rng, B * F, lstm.dropout) : null));
  const recurrentMasks = prefixes.map(() => (training && lstm.recurrentDropout > 0 ? dropoutMask(rng, B * lstm.units, lstm.recurrentDropout) : null));
  return prefixes.map((prefix, i) => ({
    prefix,
    weights: { wx: params.get(`${prefix}/kernel`), wh: params.get(`${prefix}/recurrent_kernel`), b: params.get(`${prefix}/bias`) },
    // Keras's Bidirectional: the backward copy runs opposite to the wrapped layer (go_backwards flipped).
    backward: bidi && i === 1 ? !lstm.goBackwards : lstm.goBackwards,
    inputMask: inputMasks[i]!,
    recurrentMask: recurrentMasks[i]!,
  }));
}

export function forward(
  step: Step,
  graph: Graph,
  params: ParameterStore,
  batch: InputBatch,
  opts: { training: boolean; dropoutRng: () => number; skipLastActivation: boolean },
): ForwardResult {
  const { B, T } = batch;
  // One-hot input straight into an LSTM without input dropout goes in as indices (no input GEMMs).
  let x: Tensor | OneHotInput;
  let mask: Uint32Array | null = null;
  let embedded: Tensor | null = null;
  if (graph.input.kind === 'ids') {
    if (!batch.ids || batch.ids.length !== B * T) throw new Error(`forward: expected ${B}×${T} token ids`);
    const first = graph.layers[0]!;
    const emb = first.layer as { maskZero: boolean };
    x = embedded = embedding(step, params.get(`${first.name}/embeddings`), batch.ids, B, T, { maskZero: emb.maskZero });
    if (emb.maskZero) mask = paddingMask(batch.ids, B, T);
  } else {
    const features = graph.input.shape[graph.input.shape.length - 1] as number;
    const shape = graph.input.shape.length === 2 ? [T, B, features] : [B, features];
    if (!batch.floats || batch.floats.length !== T * B * features) throw new Error(`forward: expected ${T * B * features} input values`);
    const first = graph.layers[0]!.layer;
    const lstm = first.className === 'LSTM' ? first : first.className === 'Bidirectional' ? first.layer : null;
    x = batch.oneHot && lstm && !(opts.training && lstm.dropout > 0) ? { shape: [T, B, features], ids: batch.oneHot } : new Tensor(shape, step.upload(batch.floats, 'input'), null, 'input');
  }
  const tensor = (): Tensor => {
    if (isOneHot(x)) throw new Error('forward: one-hot indices go only into an LSTM');
    return x;
  };
  const last = graph.layers.length - 1;
  graph.layers.forEach((b, i) => {
    const l = b.layer;
    switch (l.className) {
      case 'Embedding':
        break;
      case 'SpatialDropout1D':
        // One mask per (sequence, channel), shared by every timestep.
        if (opts.training && l.rate > 0) x = dropout(step, tensor(), dropoutMask(opts.dropoutRng, B * x.shape[2]!, l.rate), B, b.name);
        break;
      case 'Dropout':
        if (opts.training && l.rate > 0) {
          const t = tensor();
          x = dropout(step, t, dropoutMask(opts.dropoutRng, t.size, l.rate), t.size / t.shape[t.shape.length - 1]!, b.name);
        }
        break;
      case 'LSTM':
      case 'Bidirectional': {
        const returnSequences = l.className === 'LSTM' ? l.returnSequences : l.layer.returnSequences;
        x = lstmLayer(step, x, lstmDirections(b, params, x.shape, opts.training, opts.dropoutRng), { mask, returnSequences, name: b.name });
        if (!returnSequences) mask = null;
        break;
      }
      case 'Dense': {
        // On a sequence the same dense layer applies at every timestep: [T·B, F] rows.
        const t = tensor();
        const F = t.shape[t.shape.length - 1]!;
        const rows = t.reshape([t.size / F, F]);
        let y = addBias(step, matmul(step, rows, params.get(`${b.name}/kernel`), { name: b.name }), params.get(`${b.name}/bias`), `${b.name} output`);
        y = y.reshape([...t.shape.slice(0, -1), l.units]);
        const act = l.activation;
        if (act !== 'linear' && act !== 'softmax' && !(i === last && opts.skipLastActivation)) y = activation(step, y, act, `${b.name} ${act}`);
        if (act === 'softmax' && !(i === last && opts.skipLastActivation)) throw new Error(`layer "${b.name}": softmax runs fused with the loss or the prediction`);
        x = y;
        break;
      }
    }
  });
  return { out: tensor(), mask, embedded };
}
