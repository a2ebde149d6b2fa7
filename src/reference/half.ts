/**
 * IEEE-754 binary16 and bfloat16 in float64 arithmetic (test code: the reference for pack_half.wgsl and
 * the 16-bit recurrent weights). Decoding is exact; `halfNeighbours` gives the float16 values on either
 * side of a number (equal when it is one), since WGSL lets a conversion round to either; bfloat16 is
 * rounded to nearest, ties to even, from the value's float64 neighbours (not from its bits, as the kernel).
 */

/** The largest finite float16. */
export const HALF_MAX = 65504;

/** The value of a float16 bit pattern (the low 16 bits of `bits`). */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** The values of a binary format with `fraction` stored bits and smallest normal exponent `minExp` at or just below and above v. */
function neighbours(v: number, fraction: number, minExp: number): [number, number] {
  const a = Math.abs(v);
  // The spacing of the format's values around a: 2^(e − fraction) for normal numbers, fixed below 2^minExp.
  const step = a < 2 ** minExp ? 2 ** (minExp - fraction) : 2 ** (Math.floor(Math.log2(a)) - fraction);
  return [Math.floor(v / step) * step, Math.ceil(v / step) * step];
}

/** The nearer of two neighbours of x, ties to the one with an even last bit. */
function nearestEven(x: number, [lo, hi]: [number, number]): number {
  if (lo === hi) return lo;
  const d = (x - lo) - (hi - x);
  if (d !== 0) return d < 0 ? lo : hi;
  return Math.round(lo / (hi - lo)) % 2 === 0 ? lo : hi;
}

/** The float16 values at or just below and at or just above x (x clamped to ±HALF_MAX first). */
export function halfNeighbours(x: number): [number, number] {
  return neighbours(Math.min(HALF_MAX, Math.max(-HALF_MAX, x)), 10, -14);
}

/** x rounded to the nearest bfloat16 (8 significant bits, float32's exponent range), ties to even (|x| below 3.38e38). */
export function bfloat16Round(x: number): number {
  return nearestEven(x, neighbours(x, 7, -126));
}

/** The two bfloat16 values of each u32 of `packed` (low half first): each half is the top of an f32. */
export function unpackBfloat16s(packed: Uint32Array): Float64Array {
  const bits = new Uint32Array(packed.length * 2);
  packed.forEach((u, i) => {
    bits[2 * i] = (u & 0xffff) << 16;
    bits[2 * i + 1] = u & 0xffff0000;
  });
  return Float64Array.from(new Float32Array(bits.buffer));
}

/** The two float16 values of each u32 of `packed` (low half first). */
export function unpackHalves(packed: Uint32Array): Float64Array {
  const out = new Float64Array(packed.length * 2);
  packed.forEach((u, i) => {
    out[2 * i] = halfToFloat(u & 0xffff);
    out[2 * i + 1] = halfToFloat(u >>> 16);
  });
  return out;
}

/** x rounded to the nearest float16, ties to even (x clamped to ±HALF_MAX first). */
export function halfRound(x: number): number {
  return nearestEven(Math.min(HALF_MAX, Math.max(-HALF_MAX, x)), halfNeighbours(x));
}
