/**
 * Parity with TF.js: identical weights copied into `tf.layers.lstm` (recurrentActivation 'sigmoid',
 * CPU backend in Node) give the same outputs as our fused GPU layer, within 1e-4.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { ParameterStore } from '../src/engine/parameters';
import { lstmStack, lstmStackParams, type LstmStackConfig } from '../src/nn/lstm-stack';
import seedrandom from 'seedrandom';
import { expectClose, f32, getEngine, randomArray, rng } from './helpers/gpu';
import { Leaves } from './helpers/leaf';
import { lengthMask, maskTimeMajor, toBatchMajor, toTimeMajor } from './helpers/lstm';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function ours(cfg: LstmStackConfig, specs: ReturnType<typeof lstmStackParams>, x: Float64Array, B: number, T: number, mask: Uint8Array | null, returnSequences: boolean) {
  const engine = await getEngine();
  const store = new ParameterStore(engine, specs);
  const leaves = new Leaves(engine);
  const xt = leaves.tensor([T, B, cfg.inputDim], toTimeMajor(x, B, T, cfg.inputDim), 'x', false);
  const step = engine.beginStep({ grad: false });
  const out = lstmStack(step, xt, store, cfg, { mask: mask ? maskTimeMajor(mask, B, T) : null, returnSequences });
  const p = step.read(out.data);
  step.submit();
  const F = cfg.bidirectional ? 2 * cfg.units : cfg.units;
  const y = returnSequences ? toBatchMajor(await p, B, T, F) : await p;
  store.destroy();
  leaves.free();
  return y;
}

describe('parity with tf.layers.lstm', () => {
  for (const c of [
    { name: 'sequences, no mask', B: 4, T: 6, In: 5, H: 8, masked: false, bidi: false, seq: true },
    { name: 'final state, pre-padded input masked (Masking layer)', B: 4, T: 7, In: 5, H: 9, masked: true, bidi: false, seq: false },
    { name: 'bidirectional concat, final state', B: 3, T: 5, In: 4, H: 6, masked: false, bidi: true, seq: false },
    { name: 'go_backwards, sequences (kept in reversed order, as Keras does)', B: 3, T: 5, In: 4, H: 8, masked: false, bidi: false, seq: true, back: true },
    { name: 'go_backwards, final state, pre-padded input masked', B: 4, T: 7, In: 5, H: 6, masked: true, bidi: false, seq: false, back: true },
  ] as Array<{ name: string; B: number; T: number; In: number; H: number; masked: boolean; bidi: boolean; seq: boolean; back?: boolean }>) {
    it(c.name, async () => {
      const r = rng(`tf-${c.name}`);
      const cfg: LstmStackConfig = { inputDim: c.In, units: c.H, layers: 1, bidirectional: c.bidi, goBackwards: c.back ?? false };
      const specs = lstmStackParams(cfg, seedrandom(c.name));
      // Random biases too, so that every gate's bias is exercised (the init has zeros and a forget bias of 1).
      for (const s of specs) if (s.name.endsWith('/bias')) s.init = f32(randomArray(r, s.init.length, -0.5, 0.5));
      const x = randomArray(r, c.B * c.T * c.In);
      const mask = c.masked ? lengthMask([7, 3, 5, 1].slice(0, c.B), c.T, 'pre') : null;
      if (mask) for (let i = 0; i < c.B * c.T; i++) if (!mask[i]) x.fill(0, i * c.In, (i + 1) * c.In);

      const cell = { units: c.H, returnSequences: c.seq, recurrentActivation: 'sigmoid' as const, activation: 'tanh' as const, goBackwards: c.back ?? false };
      const layers: tf.layers.Layer[] = [];
      if (c.masked) layers.push(tf.layers.masking({ maskValue: 0, inputShape: [c.T, c.In] }));
      const lstm = c.bidi
        ? tf.layers.bidirectional({ layer: tf.layers.lstm(cell) as tf.RNN, mergeMode: 'concat', inputShape: [c.T, c.In] })
        : tf.layers.lstm(c.masked ? cell : { ...cell, inputShape: [c.T, c.In] });
      layers.push(lstm);
      const model = tf.sequential({ layers });
      lstm.setWeights(specs.map((s) => tf.tensor(s.init, s.shape)));
      const expected = (model.predict(tf.tensor3d(f32(x), [c.B, c.T, c.In])) as tf.Tensor).dataSync();
      const got = await ours(cfg, specs, x, c.B, c.T, mask, c.seq);
      expectClose(got, expected, 0, 1e-4, 'outputs vs TF.js');
    });
  }
});
