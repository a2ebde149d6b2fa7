/**
 * Stacked and bidirectional LSTMs: GPU gradients of every parameter and the input against central
 * finite differences of an independent float64 composition (forward reference layers, time reversal,
 * concatenation), with masking and dropout masks drawn on the GPU (the reference gets the same masks from
 * the generator's JS reference, src/reference/dropout-rng.ts).
 */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { ParameterStore } from '../src/engine/parameters';
import { backpropFrom } from '../src/ops/elementwise';
import { lstmStack, lstmStackNames, lstmStackParams, lstmLayerInput, type LstmStackConfig } from './helpers/lstm-stack';
import { glorotUniform, orthogonal, lstmBias } from '../src/nn/init';
import type { DropoutDraw } from '../src/ops/dropout-key';
import { dropoutMaskRef } from '../src/reference/dropout-rng';
import { concatRef, lstmForwardRef, lstmOutputsRef, reverseTimeRef, spatialDropoutRef } from '../src/reference/reference';
import { dot, expectClose, f32, getEngine, numericGrad, randomArray, rng } from './helpers/gpu';
import { Leaves } from './helpers/leaf';
import { lengthMask, maskTimeMajor, toBatchMajor, toTimeMajor } from './helpers/lstm';

function reverseMaskBatchMajor(m: Uint8Array, B: number, T: number): Uint8Array {
  const out = new Uint8Array(B * T);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out[b * T + (T - 1 - t)] = m[b * T + t]!;
  return out;
}

/** float64 composition of the stack, batch-major in and out. */
function stackRef(
  cfg: LstmStackConfig,
  P: Map<string, Float64Array>,
  x: Float64Array,
  B: number,
  T: number,
  mask: Uint8Array | null,
  inputMasks: Float32Array[],
  recMasks: Float32Array[],
  returnSequences: boolean,
): Float64Array {
  const H = cfg.units;
  const names = lstmStackNames(cfg);
  let input = x;
  let out = x;
  for (let l = 0; l < cfg.layers; l++) {
    const In = lstmLayerInput(cfg, l);
    const wantSeq = l < cfg.layers - 1 || returnSequences;
    const outs = names
      .map((n, i) => ({ ...n, i }))
      .filter((n) => n.layer === l)
      .map((d) => {
        const params = { wx: P.get(d.kernel)!, wh: P.get(d.recurrentKernel)!, b: P.get(d.bias)!, In, H };
        const dropped = spatialDropoutRef(input, inputMasks[d.i]!, B, T, In);
        const xin = d.backward ? reverseTimeRef(dropped, B, T, In) : dropped;
        const m = mask && d.backward ? reverseMaskBatchMajor(mask, B, T) : mask;
        const o = lstmOutputsRef(lstmForwardRef(params, xin, B, T, m, recMasks[d.i]), H);
        if (!wantSeq) return o.last;
        return d.backward ? reverseTimeRef(o.seq, B, T, H) : o.seq;
      });
    const rows = wantSeq ? B * T : B;
    out = outs.length === 2 ? concatRef(outs[0]!, outs[1]!, rows, H, H) : outs[0]!;
    // Keras's Bidirectional: a returned sequence is zero at masked timesteps.
    if (outs.length === 2 && wantSeq && mask) for (let r = 0; r < B * T; r++) if (!mask[r]) out.fill(0, r * 2 * H, (r + 1) * 2 * H);
    input = out;
  }
  return out;
}

