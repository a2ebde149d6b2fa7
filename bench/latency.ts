/**
 * One sentence, predicted (issue #29 §4): the median of many `SentimentModel.predict([text])` of the
 * try-it box's 20-word sentence at the notebook's recipe (vocabulary 2000, embedding 128, LSTM 196,
 * softmax over 3 classes, maxLen 28, masking), and where its time goes: the host work before the submit
 * (cleaning and tokenizing, the batch size and limit checks, gathering the batch, encoding the step),
 * the dispatches it encodes, the GPU's time (submit → onSubmittedWorkDone) and the readback's; beside it
 * the floor, an empty step (one clear, one 4-byte readback); and the prediction again once the model's
 * token tables are built (after a larger prediction; the breakdown below is of that state). Node (Dawn);
 * prints numbers, asserts nothing.
 *
 *   node bench/launch.mjs bench/latency.ts [--reps 60] [--tuning cpu|gpu] [--schedule auto|timestep|1|2|4]
 */
import { createEngine } from '../src/ops/create-engine';
import { installDawn } from '../src/gpu/device-node';
import { createSentimentModel } from '../src/sentiment/sentiment-model';
import type { LstmSchedule, SequenceRows, Tuning } from '../src/kernels/variants';
import type { Step } from '../src/engine/step';
import { gatherInputs, type Inputs } from '../src/layers/data';
import { LATENCY_SENTENCE } from './real-inference';
import { timing } from './workloads';

installDawn();

const arg = (argv: string[], name: string, fallback: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1]! : fallback);
const median = (xs: number[]) => timing(xs).medianMs;

/** Texts whose words include the sentence's, so that it tokenizes to 20 known ids. */
function corpus(n: number): { texts: string[]; labels: number[]; labelNames: string[] } {
  const words = LATENCY_SENTENCE.toLowerCase().split(' ');
  let s = 7;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const texts = Array.from({ length: n }, (_, i) => {
    const len = 5 + Math.floor(rnd() * 23);
    return Array.from({ length: len }, () => (rnd() < 0.5 ? words[Math.floor(rnd() * words.length)] : `w${Math.floor(rnd() * 3000)}`)).join(' ') + (i === 0 ? ` ${'x '.repeat(27)}` : '');
  });
  return { texts, labels: texts.map((_, i) => i % 3), labelNames: ['negative', 'neutral', 'positive'] };
}

