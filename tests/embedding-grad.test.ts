/**
 * The embedding gradient without a host sort: the GPU counting sort (embedding_segments.wgsl) against a
 * plain-loop grouping (src/reference), and the segment sum (embedding_backward.wgsl) against the float64
 * reference and, bit for bit, against the same f32 sums taken on the host in the fixed order the kernel
 * promises (ascending rows within an id), run after run.
 */
import { describe, expect, it } from 'vitest';
import { embeddingGradInto, embeddingSegmentsInto, segmentsLayout } from '../src/ops/embedding';
import { subSlice } from '../src/engine/tensor';
import * as ref from '../src/reference/reference';
import { expectClose, getEngine, randomArray, rng } from './helpers/gpu';
import { toTimeMajor } from './helpers/lstm';

/** Ids batch-major: padding 0 with probability `zeros`, ids ≥ V (no gradient) with probability `outside`. */
function randomIds(r: () => number, n: number, V: number, zeros: number, outside = 0): Uint32Array {
  return Uint32Array.from({ length: n }, () => (r() < zeros ? 0 : r() < outside ? V + Math.floor(r() * 3) : Math.floor(r() * V)));
}

describe('embedding segments on the GPU', () => {
  const cases: Array<[B: number, T: number, V: number, zeros: number, outside: number]> = [
    [2, 3, 4, 0.2, 0],
    [1, 1, 1, 0, 0],
    [7, 5, 4, 0.2, 0.1], // few ids, long segments spanning blocks
    [32, 28, 2000, 0.2, 0],
    [128, 28, 50, 0.5, 0], // half the positions are id 0: one long segment unless skipped
    [3, 700, 5000, 0.1, 0.05],
    [128, 60, 20000, 0.3, 0],
  ];
  for (const [B, T, V, zeros, outside] of cases) {
    it(`${B}×${T}, vocabulary ${V}: the stable sort by (id, row) of a plain loop, with and without skipping id 0`, async () => {
      const engine = await getEngine();
      const r = rng(`segments ${B} ${T} ${V}`);
      const ids = randomIds(r, B * T, V, zeros, outside);
      // The ids at an offset inside a larger buffer (as one-hot windows may be).
      const lead = 5;
      const idsBuf = engine.allocate(lead + ids.length, 'ids');
      engine.write(subSlice(idsBuf, lead, ids.length), ids);
      for (const skip of [false, true]) {
        const step = engine.beginStep({ grad: false });
        const seg = embeddingSegmentsInto(step, subSlice(idsBuf, lead, ids.length), B, T, V, skip, 'test');
        const read = step.read(seg);
        step.submit();
        const got = new Uint32Array((await read).buffer);
        const L = segmentsLayout(B * T, V);
        const want = ref.embeddingSegmentsRef(ids, B, T, V, skip);
        const S = want.uniqueIds.length;
        const what = `${B}×${T}, V ${V}, skip ${skip}`;
        expect(got[0], `${what}: S`).toBe(S);
        expect(got[1], `${what}: positions`).toBe(want.rows.length);
        expect([...got.subarray(L.uniqueIds, L.uniqueIds + S)], `${what}: unique ids`).toEqual(want.uniqueIds);
        expect([...got.subarray(L.segStart, L.segStart + S + 1)], `${what}: segment starts`).toEqual(want.segStart);
        expect([...got.subarray(L.rows, L.rows + want.rows.length)], `${what}: rows`).toEqual(want.rows);
      }
      engine.release(idsBuf);
    });
  }
});

describe('embedding gradient on the GPU', () => {
  for (const [B, T, V, E, skip] of [[6, 9, 23, 70, false], [6, 9, 23, 70, true], [32, 28, 200, 128, true], [128, 28, 60, 5, false]] as const) {
    it(`${B}×${T}, V ${V}, E ${E}, skip id 0 ${skip}: float64 reference, and bitwise the host's f32 sums in row order, every run`, async () => {
      const engine = await getEngine();
      const r = rng(`emb-grad ${B} ${T} ${V} ${E}`);
      const ids = randomIds(r, B * T, V, 0.3);
      const dYBatchMajor = randomArray(r, B * T * E);
      const dY = toTimeMajor(dYBatchMajor, B, T, E);
      // dY, dW and the ids at offsets inside their buffers.
      const [oY, oW, oI] = [3, 7, 2];
      const dYBuf = engine.allocate(oY + dY.length, 'dY');
      engine.write(subSlice(dYBuf, oY, dY.length), Float32Array.from(dY));
      const idsBuf = engine.allocate(oI + ids.length, 'ids');
      engine.write(subSlice(idsBuf, oI, ids.length), ids);
      const dWBuf = engine.allocate(oW + V * E, 'dW');
      const runs: Float32Array[] = [];
      for (let run = 0; run < 2; run++) {
        engine.write(dWBuf, new Float32Array(oW + V * E));
        const step = engine.beginStep({ grad: false });
        const dW = subSlice(dWBuf, oW, V * E);
        embeddingGradInto(step, subSlice(idsBuf, oI, ids.length), B, T, V, skip, subSlice(dYBuf, oY, dY.length), dW, E, 'test');
        const read = step.read(dW);
        step.submit();
        runs.push(await read);
      }
      expectClose(runs[0]!, ref.embeddingBackwardRef(dYBatchMajor, V, E, ids, skip), 1e-5, 1e-6, 'dW vs float64');
      // The order the kernel promises: per id, acc = ((0 + dY[r0]) + dY[r1]) + … over ascending rows r, then dW += acc.
      const seg = ref.embeddingSegmentsRef(ids, B, T, V, skip);
      const host = new Float32Array(V * E);
      seg.uniqueIds.forEach((id, s) => {
        for (let e = 0; e < E; e++) {
          let acc = 0;
          for (let k = seg.segStart[s]!; k < seg.segStart[s + 1]!; k++) acc = Math.fround(acc + dY[seg.rows[k]! * E + e]!);
          host[id * E + e] = acc;
        }
      });
      expect(Buffer.from(runs[0]!.buffer).equals(Buffer.from(host.buffer)), 'dW bitwise equal to the host sums in row order').toBe(true);
      expect(Buffer.from(runs[1]!.buffer).equals(Buffer.from(runs[0]!.buffer)), 'the same bits on a second run').toBe(true);
      for (const b of [dYBuf, idsBuf, dWBuf]) engine.release(b);
    });
  }
});
