/**
 * Generation's LSTM: a layer run one timestep at a time with its state carried on the GPU, batch of
 * one, no tape (shaders/lstm_decode_step.wgsl; with the output layer and the draw of the next token
 * fused in, shaders/lstm_decode_sample.wgsl). The weights are a trained layer's (LstmWeights, lstm.ts).
 */
import type { Engine } from '../engine/engine';
import type { Step } from '../engine/step';
import { subSlice, type Slice, type Tensor } from '../engine/tensor';
import { BOOLS, kernel, type Tuning } from '../kernels/variants';
import type { LstmWeights } from './lstm';
import { drawParams } from './sample';

/** The fused single-sequence step of generation (shaders/lstm_decode_step.wgsl), from a token or from the layer below. */
export const LSTM_DECODE_KERNELS = [
  ...BOOLS.map((EMBED) => kernel('lstm_decode_step', undefined, { EMBED })),
  ...BOOLS.flatMap((EMBED) => (['cpu', 'gpu'] as const).map((t) => kernel('lstm_decode_sample', t, { EMBED, WG: decodeWorkgroup(t) }))),
];

/** lstm_decode_sample's one workgroup: a lane per unit on a GPU, few lanes on a CPU adapter (see the shader). */
function decodeWorkgroup(tuning: Tuning): number {
  return tuning === 'gpu' ? 256 : 32;
}

/**
 * A draw for lstm_decode_sample: where the first token goes, its position in the random stream, and the
 * sampler's settings. Over a run of timesteps the i-th goes to outOffset + i at position + i, drawn only
 * from position `drawFrom` on (default: every one) — before it, the tokens are a prompt's, read not drawn.
 */
export interface DecodeDraw {
  outOffset: number;
  seed: number;
  position: number;
  temperature: number;
  topK: number;
  /** Ids below this are never drawn (see SampleOptions); default 0. */
  firstToken?: number;
  drawFrom?: number;
}

/**
 * An LSTM layer run one timestep at a time with its state carried on the GPU (generation: the next
 * input is the token just sampled, so timesteps cannot be batched into one GEMM). One fused dispatch per
 * timestep (input row, both matmuls, gates, cell update). Persistent buffers hold up to `steps`
 * timesteps: slot 0 of h and c is the state to start from, timestep t reads slot t and writes slot
 * t + 1; `carry` moves the last slot back to 0 for the next chunk. No tape, no gradient; batch of one.
 */
export class LstmDecoder {
  readonly H: number;
  /** h of every slot: [(steps + 1) · H]. */
  readonly hs: Slice;
  private readonly cs: Slice;

  constructor(
    private readonly engine: Engine,
    private readonly w: LstmWeights,
    readonly steps: number,
  ) {
    this.H = w.wh.shape[0]!;
    if (w.wx.data.buffer !== w.wh.data.buffer || w.b.data.buffer !== w.wh.data.buffer) throw new Error('LstmDecoder: the weights must live in one parameter arena');
    this.hs = engine.allocate((steps + 1) * this.H, 'lstm decoder h');
    this.cs = engine.allocate((steps + 1) * this.H, 'lstm decoder c');
  }

  /** Start from the zero state. */
  reset(step: Step): void {
    step.clear(subSlice(this.hs, 0, this.H));
    step.clear(subSlice(this.cs, 0, this.H));
  }

  private dispatch(step: Step, t: number, embed: boolean, X: Slice, offX: number, tokens: Slice, offTok: number): void {
    if (!(t >= 0 && t < this.steps)) throw new Error(`LstmDecoder: timestep ${t} is outside 0…${this.steps - 1}`);
    step.dispatch('lstm_decode_step', {
      overrides: { EMBED: embed },
      buffers: { tokens, theta: this.w.wh.data.buffer, X, hs: this.hs, cs: this.cs },
      params: { In: this.w.wx.shape[0]!, H: this.H, t, offWx: this.w.wx.data.offset, offWh: this.w.wh.data.offset, offB: this.w.b.data.offset, offX, offTok },
      workgroups: [Math.ceil(this.H / 64), 1, 1],
    });
  }