export async function main(argv: string[]): Promise<number> {
  const reps = Number(arg(argv, '--reps', '60'));
  const tuning = arg(argv, '--tuning', '') as Tuning | '';
  const sched = arg(argv, '--schedule', 'auto');
  const lstmSchedule: LstmSchedule = sched === 'auto' || sched === 'timestep' ? sched : { sequenceRows: Number(sched) as SequenceRows };
  const engine = await createEngine({ ...(tuning ? { tuning } : {}), lstmSchedule });
  const model = await createSentimentModel({ maxLen: 28 }, { engine });
  const data = corpus(64);
  const stop = new AbortController();
  await model.fit(data, { epochs: 1, batchSize: 32, signal: stop.signal, onBatchEnd: () => stop.abort() });
  const net = model.sequential!;
  const enc = model.encode([LATENCY_SENTENCE]);
  console.log(`one sentence (${enc.lengths[0]} of T = ${enc.T} tokens), recipe size, ${engine.gpu.backend}, ${engine.tuning}-tuned, schedule ${sched}, median of ${reps}`);

  // Warm-up: pipelines, pooled buffers, bind groups, the readback schedule's estimate.
  for (let i = 0; i < 5; i++) await model.predict([LATENCY_SENTENCE]);

  // The end-to-end figure: what a page calls.
  const total: number[] = [];
  for (let i = 0; i < reps; i++) {
    const a = performance.now();
    await model.predict([LATENCY_SENTENCE]);
    total.push(performance.now() - a);
  }

  // The same after a prediction of more tokens than the vocabulary has (the test report after training
  // does this): the input projection is then a lookup in the token tables (layers/token-tables.ts).
  await model.predict(corpus(300).texts);
  const warm: number[] = [];
  for (let i = 0; i < reps; i++) {
    const a = performance.now();
    await model.predict([LATENCY_SENTENCE]);
    warm.push(performance.now() - a);
  }

  // The floor: an empty step, one clear and one 4-byte readback.
  const scratch = engine.allocate(4, 'latency floor');
  const empty: number[] = [];
  for (let i = 0; i < reps; i++) {
    const a = performance.now();
    const step = engine.beginStep({ grad: false, label: 'empty step' });
    step.clear(scratch);
    const p = step.read(scratch);
    step.submit();
    await p;
    empty.push(performance.now() - a);
  }
  // What a dispatch costs on its own: 20 one-workgroup dispatches of a 4-element bias add, in one step.
  const bias = engine.allocate(4, 'latency bias');
  const trivial: number[] = [];
  for (let i = 0; i < reps; i++) {
    const a = performance.now();
    const step = engine.beginStep({ grad: false, label: 'trivial dispatches' });
    for (let d = 0; d < 20; d++) step.dispatch('add_bias', { buffers: { Y: scratch, bias }, params: { rows: 1, cols: 4, offY: 0, offBias: 0 }, workgroups: [1, 1, 1] });
    const p = step.read(scratch);
    step.submit();
    await p;
    trivial.push(performance.now() - a);
  }
  engine.release(bias);
  engine.release(scratch);

  // The breakdown, phase by phase, as predictPrepared runs them (the same calls, timed apart).
  const phases: Record<string, number[]> = { 'clean + tokenize + pad': [], 'rowsPerStep (limits)': [], 'gather batch': [], 'encode step': [], 'submit': [], 'submit → GPU done': [], 'GPU done → readback': [], 'readback alone (submit → data)': [] };
  const push = (k: string, v: number) => phases[k]!.push(v);
  let dispatches: string[] = [];
  const netAny = net as unknown as { rowsPerStep(T: number, b: number): number; encodeInference(s: Step, b: ReturnType<typeof gatherInputs>): Promise<Float32Array> };
  for (let i = 0; i < reps; i++) {
    for (const waitDone of [true, false]) {
      let a = performance.now();
      const e = model.encode([LATENCY_SENTENCE]);
      let b = performance.now();
      push('clean + tokenize + pad', b - a);
      const inputs: Inputs = { values: e.ids, shape: [1, e.T], nested: false, N: 1, T: e.T, F: 1 };
      a = performance.now();
      netAny.rowsPerStep(e.T, 256);
      b = performance.now();
      push('rowsPerStep (limits)', b - a);
      a = b;
      const batch = gatherInputs(inputs, [0], net.graph.input.kind);
      b = performance.now();
      push('gather batch', b - a);
      a = b;
      const step = engine.beginStep({ grad: false, label: 'predict step' });
      const seen: string[] = [];
      const dispatch = step.dispatch.bind(step);
      step.dispatch = (shader, args) => {
        seen.push(`${shader}[${args.workgroups.join('×')}]`);
        dispatch(shader, args);
      };
      const out = netAny.encodeInference(step, batch);
      b = performance.now();
      push('encode step', b - a);
      a = b;
      step.submit();
      const submitted = performance.now();
      push('submit', submitted - a);
      dispatches = seen;
      if (waitDone) {
        await engine.device.queue.onSubmittedWorkDone();
        const done = performance.now();
        push('submit → GPU done', done - submitted);
        await out;
        push('GPU done → readback', performance.now() - done);
      } else {
        await out;
        push('readback alone (submit → data)', performance.now() - submitted);
      }
    }
  }

  const row = (k: string, v: number) => console.log(`  ${k.padEnd(34)} ${v.toFixed(2).padStart(7)} ms`);
  row('SentimentModel.predict([text])', median(total));
  row('  the same, token tables built', median(warm));
  row('empty step (floor)', median(empty));
  row('step of 20 trivial dispatches', median(trivial));
  console.log('  breakdown (medians):');
  for (const [k, v] of Object.entries(phases)) row(`  ${k}`, median(v));
  const counts = new Map<string, number>();
  for (const d of dispatches) counts.set(d, (counts.get(d) ?? 0) + 1);
  console.log(`  ${dispatches.length} dispatches: ${[...counts].map(([d, n]) => (n > 1 ? `${n}× ${d}` : d)).join(', ')}`);
  // GPU time per kernel (timestamp queries, one pass per dispatch: slower in total than a plain step).
  if (engine.gpu.features.has('timestamp-query')) {
    const sums = new Map<string, number[]>();
    for (let i = 0; i < Math.min(reps, 20); i++) {
      const e = model.encode([LATENCY_SENTENCE]);
      const batch = gatherInputs({ values: e.ids, shape: [1, e.T], nested: false, N: 1, T: e.T, F: 1 }, [0], net.graph.input.kind);
      const step = engine.beginStep({ grad: false, label: 'profiled predict', profile: true });
      const out = netAny.encodeInference(step, batch);
      step.submit();
      await out;
      for (const [k, v] of await step.profile!) (sums.get(k) ?? sums.set(k, []).get(k)!).push(v.ms);
    }
    console.log(`  GPU time per kernel (timestamp queries, medians): ${[...sums].map(([k, v]) => `${k} ${median(v).toFixed(2)} ms`).join(', ')}`);
  }
  model.dispose();
  engine.destroy();
  return 0;
}