describe('LSTM stacks', () => {
  for (const cfgCase of [
    { layers: 2, bidirectional: false, returnSequences: false },
    { layers: 1, bidirectional: true, returnSequences: false },
    { layers: 2, bidirectional: true, returnSequences: true },
  ]) {
    it(`${cfgCase.layers} layer(s), bidirectional=${cfgCase.bidirectional}, returnSequences=${cfgCase.returnSequences}: outputs and all gradients`, async () => {
      const engine = await getEngine();
      const B = 3, T = 4, In = 3, H = 3;
      const cfg: LstmStackConfig = { inputDim: In, units: H, layers: cfgCase.layers, bidirectional: cfgCase.bidirectional };
      const r = rng(JSON.stringify(cfgCase));
      const specs = lstmStackParams(cfg, seedrandom('init'));
      // Larger than Keras's init so that every gate path carries a visible gradient.
      for (const s of specs) s.init = f32(randomArray(r, s.init.length, -0.8, 0.8));
      const x = randomArray(r, B * T * In);
      const mask = lengthMask([4, 2, 3], T, 'pre');
      const names = lstmStackNames(cfg);
      const key = { seed: [0x1234abcd, 0x9e3779b9] as const, draw: 5 };
      const inputDraws: DropoutDraw[] = names.map((_, i) => ({ key, stream: 2 * i, rate: 0.3 }));
      const recDraws: DropoutDraw[] = names.map((_, i) => ({ key, stream: 2 * i + 1, rate: 0.3 }));
      const inputMasks = names.map((n, i) => dropoutMaskRef(inputDraws[i]!, B * lstmLayerInput(cfg, n.layer)));
      const recMasks = names.map((_, i) => dropoutMaskRef(recDraws[i]!, B * H));
      const F = cfg.bidirectional ? 2 * H : H;
      const outLen = cfgCase.returnSequences ? B * T * F : B * F;
      const dOut = randomArray(r, outLen);

      const P = new Map(specs.map((s) => [s.name, Float64Array.from(s.init)]));
      const xRef = Float64Array.from(x);
      const loss = () => dot(stackRef(cfg, P, xRef, B, T, mask, inputMasks, recMasks, cfgCase.returnSequences), dOut);

      const store = new ParameterStore(engine, specs);
      const leaves = new Leaves(engine);
      const xt = leaves.tensor([T, B, In], toTimeMajor(x, B, T, In), 'x');
      const step = engine.beginStep({ grad: true });
      store.zeroGrads(step);
      const out = lstmStack(step, xt, store, cfg, {
        mask: maskTimeMajor(mask, B, T),
        inputMasks: inputDraws,
        recurrentMasks: recDraws,
        returnSequences: cfgCase.returnSequences,
      });
      const dOutGpu = cfgCase.returnSequences ? toTimeMajor(dOut, B, T, F) : dOut;
      backpropFrom(step, out, f32(dOutGpu));
      const outP = step.read(out.data);
      step.backward();
      const dxP = step.read(xt.grad!);
      step.submit();
      const gpuOut = cfgCase.returnSequences ? toBatchMajor(await outP, B, T, F) : await outP;
      expectClose(gpuOut, stackRef(cfg, P, xRef, B, T, mask, inputMasks, recMasks, cfgCase.returnSequences), 1e-5, 1e-6, 'stack output');
      const grads = await store.readGrads();
      for (const s of specs) {
        expectClose(grads.get(s.name)!, numericGrad(loss, P.get(s.name)!), 1e-4, 2e-6, `d ${s.name}`);
      }
      expectClose(toBatchMajor(await dxP, B, T, In), numericGrad(loss, xRef), 1e-4, 2e-6, 'dX');
      store.destroy();
      leaves.free();
    });
  }
});

describe('the stack helper', () => {
  it('names its weights as the layers API does', () => {
    const names = (bidirectional: boolean) => lstmStackParams({ inputDim: 3, units: 2, layers: 2, bidirectional }, seedrandom('names')).map((s) => s.name);
    const triple = (p: string) => [`${p}/kernel`, `${p}/recurrent_kernel`, `${p}/bias`];
    expect(names(false)).toEqual([...triple('lstm'), ...triple('lstm_1')]);
    expect(names(true)).toEqual([
      ...triple('bidirectional/forward_lstm'),
      ...triple('bidirectional/backward_lstm'),
      ...triple('bidirectional_1/forward_lstm_1'),
      ...triple('bidirectional_1/backward_lstm_1'),
    ]);
  });
});

describe('Keras initialisers', () => {
  it('orthogonal: rows of an H×4H recurrent kernel are orthonormal; columns of a tall matrix likewise', () => {
    const H = 20;
    const W = orthogonal(seedrandom('o'), H, 4 * H);
    for (let a = 0; a < H; a++) {
      for (let b = 0; b < H; b++) {
        let d = 0;
        for (let k = 0; k < 4 * H; k++) d += W[a * 4 * H + k]! * W[b * 4 * H + k]!;
        expect(Math.abs(d - (a === b ? 1 : 0))).toBeLessThan(1e-5);
      }
    }
    const tall = orthogonal(seedrandom('t'), 12, 5);
    for (let a = 0; a < 5; a++) {
      let d = 0;
      for (let k = 0; k < 12; k++) d += tall[k * 5 + a]! ** 2;
      expect(Math.abs(d - 1)).toBeLessThan(1e-5);
    }
  });

  it('glorot uniform stays within ±sqrt(6/(in+out)) and is seeded; the forget-gate bias is 1', () => {
    const a = glorotUniform(seedrandom('g'), 128, 784);
    const lim = Math.sqrt(6 / (128 + 784));
    expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(lim);
    expect(Math.max(...a.map(Math.abs))).toBeGreaterThan(lim * 0.99);
    expect(glorotUniform(seedrandom('g'), 128, 784)).toEqual(a);
    const b = lstmBias(3, 1);
    expect([...b]).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  });
});
