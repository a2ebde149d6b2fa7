/**
 * The dropout masks' generator, written independently of shaders/lib/philox.wgsl: Philox-4x32-10 with
 * exact 64-bit products in BigInt (the shader splits them into 16-bit halves), and the same key layout
 * and keep rule (see that file's header):
 *
 *   key = (seed0, seed1), counter = (element, draw mod 2³², stream, ⌊draw / 2³²⌋),
 *   kept iff word 0 ≥ ⌊rate·2³²⌋, a kept element scaled by fround(1/(1 − rate)).
 *
 * Test code: a test compares the GPU's masks with these exactly, and a reference model that needs a mask
 * draws it here with the key the layer used.
 */
import type { DropoutDraw } from '../ops/dropout-key';

const M0 = 0xd2511f53n;
const M1 = 0xcd9e8d57n;
const W0 = 0x9e3779b9n;
const W1 = 0xbb67ae85n;
const MASK32 = 0xffffffffn;

/** Philox-4x32-10 of a counter (4 words) under a key (2 words). */
export function philox4x32Ref(counter: readonly [number, number, number, number], key: readonly [number, number]): [number, number, number, number] {
  let [c0, c1, c2, c3] = counter.map((v) => BigInt(v >>> 0)) as [bigint, bigint, bigint, bigint];
  let [k0, k1] = key.map((v) => BigInt(v >>> 0)) as [bigint, bigint];
  for (let round = 0; round < 10; round++) {
    const p0 = M0 * c0;
    const p1 = M1 * c2;
    [c0, c1, c2, c3] = [(p1 >> 32n) ^ c1 ^ k0, p1 & MASK32, (p0 >> 32n) ^ c3 ^ k1, p0 & MASK32];
    k0 = (k0 + W0) & MASK32;
    k1 = (k1 + W1) & MASK32;
  }
  return [Number(c0), Number(c1), Number(c2), Number(c3)];
}

/** The keep threshold of a rate: an element is dropped iff its word is below it. */
export function keepThresholdRef(rate: number): number {
  return Math.floor(rate * 2 ** 32);
}

/** The pre-scaled mask (0 or 1/(1 − rate)) of `count` elements that the GPU draws for `d`. */
export function dropoutMaskRef(d: DropoutDraw, count: number): Float32Array {
  const threshold = keepThresholdRef(d.rate);
  const scale = Math.fround(1 / (1 - d.rate));
  const drawLo = d.key.draw % 2 ** 32;
  const drawHi = Math.floor(d.key.draw / 2 ** 32);
  const m = new Float32Array(count);
  for (let e = 0; e < count; e++) m[e] = philox4x32Ref([e, drawLo, d.stream, drawHi], d.key.seed)[0] >= threshold ? scale : 0;
  return m;
}
