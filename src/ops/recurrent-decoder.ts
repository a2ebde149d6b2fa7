/**
 * Generation's recurrent layers — LSTM, GRU (either Keras form) and SimpleRNN: a layer run one timestep
 * at a time with its state carried on the GPU, batch of one, no tape. Per cell, a step kernel spread
 * over workgroups (shaders/{lstm,gru,rnn}_decode_step.wgsl) and one single-workgroup kernel that also
 * computes the output layer and draws the next token ({lstm,gru,rnn}_decode_sample.wgsl). The weights
 * are a trained layer's (RecurrentWeights: kernel, recurrent kernel, bias in the parameter arena).
 *
 * The reset-before GRU's candidate takes r ⊙ h_{t−1} of every unit into its matmul, a dependency
 * across units inside a timestep: its step is two dispatches (gru_decode_step.wgsl with RESET_AFTER
 * false leaves z, the candidate's input sum and r ⊙ h_{t−1} in a small `gates` buffer, then
 * gru_decode_candidate.wgsl) — a dispatch boundary is the only barrier between workgroups, and a
 * single-workgroup step would leave a hardware GPU's other cores idle at every layer but the last. The
 * fused sample kernel is one workgroup anyway: there the hand-over is a storage barrier.
 */
import type { Engine } from '../engine/engine';
import type { Step } from '../engine/step';
import { subSlice, type Slice, type Tensor } from '../engine/tensor';
import type { ShaderName } from '../kernels/shaders.generated';
import { BOOLS, kernel, type Tuning, type TunedVariant } from '../kernels/variants';
import type { RecurrentCell, RecurrentWeights } from './recurrence';
import { drawParams } from './sample';
import { SIMPLE_RNN_ACTIVATION_CODES } from './simple-rnn';

const TUNINGS = ['cpu', 'gpu'] as const;

/** The sample kernels' one workgroup: a lane per unit on a GPU, few lanes on a CPU adapter (see lstm_decode_sample.wgsl). */
function decodeWorkgroup(tuning: Tuning): number {
  return tuning === 'gpu' ? 256 : 32;
}

/**
 * Every variant generation dispatches: per cell, the step (from a token or from the layer below) and the
 * single-workgroup step + output layer + draw, whose workgroup size depends on the tuning.
 */
/** Each cell's decode kernels (the fused single-sequence step, and the step fused with the output layer and the draw). */
export const DECODE_KERNELS = {
  lstm: [
    ...BOOLS.map((EMBED) => kernel('lstm_decode_step', undefined, { EMBED })),
    ...BOOLS.flatMap((EMBED) => TUNINGS.map((t) => kernel('lstm_decode_sample', t, { EMBED, WG: decodeWorkgroup(t) }))),
  ],
  gru: [
    ...BOOLS.flatMap((EMBED) => BOOLS.map((RESET_AFTER) => kernel('gru_decode_step', undefined, { EMBED, RESET_AFTER }))),
    kernel('gru_decode_candidate'),
    ...BOOLS.flatMap((EMBED) => BOOLS.flatMap((RESET_AFTER) => TUNINGS.map((t) => kernel('gru_decode_sample', t, { EMBED, RESET_AFTER, WG: decodeWorkgroup(t) })))),
  ],
  simpleRnn: [
    ...BOOLS.map((EMBED) => kernel('rnn_decode_step', undefined, { EMBED })),
    ...BOOLS.flatMap((EMBED) => TUNINGS.map((t) => kernel('rnn_decode_sample', t, { EMBED, WG: decodeWorkgroup(t) }))),
  ],
} satisfies Record<RecurrentCell['kind'], TunedVariant[]>;

const STEP_SHADER = { lstm: 'lstm_decode_step', gru: 'gru_decode_step', simpleRnn: 'rnn_decode_step' } as const satisfies Record<RecurrentCell['kind'], ShaderName>;
const SAMPLE_SHADER = { lstm: 'lstm_decode_sample', gru: 'gru_decode_sample', simpleRnn: 'rnn_decode_sample' } as const satisfies Record<RecurrentCell['kind'], ShaderName>;

/** The SimpleRNN activation codes (shaders/lib/rnn_cell.wgsl), the training kernels' numbering. */
const RNN_ACTIVATION = SIMPLE_RNN_ACTIVATION_CODES;

/** Gate blocks of H columns in the kernels (LSTM i, f, c, o; GRU z, r, h̃; SimpleRNN one). */
const GATES = { lstm: 4, gru: 3, simpleRnn: 1 } as const satisfies Record<RecurrentCell['kind'], number>;

/** The bias's length for H units (a reset-after GRU's holds b_x, then b_h). */
function biasLength(cell: RecurrentCell, H: number): number {
  return cell.kind === 'gru' && cell.resetAfter ? 2 * 3 * H : GATES[cell.kind] * H;
}

