/**
 * Generation with a trained language model (embedding → recurrent layers — LSTM, GRU, SimpleRNN, mixed
 * as the model has them — → dense softmax): the prompt runs through the recurrent layers one token at a
 * time with their state carried on the GPU, then each next token is sampled on the GPU and fed back as
 * the next input without leaving it. A chunk of tokens is one submit and one readback of the tokens
 * (never of a distribution), the next chunk already running while it is read. Same seed → the same
 * tokens on a device.
 */
import { subSlice } from '../engine/tensor';
import { cellOf, isRecurrentLayer } from '../layers/kinds/cells';
import { RecurrentDecoder } from '../ops/recurrent-decoder';
import { denseSample } from '../ops/sample';
import type { Sequential } from '../layers/sequential';
import type { RecurrentLayer } from '../layers/specs';

export interface GenerateOptions {
  /** Tokens to generate after the prompt. */
  length: number;
  /** Softmax temperature (default 1); 0 is greedy (argmax). */
  temperature?: number;
  /** Sample among the K most likely tokens only (default 0: all). */
  topK?: number;
  /** The random stream's seed (default 1). */
  seed?: number;
  /** Tokens per submit (default 64). */
  chunk?: number;
  /**
   * Fuse the last recurrent layer, the output layer and the sampler into one single-workgroup dispatch per
   * token — for a one-layer model, one dispatch per chunk (default true); false: separate dispatches per
   * token, each spread over several workgroups. The same tokens either way. On SwiftShader (which runs a
   * workgroup on one core, here with 32 lanes) the two trade places from run to run.
   */
  fuse?: boolean;
  /** Each chunk's new tokens as soon as they are read back (streaming). */
  onChunk?: (tokens: Uint32Array) => void | Promise<void>;
  signal?: AbortSignal;
}

/** The model's generation path: its embedding, recurrent layers (each with its cell) and output layer, or why it has none. */
function generationPath(model: Sequential) {
  const layers = model.graph.layers;
  const what = 'generation needs a model of embedding → recurrent layers (lstm, gru, simpleRNN; not goBackwards) → dense softmax (dropout layers may sit between)';
  const first = layers[0];
  const last = layers[layers.length - 1];
  if (first?.layer.className !== 'Embedding' || last?.layer.className !== 'Dense' || last.layer.activation !== 'softmax') throw new Error(what);
  const middle = layers.slice(1, -1).filter((b) => b.layer.className !== 'Dropout' && b.layer.className !== 'SpatialDropout1D');
  if (middle.length === 0 || middle.some((b) => !isRecurrentLayer(b.layer) || b.layer.goBackwards)) throw new Error(`${what}; found ${layers.map((b) => b.layer.className).join(' → ')}`);
  const recurrent = middle.map((b) => {
    const l = b.layer as RecurrentLayer;
    return { name: b.name, cell: cellOf(l).cell(l) };
  });
  return { embedding: first, recurrent, dense: last };
}

/**
 * `prompt` and `o.length` tokens after it. Ids below `firstToken` (the vocabulary's special ids: unknown)
 * may be in the prompt but are never drawn, greedy or sampled, in every kernel path.
 */
