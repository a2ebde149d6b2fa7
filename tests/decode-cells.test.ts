/**
 * Generation's decoders for every recurrent cell (src/ops/recurrent-decoder.ts): GRU (reset after and
 * reset before), SimpleRNN (each activation) and, in mixed stacks, the LSTM. Models are built with the
 * layers API and given random weights directly (nothing here trains or runs the training forward), then
 * the decoder's h at every timestep of every layer is compared with the float64 references
 * (src/reference/cells.ts, reference.ts) on the same tokens: unfused (a step kernel per layer and
 * timestep), fused (the last layer in the single-workgroup sample kernel; a one-layer model's whole chunk
 * in one dispatch) and across chunks (the state carried), on cpu- and gpu-tuned engines (whose sample
 * kernels differ in workgroup size). Greedy generation is checked token by token against the reference's
 * logits, and sampled generation is the same fused or not.
 */
import { describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine/engine';
import { subSlice } from '../src/engine/tensor';
import { sequential, type Sequential } from '../src/layers/sequential';
import { layers, type Layer } from '../src/layers/specs';
import { generateTokens } from '../src/lm/generate';
import { createLanguageModel } from '../src/lm/language-model';
import type { RecurrentCell } from '../src/nn/recurrent-layer';
import { RecurrentDecoder } from '../src/ops/recurrent-decoder';
import { gruForwardRef, simpleRnnForwardRef, type F64 } from '../src/reference/cells';
import { lstmForwardRef } from '../src/reference/reference';
import { expectClose, randomArray, getCellEngine, rng } from './helpers/gpu';

type CellName = 'gruAfter' | 'gruBefore' | 'rnnTanh' | 'rnnRelu' | 'rnnSigmoid' | 'rnnLinear' | 'lstm';

const CELLS: Record<CellName, { cell: RecurrentCell; layer: (units: number) => Layer }> = {
  gruAfter: { cell: { kind: 'gru', resetAfter: true }, layer: (units) => layers.gru({ units, returnSequences: true }) },
  gruBefore: { cell: { kind: 'gru', resetAfter: false }, layer: (units) => layers.gru({ units, returnSequences: true, resetAfter: false }) },
  rnnTanh: { cell: { kind: 'simpleRnn', activation: 'tanh' }, layer: (units) => layers.simpleRNN({ units, returnSequences: true }) },
  rnnRelu: { cell: { kind: 'simpleRnn', activation: 'relu' }, layer: (units) => layers.simpleRNN({ units, returnSequences: true, activation: 'relu' }) },
  rnnSigmoid: { cell: { kind: 'simpleRnn', activation: 'sigmoid' }, layer: (units) => layers.simpleRNN({ units, returnSequences: true, activation: 'sigmoid' }) },
  rnnLinear: { cell: { kind: 'simpleRnn', activation: 'linear' }, layer: (units) => layers.simpleRNN({ units, returnSequences: true, activation: 'linear' }) },
  lstm: { cell: { kind: 'lstm' }, layer: (units) => layers.lstm({ units, returnSequences: true }) },
};

interface Stack {
  V: number;
  E: number;
  layers: Array<[CellName, number]>;
}

interface Built {
  model: Sequential;
  stack: Stack;
  /** The recurrent layers' names, bottom first. */
  names: string[];
  embedding: string;
  dense: string;
  weights: Map<string, Float32Array>;
}

/** The stack as a layers model with random weights (scaled by 1/√fan-in, so that h stays O(1) at any width). */
async function build(engine: Engine, stack: Stack, seed: string): Promise<Built> {
  const model = await sequential(
    [layers.embedding({ inputDim: stack.V, outputDim: stack.E }), ...stack.layers.map(([c, units]) => CELLS[c].layer(units)), layers.dense({ units: stack.V, activation: 'softmax' })],
    { engine, seed: 1, name: 'decode_cells' },
  );
  const r = rng(seed);
  const weights = new Map<string, Float32Array>();
  for (const w of model.graph.layers.flatMap((l) => l.weights)) {
    const size = w.shape.reduce((a, n) => a * n, 1);
    const a = w.name.endsWith('/bias') ? 0.5 : w.name.endsWith('/embeddings') ? 1 : 1.5 / Math.sqrt(w.shape[0]!);
    weights.set(w.name, Float32Array.from(randomArray(r, size, -a, a)));
  }
  model.setWeights(weights);
  const bs = model.graph.layers;
  return { model, stack, names: bs.slice(1, -1).map((b) => b.name), embedding: bs[0]!.name, dense: bs.at(-1)!.name, weights };
}

const f64 = (a: Float32Array): F64 => Float64Array.from(a);

/** The float64 reference: each layer's h at every timestep ([T·H], batch of one) and the logits [T·V] on `ids`. */
function reference(b: Built, ids: ArrayLike<number>): { hs: F64[]; logits: F64 } {
  const { V, E } = b.stack;
  const T = ids.length;
  const emb = b.weights.get(`${b.embedding}/embeddings`)!;
  let x = new Float64Array(T * E);
  for (let t = 0; t < T; t++) for (let k = 0; k < E; k++) x[t * E + k] = emb[ids[t]! * E + k]!;
  let In = E;
  const hs: F64[] = [];
  b.stack.layers.forEach(([c, H], l) => {
    const name = b.names[l]!;
    const p = { wx: f64(b.weights.get(`${name}/kernel`)!), wh: f64(b.weights.get(`${name}/recurrent_kernel`)!), b: f64(b.weights.get(`${name}/bias`)!), In, H };
    const cell = CELLS[c].cell;
    const h = cell.kind === 'lstm' ? lstmForwardRef(p, x, 1, T).h : cell.kind === 'gru' ? gruForwardRef(p, cell.resetAfter, x, 1, T).h : simpleRnnForwardRef(p, cell.activation, x, 1, T).h;
    // Slots 1 … T (slot 0 is the zero initial state).
    x = h.slice(H);
    hs.push(x);
    In = H;
  });
  const Wd = b.weights.get(`${b.dense}/kernel`)!;
  const bd = b.weights.get(`${b.dense}/bias`)!;
  const logits = new Float64Array(T * V);
  for (let t = 0; t < T; t++) {
    for (let v = 0; v < V; v++) {
      let z = bd[v]!;
      for (let k = 0; k < In; k++) z += x[t * In + k]! * Wd[k * V + v]!;
      logits[t * V + v] = z;
    }
  }
  return { hs, logits };
}

/**
 * The decoders run over `ids` (read as a prompt: nothing drawn) in chunks of `chunk` timesteps, as
 * generateTokens runs them: each layer's h at every timestep, [T·H].
 */
async function decode(b: Built, ids: Uint32Array, o: { fuse: boolean; chunk: number }): Promise<Float32Array[]> {
  const engine = b.model.engine;
  const params = b.model.params;
  const T = ids.length;
  const tokens = engine.allocate(T, 'test tokens');
  const logits = engine.allocate(b.stack.V, 'test logits');
  const decoders = b.names.map((name, l) => new RecurrentDecoder(engine, CELLS[b.stack.layers[l]![0]].cell, { wx: params.get(`${name}/kernel`), wh: params.get(`${name}/recurrent_kernel`), b: params.get(`${name}/bias`) }, o.chunk));
  const W = params.get(`${b.embedding}/embeddings`);
  const dense = { kernel: params.get(`${b.dense}/kernel`), bias: params.get(`${b.dense}/bias`) };
  const L = decoders.length;
  const out = decoders.map((d) => new Float32Array(T * d.H));
  try {
    engine.write(tokens, ids);
    for (let start = 0; start < T; start += o.chunk) {
      const n = Math.min(o.chunk, T - start);
      const step = engine.beginStep({ grad: false, label: 'decode test' });
      if (start === 0) for (const d of decoders) d.reset(step);
      if (o.fuse && L === 1) {
        decoders[0]!.advanceAndSample(step, { embedding: W, pos: start }, tokens, 0, dense, logits, null, n);
      } else {
        for (let i = 0; i < n; i++) {
          decoders[0]!.advanceFromToken(step, W, tokens, start + i, i);
          const upTo = o.fuse ? L - 1 : L;
          for (let l = 1; l < upTo; l++) decoders[l]!.advanceFrom(step, decoders[l - 1]!, i);
          if (o.fuse) decoders[L - 1]!.advanceAndSample(step, { below: decoders[L - 2]! }, tokens, i, dense, logits, null);
        }
      }
      const reads = decoders.map((d) => step.read(subSlice(d.hs, d.H, n * d.H)));
      for (const d of decoders) d.carry(step, n);
      step.submit();
      const got = await Promise.all(reads);
      got.forEach((g, l) => out[l]!.set(g, start * decoders[l]!.H));
    }
    return out;
  } finally {
    for (const d of decoders) d.release();
    engine.release(tokens);
    engine.release(logits);
  }
}

function tokenIds(seed: string, V: number, T: number): Uint32Array {
  const r = rng(seed);
  return Uint32Array.from({ length: T }, () => Math.floor(r() * V));
}

/** shaders/lib/sampling.wgsl's random stream, in u32 arithmetic. */
function pcg(v: number): number {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** The Gumbel-max scores z_i / temperature − log(−log u_i) the sampler compares at stream position `position` (float64). */
function gumbelScores(z: ArrayLike<number>, temperature: number, seed: number, position: number): number[] {
  return Array.from(z, (zi, i) => {
    const u = ((pcg((pcg(pcg(seed) ^ position) ^ i) >>> 0) >>> 8) + 0.5) / 16777216;
    return zi / temperature - Math.log(-Math.log(u));
  });
}

const label = (s: Stack) => `${s.layers.map(([c, H]) => `${c}(${H})`).join(' → ')}, E ${s.E}, V ${s.V}`;

const TUNINGS = ['cpu', 'gpu'] as const;
/** The engine of a tuning (the gpu-tuned one's LSTM schedule plays no part in generation). */
const engineFor = (tuning: (typeof TUNINGS)[number]) => (tuning === 'cpu' ? getCellEngine(['gru', 'simpleRnn'], 'cpu') : getCellEngine(['gru', 'simpleRnn'], 'gpu', 'timestep'));

/** One- and two-layer stacks of every cell (mixed too), H not a multiple of 4, and wider than the sample kernel's 32 lanes. */
const STACKS: Stack[] = [
  { V: 11, E: 4, layers: [['gruAfter', 5]] },
  { V: 11, E: 4, layers: [['gruBefore', 7]] },
  { V: 11, E: 3, layers: [['rnnTanh', 6]] },
  { V: 11, E: 5, layers: [['rnnRelu', 5]] },
  { V: 9, E: 3, layers: [['rnnSigmoid', 4]] },
  { V: 9, E: 3, layers: [['rnnLinear', 3]] },
  { V: 13, E: 4, layers: [['gruBefore', 6], ['gruAfter', 5]] },
  { V: 13, E: 4, layers: [['gruAfter', 5], ['gruBefore', 7]] },
  { V: 13, E: 3, layers: [['rnnRelu', 6], ['rnnTanh', 5]] },
  { V: 13, E: 4, layers: [['lstm', 5], ['gruBefore', 6]] },
  { V: 13, E: 4, layers: [['gruBefore', 7], ['rnnRelu', 5]] },
  { V: 40, E: 6, layers: [['gruBefore', 70]] },
  { V: 40, E: 6, layers: [['gruAfter', 37], ['rnnTanh', 70]] },
];

describe('decoders agree with the float64 references at every timestep', () => {
  for (const tuning of TUNINGS) {
    it(`every cell, one and two layers, unfused, fused and across chunks (${tuning}-tuned)`, async () => {
      const engine = await engineFor(tuning);
      expect(engine.tuning).toBe(tuning);
      for (const [s, stack] of STACKS.entries()) {
        const b = await build(engine, stack, `weights ${s}`);
        const T = 9;
        const ids = tokenIds(`ids ${s}`, stack.V, T);
        const want = reference(b, ids);
        for (const o of [{ fuse: false, chunk: T }, { fuse: true, chunk: T }, { fuse: true, chunk: 4 }, { fuse: false, chunk: 2 }]) {
          const got = await decode(b, ids, o);
          got.forEach((h, l) => expectClose(h, want.hs[l]!, 1e-5, 1e-5, `${label(stack)}, layer ${l}, ${JSON.stringify(o)}, ${tuning}-tuned: h`));
        }
        b.model.dispose();
      }
    }, 600_000);
  }

  it('a test that can fail: the other GRU form (or another activation) is far from the reference', async () => {
    const engine = await engineFor('cpu');
    for (const [stack, swapped] of [
      [{ V: 11, E: 4, layers: [['gruAfter', 5]] }, 'gruBefore'],
      [{ V: 11, E: 4, layers: [['rnnTanh', 5]] }, 'rnnLinear'],
    ] as Array<[Stack, CellName]>) {
      const b = await build(engine, stack, 'swap');
      const ids = tokenIds('swap ids', stack.V, 6);
      // The right weights decoded as the wrong cell (a reset-before GRU has a shorter bias: give it the first half).
      const wrong: Built = { ...b, stack: { ...stack, layers: [[swapped, stack.layers[0]![1]]] } };
      const want = reference(wrong, ids);
      const got = await decode(b, ids, { fuse: false, chunk: 6 });
      let worst = 0;
      got[0]!.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - want.hs[0]![i]!))));
      expect(worst, `${label(stack)} decoded vs the ${swapped} reference`).toBeGreaterThan(1e-3);
      b.model.dispose();
    }
  }, 120_000);
});

