/**
 * Inference on the real workload (#29 §4), in the benchmark page: the test split of Sentiment.zip (the
 * notebook's split: Neutral dropped, test share 0.33, seed 141) predicted by ours and by TF.js, each as
 * its users would, in turns; and the latency of one sentence, as the try-it box asks for it.
 *
 * One model for every system: ours trains a fixed number of batches (inference speed does not depend on
 * the weights' values), and the TF.js model gets the same weights through our TF.js export. The token
 * ids are the same too (our tokenizer, pre-padded to our sequence length, which is the longest training
 * text unless outliers cap it); what differs is what is measured:
 *   ours: `model.sequential.predict(ids, { batchSize })`, masking and length-sorted batches (its
 *     default), at the batch size that was fastest in a sweep over the whole split;
 *   TF.js: the notebook's model (no mask, every text padded to the sequence length), `model.predict(x)`
 *     at its default batch size (32), then `data()`.
 * Nothing here asserts; bench/run.ts prints the table.
 */
import type * as TF from '@tensorflow/tfjs';
import { notebookSplits, timing, type Timing } from './workloads';

export interface RealInferenceOptions {
  /** Batches of the training split ours trains (batch 32, the notebook recipe) before predicting. */
  trainBatches: number;
  /** Ours: the batch sizes tried, one pass over the whole split each after a warm-up; the fastest runs in turns. */
  batchSizes: number[];
  /** Also time SentimentModel.predict(texts) once: cleaning and tokenizing included, its built-in batch. */
  endToEnd: boolean;
  /**
   * Per TF.js backend: `rounds` turns of ours (the whole split) and TF.js (`rowsPerTurn` rows of the split,
   * a different slice each turn, scaled to the split; null: the whole split), alternating who goes first;
   * then `latencyReps` one-sentence predictions of each, alternating (0: none).
   */
  peers: Array<{ backend: 'wasm' | 'webgpu'; rounds: number; rowsPerTurn: number | null; latencyReps: number }>;
  /** Untimed one-sentence predictions of each system before its timed ones. */
  latencyWarmup: number;
}

export interface SplitPass {
  /** Rows per predict step; null for SentimentModel.predict (its built-in batch). */
  batchSize: number | null;
  what: string;
  seconds: number;
  seqPerSec: number;
}

export interface InferencePair {
  peer: string;
  /** Seconds of each of our turns (the whole split). */
  oursSeconds: number[];
  /** Milliseconds of each TF.js turn over `peerRowsPerTurn` rows. */
  peerMs: number[];
  peerRowsPerTurn: number;
  /** TF.js's first predict of one batch (its shader compilation), not counted in its turns. */
  peerFirstMs: number;
  oursSeqPerSec: number;
  peerSeqPerSec: number;
  /** TF.js's test accuracy and its agreement with ours (share of texts given the same class); null when it predicted only slices. */
  peerAccuracy: number | null;
  agreement: number | null;
  latency: { reps: number; ours: Timing; peer: Timing } | null;
}

export interface RealInferenceResult {
  rows: number;
  /** The sequence length: ours pads to it (and skips the padding); TF.js runs all of it. */
  T: number;
  /** How ours chose T (longest training text, or its 99th percentile when outliers were capped). */
  maxLenChoice: string;
  /** Mean real length of the test texts, in tokens. */
  meanTokens: number;
  trainBatches: number;
  oursAccuracy: number;
  sweep: SplitPass[];
  /** The batch size of ours in turns (the sweep's fastest). */
  batchSize: number;
  pairs: InferencePair[];
  sentence: { text: string; words: number; tokens: number };
}

/** About 20 words, in the dataset's subject (the GOP debate of August 2015). */
export const LATENCY_SENTENCE = 'I watched the whole debate last night and honestly the candidates talked a lot but said almost nothing new again';

function argmaxRows(probs: ArrayLike<number>, n: number, C: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (probs[i * C + c]! > probs[i * C + best]!) best = c;
    out[i] = best;
  }
  return out;
}