  /** Timestep t on the embedding row of the token at tokens[pos] (`embedding`: [V, in], in the same arena). */
  advanceFromToken(step: Step, embedding: Tensor, tokens: Slice, pos: number, t: number): void {
    if (embedding.shape[1] !== this.w.wx.shape[0]) throw new Error(`LstmDecoder: embedding width ${embedding.shape[1]} is not the layer's input ${this.w.wx.shape[0]}`);
    this.dispatch(step, t, true, embedding.data, embedding.data.offset, tokens, tokens.offset + pos);
  }

  /** Timestep t on h_t of the layer below. */
  advanceFrom(step: Step, below: LstmDecoder, t: number): void {
    if (below.H !== this.w.wx.shape[0]) throw new Error(`LstmDecoder: the layer below has ${below.H} units, this layer takes ${this.w.wx.shape[0]}`);
    this.dispatch(step, t, false, below.hs, below.hs.offset + (t + 1) * below.H, below.hs, 0);
  }

  /**
   * The last LSTM layer's timesteps t … t + count − 1, the output layer (kernel [H, V], bias [V]) and the
   * draw of each next token, in one dispatch (shaders/lstm_decode_sample.wgsl); `draw` null (reading a
   * prompt) does the steps only. The input is the token at tokens[pos] (through `embedding`; timestep i
   * reads tokens[pos + i], the token drawn at i − 1 once past the prompt) or the layer below's h_t (one
   * timestep).
   */
  advanceAndSample(
    step: Step,
    input: { embedding: Tensor; pos: number } | { below: LstmDecoder },
    tokens: Slice,
    t: number,
    dense: { kernel: Tensor; bias: Tensor },
    logits: Slice,
    draw: DecodeDraw | null,
    count = 1,
  ): void {
    if (!(Number.isInteger(count) && count >= 1 && t >= 0 && t + count <= this.steps)) throw new Error(`LstmDecoder: timesteps ${t}…${t + count - 1} are outside 0…${this.steps - 1}`);
    const [H, V] = dense.kernel.shape as [number, number];
    if (H !== this.H || dense.kernel.data.buffer !== this.w.wh.data.buffer) throw new Error('LstmDecoder: the output layer must take this layer\'s h and live in the same arena');
    const embed = 'embedding' in input;
    if (!embed && count > 1) throw new Error('LstmDecoder: several timesteps in one dispatch need the input from tokens (the layer below runs one timestep at a time)');
    const X = embed ? input.embedding.data : input.below.hs;
    const offX = embed ? input.embedding.data.offset : input.below.hs.offset + (t + 1) * input.below.H;
    const settings = draw ? drawParams(V, draw) : { seed: 0, position: 0, temperature: 0, topK: 0, firstToken: 0 };
    step.dispatch('lstm_decode_sample', {
      overrides: { EMBED: embed, WG: decodeWorkgroup(this.engine.tuning) },
      buffers: { tokens, theta: this.w.wh.data.buffer, X, hs: this.hs, cs: this.cs, logits },
      params: {
        In: this.w.wx.shape[0]!, H: this.H, t, offWx: this.w.wx.data.offset, offWh: this.w.wh.data.offset, offB: this.w.b.data.offset,
        offX, offTok: tokens.offset + (embed ? input.pos : 0),
        V, offWd: dense.kernel.data.offset, offBd: dense.bias.data.offset, offOut: tokens.offset + (draw?.outOffset ?? 0), ...settings,
        drawFrom: draw ? (draw.drawFrom ?? draw.position) >>> 0 : 0xffffffff, count,
      },
      workgroups: [1, 1, 1],
    });
  }

  /** h_t (slot t + 1). */
  output(t: number): Slice {
    return subSlice(this.hs, (t + 1) * this.H, this.H);
  }

  /** Slot 0 ← slot `t` (the state after timestep t − 1), to go on in a new chunk. */
  carry(step: Step, t: number): void {
    if (t === 0) return;
    // Within one buffer a copy is not allowed: through a scratch buffer.
    for (const s of [this.hs, this.cs]) {
      const tmp = step.scratch(this.H, 'lstm decoder carry');
      step.copy(subSlice(s, t * this.H, this.H), tmp);
      step.copy(tmp, subSlice(s, 0, this.H));
    }
  }

  release(): void {
    this.engine.release(this.hs);
    this.engine.release(this.cs);
  }
}