describe('generation with GRU and SimpleRNN models', () => {
  for (const tuning of TUNINGS) {
    it(`greedy tokens are the reference's argmax at every position; sampling draws the same fused or not (${tuning}-tuned)`, async () => {
      const engine = await engineFor(tuning);
      const stacks: Stack[] = [
        { V: 17, E: 5, layers: [['gruAfter', 9]] },
        { V: 17, E: 5, layers: [['gruBefore', 9]] },
        { V: 17, E: 5, layers: [['rnnTanh', 9]] },
        { V: 17, E: 5, layers: [['rnnRelu', 7]] },
        { V: 17, E: 5, layers: [['gruBefore', 6], ['rnnRelu', 7]] },
        { V: 17, E: 5, layers: [['rnnTanh', 7], ['gruAfter', 6]] },
        { V: 17, E: 5, layers: [['gruAfter', 6], ['gruBefore', 7]] },
      ];
      for (const [s, stack] of stacks.entries()) {
        const b = await build(engine, stack, `gen weights ${s}`);
        const prompt = tokenIds(`prompt ${s}`, stack.V, 3);
        let first: Uint32Array | null = null;
        for (const o of [{ fuse: true, chunk: 5 }, { fuse: false, chunk: 5 }, { fuse: true, chunk: 64 }]) {
          const out = await generateTokens(b.model, prompt, { length: 14, temperature: 0, ...o });
          expect(Array.from(out.subarray(0, 3))).toEqual(Array.from(prompt));
          // Each generated token is the argmax of the reference's logits after the tokens before it (a
          // near-tie, within 1e-4, may go either way in float32).
          const { logits } = reference(b, out.subarray(0, out.length - 1));
          for (let t = prompt.length - 1; t < out.length - 1; t++) {
            const row = logits.subarray(t * stack.V, (t + 1) * stack.V);
            const best = Math.max(...row);
            expect(best - row[out[t + 1]!]!, `${label(stack)}, ${JSON.stringify(o)}, ${tuning}-tuned, position ${t}`).toBeLessThanOrEqual(1e-4);
          }
          if (first) expect(Array.from(out), `${label(stack)}, ${JSON.stringify(o)}`).toEqual(Array.from(first));
          first ??= out;
        }
        // The generated tokens are not all one token (a test that could pass on a constant output would prove little).
        // Sampled: each token is the Gumbel-max draw the reference's logits give with the kernels' random
        // stream (a random model's greedy run soon repeats one token; a sampled one feeds back varied
        // tokens), and the fused and separate kernels draw the same.
        const sampled = await generateTokens(b.model, prompt, { length: 20, temperature: 1, seed: 7, chunk: 6 });
        expect(new Set(sampled.subarray(3)).size, label(stack)).toBeGreaterThan(3);
        const { logits } = reference(b, sampled.subarray(0, sampled.length - 1));
        for (let q = prompt.length; q < sampled.length; q++) {
          const scores = gumbelScores(logits.subarray((q - 1) * stack.V, q * stack.V), 1, 7, q);
          expect(Math.max(...scores) - scores[sampled[q]!]!, `${label(stack)}, sampled, ${tuning}-tuned, position ${q}`).toBeLessThanOrEqual(1e-3);
        }
        for (const so of [{ temperature: 1, seed: 7 }, { temperature: 0.8, topK: 4, seed: 8 }]) {
          const fused = await generateTokens(b.model, prompt, { length: 20, chunk: 6, fuse: true, ...so });
          expect(Array.from(fused), `${label(stack)}, ${JSON.stringify(so)}`).toEqual(Array.from(await generateTokens(b.model, prompt, { length: 20, chunk: 6, fuse: false, ...so })));
        }
        b.model.dispose();
      }
    }, 600_000);
  }

  it('refuses a backwards layer and a non-recurrent middle, with the reason', async () => {
    const engine = await engineFor('cpu');
    const back = await sequential([layers.embedding({ inputDim: 5, outputDim: 3 }), layers.gru({ units: 4, returnSequences: true, goBackwards: true }), layers.dense({ units: 5, activation: 'softmax' })], { engine });
    await expect(generateTokens(back, Uint32Array.of(1), { length: 2 })).rejects.toThrow(/not goBackwards.*found Embedding → GRU → Dense/);
    back.dispose();
    const bi = await sequential([layers.embedding({ inputDim: 5, outputDim: 3 }), layers.bidirectional({ layer: layers.simpleRNN({ units: 4, returnSequences: true }) }), layers.dense({ units: 5, activation: 'softmax' })], { engine });
    await expect(generateTokens(bi, Uint32Array.of(1), { length: 2 })).rejects.toThrow(/found Embedding → Bidirectional → Dense/);
    bi.dispose();
  });

  it('a language model with the gru or rnn cell generates: the same text fused or not, never the unknown token', async () => {
    const engine = await engineFor('cpu');
    for (const cell of ['gru', 'rnn'] as const) {
      const lm = await createLanguageModel('the quick brown fox jumps over the lazy dog. '.repeat(20), { cell, seqLen: 8, units: 10, embedDim: 4, layers: 2, seed: 3 }, { engine });
      expect(lm.model.graph.layers[1]!.layer.className).toBe(cell === 'gru' ? 'GRU' : 'SimpleRNN');
      const o = { length: 30, temperature: 1, seed: 4, chunk: 8 };
      const text = await lm.generate('the', o);
      expect([...text].length).toBe(30);
      expect(text).not.toContain('\uFFFD');
      expect(await lm.generate('the', { ...o, fuse: false })).toBe(text);
      lm.dispose();
    }
  }, 120_000);
});