const share = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let same = 0;
  for (let i = 0; i < a.length; i++) same += a[i] === b[i] ? 1 : 0;
  return same / a.length;
};

export async function realInference(tf: typeof TF, zip: Uint8Array, opts: RealInferenceOptions): Promise<RealInferenceResult> {
  const { createSentimentModel } = await import('../src/sentiment/sentiment-model');
  const { train, test } = await notebookSplits(zip);
  const model = await createSentimentModel();
  try {
    // A fixed number of training batches: fit() stops at the next batch once the signal is aborted.
    const stop = new AbortController();
    await model.fit(train, {
      epochs: 1,
      batchSize: 32,
      signal: stop.signal,
      onBatchEnd: (b) => {
        if (b.batch >= opts.trainBatches) stop.abort();
      },
    });
    const net = model.sequential!;
    const enc = model.encode(test.texts);
    const n = test.texts.length;
    const T = enc.T;
    const C = model.labelNames.length;
    const labels = test.labels; // the same label order: the model's labels are the training split's
    const oursPass = async (batchSize: number) => {
      const a = performance.now();
      const out = await net.predict({ data: enc.ids, shape: [n, T] }, { batchSize });
      return { seconds: (performance.now() - a) / 1000, classes: argmaxRows(out.data, n, C) };
    };

    // Ours: which batch size serves the split best (one warm-up pass, then one timed pass each).
    const sweep: SplitPass[] = [];
    await oursPass(opts.batchSizes[0]!);
    let oursClasses: Uint32Array | null = null;
    for (const b of opts.batchSizes) {
      const r = await oursPass(b);
      oursClasses ??= r.classes;
      sweep.push({ batchSize: b, what: `Sequential.predict(ids, { batchSize: ${b} })`, seconds: r.seconds, seqPerSec: n / r.seconds });
    }
    const best = sweep.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    if (opts.endToEnd) {
      const a = performance.now();
      await model.predict(test.texts);
      const seconds = (performance.now() - a) / 1000;
      sweep.push({ batchSize: null, what: 'SentimentModel.predict(texts) (cleaning and tokenizing included)', seconds, seqPerSec: n / seconds });
    }
    const oursAccuracy = share(oursClasses!, labels);

    // The TF.js model with our weights, through our export (Keras's names, shapes and gate order).
    const artifacts = await model.exportTfjs();
    const specs = artifacts.modelJson.weightsManifest[0]!.weights;
    const values = new Float32Array(artifacts.weightsBin.slice().buffer);
    const sentenceIds = model.encode([LATENCY_SENTENCE]);

    const pairs: InferencePair[] = [];
    for (const p of opts.peers) {
      await tf.setBackend(p.backend);
      await tf.ready();
      const tfModel = tf.sequential({
        layers: [
          tf.layers.embedding({ inputDim: model.config.vocabSize, outputDim: model.config.embedDim, inputLength: T }),
          tf.layers.spatialDropout1d({ rate: 0.4 }),
          tf.layers.lstm({ units: model.config.units, dropout: 0.2, recurrentDropout: 0.2, recurrentActivation: 'sigmoid' }),
          tf.layers.dense({ units: C, activation: 'softmax' }),
        ],
      });
      let o = 0;
      // setWeights checks every shape: a different order (or layout) of our export throws here.
      tfModel.setWeights(
        specs.map((w) => {
          const size = w.shape.reduce((a, b) => a * b, 1);
          const t = tf.tensor(values.subarray(o, o + size), w.shape, 'float32');
          o += size;
          return t;
        }),
      );
      const ids = Int32Array.from(enc.ids);
      const tfPredict = async (from: number, rows: number): Promise<{ ms: number; classes: Uint32Array }> => {
        const x = tf.tensor2d(ids.subarray(from * T, (from + rows) * T), [rows, T], 'int32');
        const a = performance.now();
        const y = tfModel.predict(x) as TF.Tensor; // the default batch size, 32, as the notebook's predict
        const probs = await y.data();
        const ms = performance.now() - a;
        x.dispose();
        y.dispose();
        return { ms, classes: argmaxRows(probs, rows, C) };
      };
      try {
        const peerFirstMs = (await tfPredict(0, 32)).ms;
        const rowsPerTurn = Math.min(n, p.rowsPerTurn ?? n);
        const oursSeconds: number[] = [];
        const peerMs: number[] = [];
        let peerClasses: Uint32Array | null = null;
        for (let r = 0; r < p.rounds; r++) {
          // Whole-split turns all start at row 0; slices move on through the split.
          const from = rowsPerTurn === n ? 0 : (r * rowsPerTurn) % (n - rowsPerTurn);
          const peerTurn = async () => {
            const t = await tfPredict(from, rowsPerTurn);
            peerMs.push(t.ms);
            if (rowsPerTurn === n) peerClasses = t.classes;
          };
          if (r % 2 === 1) await peerTurn();
          oursSeconds.push((await oursPass(best.batchSize!)).seconds);
          if (r % 2 === 0) await peerTurn();
        }
        let latency: InferencePair['latency'] = null;
        if (p.latencyReps > 0) {
          const x = () => tf.tensor2d(Int32Array.from(sentenceIds.ids), [1, T], 'int32');
          // As a page would: the text in, the probabilities out (ours cleans and tokenizes inside predict;
          // TF.js gets the ids, tokenized once — microseconds, which favours it slightly).
          const oursOne = async () => {
            const a = performance.now();
            await model.predict([LATENCY_SENTENCE]);
            return performance.now() - a;
          };
          const peerOne = async () => {
            const xs = x();
            const a = performance.now();
            const y = tfModel.predict(xs) as TF.Tensor;
            await y.data();
            const ms = performance.now() - a;
            xs.dispose();
            y.dispose();
            return ms;
          };
          for (let i = 0; i < opts.latencyWarmup; i++) {
            await oursOne();
            await peerOne();
          }
          const ours: number[] = [];
          const peer: number[] = [];
          for (let i = 0; i < p.latencyReps; i++) {
            if (i % 2 === 0) {
              ours.push(await oursOne());
              peer.push(await peerOne());
            } else {
              peer.push(await peerOne());
              ours.push(await oursOne());
            }
          }
          latency = { reps: p.latencyReps, ours: timing(ours), peer: timing(peer) };
        }
        const oursMedian = timing(oursSeconds).medianMs; // (seconds: `timing` only sorts)
        const peerMedian = timing(peerMs).medianMs;
        pairs.push({
          peer: `TF.js ${tf.version.tfjs} ${p.backend}`,
          oursSeconds,
          peerMs,
          peerRowsPerTurn: rowsPerTurn,
          peerFirstMs,
          oursSeqPerSec: n / oursMedian,
          peerSeqPerSec: (rowsPerTurn * 1000) / peerMedian,
          peerAccuracy: peerClasses ? share(peerClasses, labels) : null,
          agreement: peerClasses ? share(peerClasses, oursClasses!) : null,
          latency,
        });
      } finally {
        tfModel.dispose();
      }
    }
    const choice = model.maxLenChoice;
    return {
      rows: n,
      T,
      maxLenChoice: choice ? (choice.capped ? `the 99th percentile of the training texts' lengths; the longest, ${choice.longest}, is an outlier` : 'the longest training text') : 'configured',
      meanTokens: enc.lengths.reduce((s, l) => s + l, 0) / n,
      trainBatches: opts.trainBatches,
      oursAccuracy,
      sweep,
      batchSize: best.batchSize!,
      pairs,
      sentence: { text: LATENCY_SENTENCE, words: LATENCY_SENTENCE.split(/\s+/).length, tokens: sentenceIds.lengths[0]! },
    };
  } finally {
    model.dispose();
  }
}