const cellLabel = (cell: RecurrentCell) => (cell.kind === 'gru' ? `GRU (reset ${cell.resetAfter ? 'after' : 'before'})` : cell.kind === 'lstm' ? 'LSTM' : `SimpleRNN (${cell.activation})`);

/**
 * A draw for a sample kernel: where the first token goes, its position in the random stream, and the
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
 * A recurrent layer run one timestep at a time with its state carried on the GPU (generation: the next
 * input is the token just sampled, so timesteps cannot be batched into one GEMM). One fused dispatch per
 * timestep (input row, both matmuls, gates, state update; two for a reset-before GRU, see above).
 * Persistent buffers hold up to `steps` timesteps: slot 0 of h (and of the LSTM's c) is the state to
 * start from, timestep t reads slot t and writes slot t + 1; `carry` moves the last slot back to 0 for
 * the next chunk. Layers of different cells stack: each reads the h slots of the one below. No tape, no
 * gradient; batch of one.
 */
export class RecurrentDecoder {
  readonly H: number;
  /** The layer's input width. */
  readonly In: number;
  /** h of every slot: [(steps + 1) · H]. */
  readonly hs: Slice;
  /** The LSTM's c of every slot (null for the other cells). */
  private readonly cs: Slice | null;
  /** A GRU's [3H] hand-over between a reset-before step's two halves (bound, unused, by a reset-after one). */
  private readonly gates: Slice | null;

