/**
 * Where a dropout mask comes from: a draw of the counter-based generator in shaders/lib/philox.wgsl,
 * keyed by (model seed, draw, stream, element), made inside the kernels that apply it — or, for tests and
 * direct op users, an explicit pre-scaled mask. Plain data and arithmetic (no GPU code): the layer rules
 * import it.
 *
 * The key layout is written down once, in philox.wgsl's header: key = the model's 64-bit dropout seed;
 * counter = (element, draw mod 2³², stream, ⌊draw / 2³²⌋). `draw` is the model's training-step counter
 * (one per training step, saved with the training state in place of a random stream's position);
 * `stream` = layer index · STREAMS_PER_LAYER + the layer's sub-stream (a Dropout's mask 0; a recurrent
 * direction d's input mask 2d, its recurrent mask 2d + 1), so each layer's masks are independent of
 * which other layers drop.
 */
import seedrandom from 'seedrandom';

/** The generator's key for one training step: the model's dropout seed and the step's draw counter. */
export interface DropoutKey {
  /** The model's 64-bit dropout seed as two u32 words (dropoutSeed). */
  seed: readonly [number, number];
  /** The model's training-step counter: a non-negative integer below 2⁵³. */
  draw: number;
}

/** One mask: the step's key, the layer's stream, the rate. */
export interface DropoutDraw {
  key: DropoutKey;
  stream: number;
  rate: number;
}

/** A dropout mask: drawn on the GPU (a DropoutDraw) or given, pre-scaled (0 or 1/(1 − rate)). */
export type DropoutMask = Float32Array | DropoutDraw;

/** Sub-streams each layer owns (a bidirectional recurrent layer uses four). */
export const STREAMS_PER_LAYER = 8;

/** The stream of a layer's sub-stream `sub`. */
export function dropoutStream(layer: number, sub: number): number {
  if (!(Number.isInteger(sub) && sub >= 0 && sub < STREAMS_PER_LAYER)) throw new Error(`dropout sub-stream ${sub} is not 0…${STREAMS_PER_LAYER - 1}`);
  const stream = layer * STREAMS_PER_LAYER + sub;
  if (!(Number.isInteger(layer) && layer >= 0 && stream < 2 ** 32)) throw new Error(`dropout stream of layer ${layer} is out of range`);
  return stream;
}

/** The model's dropout seed: two u32 words derived from its seed (the stream "<seed>/dropout"). */
export function dropoutSeed(seed: number | string): [number, number] {
  const r = seedrandom(`${seed}/dropout`);
  return [r.int32() >>> 0, r.int32() >>> 0];
}

export function checkRate(rate: number): void {
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropout rate must be in [0, 1), got ${rate}`);
}

export function isDraw(m: DropoutMask): m is DropoutDraw {
  return !(m instanceof Float32Array);
}

/** The uniform fields of a draw (the names lib/philox.wgsl reads). */
export function drawParams(d: DropoutDraw): { seed0: number; seed1: number; drawLo: number; drawHi: number; stream: number; threshold: number; scale: number } {
  checkRate(d.rate);
  const { seed, draw } = d.key;
  if (!(Number.isSafeInteger(draw) && draw >= 0)) throw new Error(`dropout draw counter ${draw} is not a non-negative integer`);
  return {
    seed0: seed[0] >>> 0,
    seed1: seed[1] >>> 0,
    drawLo: draw % 2 ** 32,
    drawHi: Math.floor(draw / 2 ** 32),
    stream: d.stream,
    // Dropped iff the word is below rate·2³² (floored: rate < 1 keeps it a u32).
    threshold: Math.floor(d.rate * 2 ** 32),
    scale: 1 / (1 - d.rate),
  };
}
