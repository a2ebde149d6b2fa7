/**
 * Sampling on the GPU (generation): one token per row of logits, Gumbel-max with a counter-based random
 * stream (shaders/sample_tokens.wgsl), written into a u32 buffer the next step reads, so a chunk of
 * generated tokens costs one submit and one readback. Not a tape op: no gradient.
 */
import type { Step } from '../engine/step';
import type { Slice, Tensor } from '../engine/tensor';
import { kernel } from '../kernels/variants';

/** 'gpu': a workgroup per row; 'cpu': one invocation per row (see the shaders). */
export const SAMPLE_KERNELS = [kernel('sample_tokens', 'gpu'), kernel('sample_tokens_serial', 'cpu'), kernel('dense_sample')];

export interface SampleOptions {
  /** Rows of logits to sample (one token each); row r uses stream position `position + r`. */
  rows: number;
  V: number;
  /** Row stride of the logits (default V). */
  ldZ?: number;
  /** Where token r goes: out[outOffset + r]. */
  outOffset: number;
  seed: number;
  position: number;
  /** 0: greedy (argmax). */
  temperature: number;
  /** Sample among the K most likely tokens only; 0: all. */
  topK?: number;
  /** Ids below this are never drawn (a vocabulary's special ids: unknown, padding); default 0. */
  firstToken?: number;
}

/** The draw settings checked, as the shaders' uniforms take them. */
export function drawParams(V: number, o: { seed: number; position: number; temperature: number; topK?: number; firstToken?: number }) {
  if (!(o.temperature >= 0)) throw new Error(`temperature must be ≥ 0, got ${o.temperature}`);
  const topK = o.topK ?? 0;
  if (!(Number.isInteger(topK) && topK >= 0)) throw new Error(`topK must be a non-negative integer, got ${topK}`);
  const firstToken = o.firstToken ?? 0;
  if (!(Number.isInteger(firstToken) && firstToken >= 0 && firstToken < V)) throw new Error(`firstToken must be an integer in 0…${V - 1} (some token must be allowed), got ${firstToken}`);
  return { seed: o.seed >>> 0, position: o.position >>> 0, temperature: o.temperature, topK, firstToken };
}

export function sampleTokens(step: Step, logits: Slice, out: Slice, o: SampleOptions): void {
  const draw = drawParams(o.V, o);
  const ldZ = o.ldZ ?? o.V;
  if (logits.length < (o.rows - 1) * ldZ + o.V) throw new Error(`sampleTokens: ${logits.length} logits for ${o.rows} rows of ${o.V}`);
  if (out.offset + o.outOffset + o.rows > out.offset + out.length) throw new Error(`sampleTokens: the output holds ${out.length} tokens`);
  const params = { V: o.V, offZ: logits.offset, ldZ, offOut: out.offset + o.outOffset, ...draw };
  if (step.engine.tuning === 'gpu') step.dispatch('sample_tokens', { buffers: { Z: logits, tokens: out }, params, workgroups: [o.rows, 1, 1] });
  else step.dispatch('sample_tokens_serial', { buffers: { Z: logits, tokens: out }, params: { ...params, rows: o.rows }, workgroups: [Math.ceil(o.rows / 64), 1, 1] });
}

/**
 * Generation's output step in one dispatch (shaders/dense_sample.wgsl): the logits of a dense layer
 * (Wd [H, V], bd [V], both in the parameter arena) for one h, then one token sampled from them as
 * sampleTokens would, written to tokens[outOffset]. `logits` (V values) is scratch.
 */
export function denseSample(
  step: Step,
  w: { kernel: Tensor; bias: Tensor },
  h: Slice,
  logits: Slice,
  tokens: Slice,
  o: { outOffset: number; seed: number; position: number; temperature: number; topK?: number; firstToken?: number },
): void {
  const [H, V] = w.kernel.shape as [number, number];
  if (w.kernel.data.buffer !== w.bias.data.buffer) throw new Error('denseSample: the weights must live in one parameter arena');
  if (h.length !== H || logits.length < V) throw new Error(`denseSample: h has ${h.length} values for a [${H}, ${V}] layer`);
  const draw = drawParams(V, o);
  step.dispatch('dense_sample', {
    buffers: { theta: w.kernel.data.buffer, hs: h, logits, tokens },
    params: {
      V, H, offH: h.offset, offWd: w.kernel.data.offset, offBd: w.bias.data.offset, offOut: tokens.offset + o.outOffset, ...draw,
    },
    workgroups: [1, 1, 1],
  });
}
