/**
 * IEEE-754 binary16 in float64 arithmetic (test code: the reference for pack_f16.wgsl and the float16
 * recurrent weights). Decoding is exact; `halfNeighbours` gives the float16 values on either side of a
 * number (equal when it is one), since WGSL lets a conversion round to either.
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

/** The float16 values at or just below and at or just above x (x clamped to ±HALF_MAX first). */
export function halfNeighbours(x: number): [number, number] {
  const v = Math.min(HALF_MAX, Math.max(-HALF_MAX, x));
  const a = Math.abs(v);
  // The spacing of float16 values around a: 2^(e − 10) for normal numbers, 2^−24 below 2^−14.
  const step = a < 2 ** -14 ? 2 ** -24 : 2 ** (Math.floor(Math.log2(a)) - 10);
  const lo = Math.floor(v / step) * step;
  const hi = Math.ceil(v / step) * step;
  return [lo, hi];
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
  const [lo, hi] = halfNeighbours(x);
  if (lo === hi) return lo;
  const d = (x - lo) - (hi - x);
  if (d !== 0) return d < 0 ? lo : hi;
  const step = hi - lo;
  return Math.round(lo / step) % 2 === 0 ? lo : hi;
}