export async function generateTokens(model: Sequential, prompt: Uint32Array, o: GenerateOptions, firstToken = 0): Promise<Uint32Array> {
  await model.ready();
  const { embedding, recurrent, dense } = generationPath(model);
  const V = embedding.weights[0]!.shape[0]!;
  const U = dense.weights[1]!.shape[0]!;
  if (prompt.length === 0) throw new Error('generate: the prompt needs at least one token');
  for (const t of prompt) if (t >= V) throw new Error(`generate: prompt token ${t} is outside the vocabulary of ${V}`);
  if (!(Number.isInteger(o.length) && o.length >= 0)) throw new Error(`generate: length must be a non-negative integer, got ${o.length}`);
  const chunk = o.chunk ?? 64;
  if (!(Number.isInteger(chunk) && chunk >= 1)) throw new Error(`generate: chunk must be a positive integer, got ${chunk}`);
  if (!(Number.isInteger(firstToken) && firstToken >= 0 && firstToken < U)) throw new Error(`generate: firstToken must be in 0…${U - 1}, got ${firstToken}`);
  const temperature = o.temperature ?? 1;
  const fuse = o.fuse ?? true;
  const engine = model.engine;
  const params = model.params;
  const total = prompt.length + o.length;
  const tokens = engine.allocate(total, 'generated tokens');
  const logits = engine.allocate(Math.max(U, 1), 'generation logits');
  const decoders: RecurrentDecoder[] = [];
  const W = params.get(`${embedding.name}/embeddings`);
  const out = new Uint32Array(total);
  out.set(prompt);
  const denseW = { kernel: params.get(`${dense.name}/kernel`), bias: params.get(`${dense.name}/bias`) };
  let pending: { read: Promise<Float32Array>; from: number } | null = null;
  try {
    for (const r of recurrent) decoders.push(new RecurrentDecoder(engine, r.cell, { wx: params.get(`${r.name}/kernel`), wh: params.get(`${r.name}/recurrent_kernel`), b: params.get(`${r.name}/bias`) }, chunk));
    engine.write(tokens, Uint32Array.from({ length: total }, (_, i) => (i < prompt.length ? prompt[i]! : 0)));
    // Token p is the input of timestep p; the output at p is token p + 1 (sampled once past the prompt).
    // A one-layer model: one dispatch per chunk (the kernel loops over its timesteps). Deeper models:
    // per token, one fused dispatch per recurrent layer (two for a reset-before GRU below the last), the
    // last with the output layer and the sampler.
    // Two chunks in flight: chunk k + 1 is encoded and submitted before chunk k's tokens are read back
    // (it needs nothing from the host: its input token and state are already on the GPU), so the
    // readback's latency and the caller's onChunk overlap the next chunk's work.
    const drain = async () => {
      if (!pending) return;
      const { read, from } = pending;
      pending = null;
      const f = await read;
      const got = new Uint32Array(f.buffer, f.byteOffset, f.length);
      out.set(got, from);
      await o.onChunk?.(got);
    };
    // Once aborted, a chunk still in flight is dropped: the answer is exactly the prompt and what
    // onChunk was handed.
    const stopped = (end: number) => {
      const cut = pending ? pending.from : end;
      pending?.read.catch(() => {});
      pending = null;
      return out.slice(0, cut);
    };
    for (let start = 0; start < total - 1; start += chunk) {
      if (o.signal?.aborted) return stopped(start + 1);
      const n = Math.min(chunk, total - 1 - start);
      const step = engine.beginStep({ grad: false, label: 'generate' });
      let read: Promise<Float32Array> | null = null;
      const from = Math.max(start + 1, prompt.length);
      try {
        if (start === 0) for (const d of decoders) d.reset(step);
        const L = decoders.length;
        if (fuse && L === 1) {
          const draw = { outOffset: start + 1, seed: o.seed ?? 1, position: start + 1, temperature, topK: o.topK ?? 0, firstToken, drawFrom: prompt.length };
          decoders[0]!.advanceAndSample(step, { embedding: W, pos: start }, tokens, 0, denseW, logits, draw, n);
        } else {
          for (let i = 0; i < n; i++) {
            const p = start + i;
            const draw = p + 1 < prompt.length ? null : { outOffset: p + 1, seed: o.seed ?? 1, position: p + 1, temperature, topK: o.topK ?? 0, firstToken };
            if (fuse) {
              // Every layer but the last, then the last with the output layer and the draw: L dispatches.
              decoders[0]!.advanceFromToken(step, W, tokens, p, i);
              for (let l = 1; l < L - 1; l++) decoders[l]!.advanceFrom(step, decoders[l - 1]!, i);
              decoders[L - 1]!.advanceAndSample(step, { below: decoders[L - 2]! }, tokens, i, denseW, logits, draw);
              continue;
            }
            decoders[0]!.advanceFromToken(step, W, tokens, p, i);
            for (let l = 1; l < L; l++) decoders[l]!.advanceFrom(step, decoders[l - 1]!, i);
            if (draw) denseSample(step, denseW, decoders[L - 1]!.output(i), logits, tokens, draw);
          }
        }
        for (const d of decoders) d.carry(step, n);
        const to = start + n + 1;
        if (to > from) read = step.read(subSlice(tokens, from, to - from));
        step.submit();
      } catch (e) {
        step.abort();
        throw e;
      }
      await drain();
      if (read) pending = { read, from };
    }
    if (o.signal?.aborted) return stopped(total);
    await drain();
    return out;
  } finally {
    // A chunk still in flight when something threw: its read is of no use, and must not go unhandled.
    (pending as { read: Promise<Float32Array> } | null)?.read.catch(() => {});
    for (const d of decoders) d.release();
    for (const s of [tokens, logits]) engine.release(s);
  }
}
