/**
 * The float64 references of the GRU (both of Keras's forms) and SimpleRNN (every activation) against
 * central finite differences of their own forward: the ground truth the GPU kernels are checked against
 * (tests/gru.test.ts, tests/simple-rnn.test.ts). Masked rows, recurrent dropout and both outputs (the
 * sequence and the final state) take part.
 */
import { describe, expect, it } from 'vitest';
import { cellOutputsRef, gruBackwardRef, gruForwardRef, simpleRnnBackwardRef, simpleRnnForwardRef, type CellRefParams, type SimpleRnnActivation } from '../src/reference/cells';
import { dot, expectClose, numericGrad, randomArray, rng } from './helpers/gpu';

const B = 2;
const T = 4;
const In = 3;
const H = 3;
// Row 0 is pre-padded (its first step is padding), row 1 has a padding step in the middle.
const mask = [0, 1, 1, 1, 1, 1, 0, 1];

function problem(seed: string, gates: number, biasSize: number) {
  const r = rng(seed);
  const p: CellRefParams = { wx: randomArray(r, In * gates * H, -0.8, 0.8), wh: randomArray(r, H * gates * H, -0.8, 0.8), b: randomArray(r, biasSize, -0.5, 0.5), In, H };
  const x = randomArray(r, B * T * In);
  const rmask = Float64Array.from({ length: B * H }, (_, i) => (i % 4 === 1 ? 0 : 1.25));
  return { p, x, rmask, dSeq: randomArray(r, B * T * H), dLast: randomArray(r, B * H) };
}

function checkGrads(
  forward: (p: CellRefParams, x: Float64Array) => { seq: Float64Array; last: Float64Array },
  backward: () => { dWx: Float64Array; dWh: Float64Array; db: Float64Array; dX: Float64Array },
  pr: ReturnType<typeof problem>,
): void {
  const loss = () => {
    const o = forward(pr.p, pr.x);
    return dot(o.seq, pr.dSeq) + dot(o.last, pr.dLast);
  };
  const g = backward();
  expectClose(g.dWx, numericGrad(loss, pr.p.wx), 1e-5, 1e-7, 'dWx');
  expectClose(g.dWh, numericGrad(loss, pr.p.wh), 1e-5, 1e-7, 'dWh');
  expectClose(g.db, numericGrad(loss, pr.p.b), 1e-5, 1e-7, 'db');
  expectClose(g.dX, numericGrad(loss, pr.x), 1e-5, 1e-7, 'dX');
  expect(Math.max(...g.dWh.map(Math.abs))).toBeGreaterThan(1e-3);
}

describe('GRU float64 reference', () => {
  for (const resetAfter of [true, false]) {
    for (const dropped of [false, true]) {
      it(`resetAfter ${resetAfter}${dropped ? ', recurrent dropout' : ''}: gradients match finite differences`, () => {
        const pr = problem(`gru-${resetAfter}-${dropped}`, 3, (resetAfter ? 6 : 3) * H);
        const rmask = dropped ? pr.rmask : null;
        const fwd = (p: CellRefParams, x: Float64Array) => cellOutputsRef(gruForwardRef(p, resetAfter, x, B, T, mask, rmask), H);
        checkGrads(fwd, () => gruBackwardRef(pr.p, resetAfter, gruForwardRef(pr.p, resetAfter, pr.x, B, T, mask, rmask), pr.dSeq, pr.dLast), pr);
      });
    }
  }

  it('a padding step carries h unchanged, and the two forms differ only through the reset gate', () => {
    const pr = problem('gru-carry', 3, 6 * H);
    const c = gruForwardRef(pr.p, true, pr.x, B, T, mask, null);
    const { seq } = cellOutputsRef(c, H);
    // Row 1, step 2 is padding: its output equals step 1's.
    for (let j = 0; j < H; j++) expect(seq[(1 * T + 2) * H + j]).toBe(seq[(1 * T + 1) * H + j]);
    // Row 0, step 0 is leading padding: the zero initial state.
    for (let j = 0; j < H; j++) expect(seq[j]).toBe(0);
    // With a zero recurrent bias and h_{t−1} = 0 both forms give the same first step.
    const p0 = { ...pr.p, b: new Float64Array(6 * H) };
    const p1 = { ...pr.p, b: new Float64Array(3 * H) };
    const a = cellOutputsRef(gruForwardRef(p0, true, pr.x, B, 1, null, null), H).last;
    const b = cellOutputsRef(gruForwardRef(p1, false, pr.x, B, 1, null, null), H).last;
    expectClose(a, b, 1e-12, 1e-12, 'first step');
  });
});

describe('SimpleRNN float64 reference', () => {
  for (const activation of ['tanh', 'relu', 'sigmoid', 'linear'] as SimpleRnnActivation[]) {
    it(`${activation}, recurrent dropout: gradients match finite differences`, () => {
      const pr = problem(`rnn-${activation}`, 1, H);
      // relu: positive biases keep most units active (finite differences say nothing about a dead unit).
      if (activation === 'relu') pr.p.b = pr.p.b.map((v) => Math.abs(v) + 0.6);
      const fwd = (p: CellRefParams, x: Float64Array) => cellOutputsRef(simpleRnnForwardRef(p, activation, x, B, T, mask, pr.rmask), H);
      checkGrads(fwd, () => simpleRnnBackwardRef(pr.p, activation, simpleRnnForwardRef(pr.p, activation, pr.x, B, T, mask, pr.rmask), pr.dSeq, pr.dLast), pr);
    });
  }
});