  constructor(
    private readonly engine: Engine,
    readonly cell: RecurrentCell,
    private readonly w: RecurrentWeights,
    readonly steps: number,
  ) {
    const what = `RecurrentDecoder (${cellLabel(cell)})`;
    if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`${what}: steps must be a positive integer, got ${steps}`);
    if (w.wx.data.buffer !== w.wh.data.buffer || w.b.data.buffer !== w.wh.data.buffer) throw new Error(`${what}: the weights must live in one parameter arena`);
    const [H, GH] = w.wh.shape as [number, number];
    const [In, GX] = w.wx.shape as [number, number];
    const G = GATES[cell.kind] * H;
    if (w.wh.shape.length !== 2 || GH !== G) throw new Error(`${what}: the recurrent kernel is [${w.wh.shape.join(', ')}], not [H, ${GATES[cell.kind]}·H]`);
    if (w.wx.shape.length !== 2 || GX !== G) throw new Error(`${what}: the kernel is [${w.wx.shape.join(', ')}], not [in, ${G}]`);
    if (w.b.data.length !== biasLength(cell, H)) throw new Error(`${what}: the bias has ${w.b.data.length} values, not ${biasLength(cell, H)}`);
    if (cell.kind === 'simpleRnn' && !(cell.activation in RNN_ACTIVATION)) throw new Error(`${what}: unknown activation ${JSON.stringify(cell.activation)}`);
    this.H = H;
    this.In = In;
    this.hs = engine.allocate((steps + 1) * H, `${cell.kind} decoder h`);
    this.cs = cell.kind === 'lstm' ? engine.allocate((steps + 1) * H, 'lstm decoder c') : null;
    this.gates = cell.kind === 'gru' ? engine.allocate(3 * H, 'gru decoder gates') : null;
  }

  /** The state buffers carried from timestep to timestep. */
  private state(): Slice[] {
    return this.cs ? [this.hs, this.cs] : [this.hs];
  }

  /** What the cell's kernels take beyond the common bindings and uniforms. */
  private cellArgs(): { overrides: Record<string, boolean>; buffers: Record<string, Slice>; params: Record<string, number> } {
    switch (this.cell.kind) {
      case 'lstm': return { overrides: {}, buffers: { cs: this.cs! }, params: {} };
      case 'gru': return { overrides: { RESET_AFTER: this.cell.resetAfter }, buffers: { gates: this.gates! }, params: {} };
      case 'simpleRnn': return { overrides: {}, buffers: {}, params: { act: RNN_ACTIVATION[this.cell.activation] } };
    }
  }

  /** Start from the zero state. */
  reset(step: Step): void {
    for (const s of this.state()) step.clear(subSlice(s, 0, this.H));
  }

  private dispatch(step: Step, t: number, embed: boolean, X: Slice, offX: number, tokens: Slice, offTok: number): void {
    if (!(Number.isInteger(t) && t >= 0 && t < this.steps)) throw new Error(`RecurrentDecoder: timestep ${t} is outside 0…${this.steps - 1}`);
    const c = this.cellArgs();
    const theta = this.w.wh.data.buffer;
    const workgroups: [number, number, number] = [Math.ceil(this.H / 64), 1, 1];
    step.dispatch(STEP_SHADER[this.cell.kind], {
      overrides: { EMBED: embed, ...c.overrides },
      buffers: { tokens, theta, X, hs: this.hs, ...c.buffers },
      params: { In: this.In, H: this.H, t, offWx: this.w.wx.data.offset, offWh: this.w.wh.data.offset, offB: this.w.b.data.offset, offX, offTok, ...c.params },
      workgroups,
    });
    if (this.cell.kind === 'gru' && !this.cell.resetAfter) {
      step.dispatch('gru_decode_candidate', { buffers: { theta, hs: this.hs, gates: this.gates! }, params: { H: this.H, t, offWh: this.w.wh.data.offset }, workgroups });
    }
  }

  /** Timestep t on the embedding row of the token at tokens[pos] (`embedding`: [V, in], in the same arena). */
  advanceFromToken(step: Step, embedding: Tensor, tokens: Slice, pos: number, t: number): void {
    if (embedding.shape[1] !== this.In) throw new Error(`RecurrentDecoder: embedding width ${embedding.shape[1]} is not the layer's input ${this.In}`);
    this.dispatch(step, t, true, embedding.data, embedding.data.offset, tokens, tokens.offset + pos);
  }

  /** Timestep t on h_t of the layer below (any cell). */
  advanceFrom(step: Step, below: RecurrentDecoder, t: number): void {
    if (below.H !== this.In) throw new Error(`RecurrentDecoder: the layer below has ${below.H} units, this layer takes ${this.In}`);
    this.dispatch(step, t, false, below.hs, below.hs.offset + (t + 1) * below.H, below.hs, 0);
  }

  /**
   * The last recurrent layer's timesteps t … t + count − 1, the output layer (kernel [H, V], bias [V])
   * and the draw of each next token, in one dispatch (shaders/*_decode_sample.wgsl); `draw` null
   * (reading a prompt) does the steps only. The input is the token at tokens[pos] (through `embedding`;
   * timestep i reads tokens[pos + i], the token drawn at i − 1 once past the prompt) or the layer below's
   * h_t (one timestep).
   */
  advanceAndSample(
    step: Step,
    input: { embedding: Tensor; pos: number } | { below: RecurrentDecoder },
    tokens: Slice,
    t: number,
    dense: { kernel: Tensor; bias: Tensor },
    logits: Slice,
    draw: DecodeDraw | null,
    count = 1,
  ): void {
    if (!(Number.isInteger(count) && count >= 1 && Number.isInteger(t) && t >= 0 && t + count <= this.steps)) throw new Error(`RecurrentDecoder: timesteps ${t}…${t + count - 1} are outside 0…${this.steps - 1}`);
    const [H, V] = dense.kernel.shape as [number, number];
    if (H !== this.H || dense.kernel.data.buffer !== this.w.wh.data.buffer) throw new Error('RecurrentDecoder: the output layer must take this layer\'s h and live in the same arena');
    const embed = 'embedding' in input;
    if (!embed && count > 1) throw new Error('RecurrentDecoder: several timesteps in one dispatch need the input from tokens (the layer below runs one timestep at a time)');
    if (embed && input.embedding.shape[1] !== this.In) throw new Error(`RecurrentDecoder: embedding width ${input.embedding.shape[1]} is not the layer's input ${this.In}`);
    if (!embed && input.below.H !== this.In) throw new Error(`RecurrentDecoder: the layer below has ${input.below.H} units, this layer takes ${this.In}`);
    const X = embed ? input.embedding.data : input.below.hs;
    const offX = embed ? input.embedding.data.offset : input.below.hs.offset + (t + 1) * input.below.H;
    const settings = draw ? drawParams(V, draw) : { seed: 0, position: 0, temperature: 0, topK: 0, firstToken: 0 };
    const c = this.cellArgs();
    step.dispatch(SAMPLE_SHADER[this.cell.kind], {
      overrides: { EMBED: embed, ...c.overrides, WG: decodeWorkgroup(this.engine.tuning) },
      buffers: { tokens, theta: this.w.wh.data.buffer, X, hs: this.hs, ...c.buffers, logits },
      params: {
        In: this.In, H: this.H, t, offWx: this.w.wx.data.offset, offWh: this.w.wh.data.offset, offB: this.w.b.data.offset,
        offX, offTok: tokens.offset + (embed ? input.pos : 0), ...c.params,
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
    for (const s of this.state()) {
      const tmp = step.scratch(this.H, `${this.cell.kind} decoder carry`);
      step.copy(subSlice(s, t * this.H, this.H), tmp);
      step.copy(tmp, subSlice(s, 0, this.H));
    }
  }

  release(): void {
    for (const s of this.state()) this.engine.release(s);
    if (this.gates) this.engine.release(this.gates);
  }
}
