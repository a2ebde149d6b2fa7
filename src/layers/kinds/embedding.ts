/** Embedding: token ids [time] → vectors [time, outputDim]; with maskZero, id 0 is padding and a mask flows on. */
import { kerasLayer, outputBuffer, plainKerasVars, summaryRow, withName, type LayerRule } from '../layer-rule';
import { layers, type EmbeddingArgs } from '../specs';

/** 1 for a real token, 0 for padding, time-major [T·B] from batch-major ids [B, T]. */
function paddingMask(ids: Uint32Array, B: number, T: number): Uint32Array {
  const m = new Uint32Array(T * B);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) m[t * B + b] = ids[b * T + t] !== 0 ? 1 : 0;
  return m;
}

export const EMBEDDING: LayerRule<'Embedding'> = {
  snake: 'embedding',
  readsTokenIds: true,
  revive: (args) => layers.embedding(args as unknown as EmbeddingArgs),
  names: (l) => [l.name],
  named: withName,

  build: (l, c) => ({ outputShape: [c.input[0]!, l.outputDim], weights: [{ name: `${c.name}/embeddings`, shape: [l.inputDim, l.outputDim] }], masked: l.maskZero }),
  // Keras Embedding: uniform(−0.05, 0.05).
  init: (b, rng) => [{ ...b.weights[0]!, init: Float32Array.from({ length: b.layer.inputDim * b.layer.outputDim }, () => (rng() * 2 - 1) * 0.05) }],
  activation: () => 'linear',

  takesOneHot: () => false,
  forward: (b, flow, c) => {
    const { ids, B, T } = c.batch as { ids: Uint32Array; B: number; T: number };
    const x = c.ops.embedding(c.step, c.params.get(`${b.name}/embeddings`), ids, B, T, { maskZero: b.layer.maskZero });
    const out = { x, embedded: x, mask: b.layer.maskZero ? paddingMask(ids, B, T) : flow.mask };
    return c.tokenTables ? { ...out, tokens: { ids, source: x } } : out;
  },
  perSequence: (b, T) => [outputBuffer(b, T)],

  keras: {
    toConfig: (b) => kerasLayer('Embedding', { name: b.name, trainable: true, dtype: 'float32', input_dim: b.layer.inputDim, output_dim: b.layer.outputDim, mask_zero: b.layer.maskZero }, b.inputShape),
    vars: plainKerasVars,
    fromConfig: (c) => layers.embedding({ ...c.name(), inputDim: c.value('input_dim'), outputDim: c.value('output_dim'), maskZero: c.bool('mask_zero', false) }),
  },
  tfjs: {
    // The embedding comes first: its input is the model's ([time], time null for any length).
    toConfig: (b) => ({ class_name: 'Embedding', config: { name: b.name, trainable: true, input_dim: b.layer.inputDim, output_dim: b.layer.outputDim, mask_zero: b.layer.maskZero, ...(b.inputShape[0] !== null ? { input_length: b.inputShape[0] } : {}) } }),
    fromConfig: (c) => {
      const length = c.value<number | null>('input_length', null);
      return layers.embedding({ ...c.name(), inputDim: c.value('input_dim'), outputDim: c.value('output_dim'), maskZero: c.bool('mask_zero', false), ...(length !== null ? { inputShape: [length] } : {}) });
    },
  },
  summaryRow,
};
