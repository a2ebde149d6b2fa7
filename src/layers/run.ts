/**
 * A built model's forward pass on one step: each layer as the fused ops its rule maps it to (rules.ts), on
 * time-major tensors ([T, B, F] for sequences, [B, F] otherwise), the padding mask carried alongside.
 * Dropout masks are drawn on the GPU from the training step's key, each layer on its own streams.
 */
import type { Step } from '../engine/step';
import type { ParameterStore } from '../engine/parameters';
import { Tensor } from '../engine/tensor';
import { activation } from '../ops/activation';
import { addBias, dropout, maskRows } from '../ops/elementwise';
import { dropoutStream, type DropoutKey } from '../ops/dropout-key';
import { embedding } from '../ops/embedding';
import { matmul } from '../ops/matmul';
import { recurrentLayer } from '../nn/recurrent-layer';
import type { Graph, InputBatch } from './built';
import { tensorOf, type Flow, type ForwardContext, type FusedOps } from './layer-rule';
import { ruleOf } from './rules';

export type { InputBatch } from './built';

export interface ForwardResult {
  /** The last layer's output: its activation left out when `skipLastActivation`. */
  out: Tensor;
  /** Time-major [T·B] padding mask (1 real, 0 padding) or null. */
  mask: Uint32Array | null;
  /** The embedded input (embedding models), for saliency. */
  embedded: Tensor | null;
}

/** The fused ops the layer rules encode onto (layer-rule.ts: the rules import no GPU code themselves). */
const OPS: FusedOps = { embedding, dropout, recurrentLayer, matmul, addBias, activation, maskRows };

export function forward(
  step: Step,
  graph: Graph,
  params: ParameterStore,
  batch: InputBatch,
  opts: { training: boolean; dropoutKey?: DropoutKey; skipLastActivation: boolean; inspect?: ForwardContext['inspect']; tokenTables?: ForwardContext['tokenTables']; halfWeights?: ForwardContext['halfWeights'] },
): ForwardResult {
  const { B, T } = batch;
  let flow: Flow = { x: null, mask: null, embedded: null };
  if (graph.input.kind === 'ids') {
    // The first layer (the embedding) reads the ids.
    if (!batch.ids || batch.ids.length !== B * T) throw new Error(`forward: expected ${B}×${T} token ids`);
  } else {
    const features = graph.input.shape[graph.input.shape.length - 1] as number;
    const shape = graph.input.shape.length === 2 ? [T, B, features] : [B, features];
    if (!batch.floats || batch.floats.length !== T * B * features) throw new Error(`forward: expected ${T * B * features} input values`);
    // One-hot input straight into an LSTM without input dropout goes in as indices (no input GEMMs).
    const first = graph.layers[0]!.layer;
    flow.x = batch.oneHot && ruleOf(first).takesOneHot(first, opts.training) ? { shape: [T, B, features], ids: batch.oneHot } : new Tensor(shape, step.upload(batch.floats, 'input'), null, 'input');
  }
  if (opts.training && !opts.dropoutKey) throw new Error('forward: a training forward needs the step\'s dropout key');
  const key = opts.training ? opts.dropoutKey! : null;
  if (opts.training && opts.tokenTables) throw new Error('forward: token tables are for inference (a training forward needs the embedding\'s output)');
  if (opts.training && opts.halfWeights) throw new Error('forward: 16-bit recurrent weights are for inference (training updates the float32 weights)');
  const context = { step, params, batch, ops: OPS, training: opts.training, ...(opts.inspect ? { inspect: opts.inspect } : {}), ...(opts.tokenTables ? { tokenTables: opts.tokenTables } : {}), ...(opts.halfWeights ? { halfWeights: opts.halfWeights } : {}) };
  const last = graph.layers.length - 1;
  graph.layers.forEach((b, i) => {
    const dropoutOf = (sub: number, rate: number) => {
      if (!key) throw new Error(`layer "${b.name}": dropout masks are drawn only when training`);
      return { key, stream: dropoutStream(i, sub), rate };
    };
    flow = ruleOf(b.layer).forward(b, flow, { ...context, dropout: dropoutOf, skipActivation: i === last && opts.skipLastActivation });
  });
  return { out: tensorOf(flow), mask: flow.mask, embedded: flow.embedded };
}
