/**
 * Accuracy acceptance run (prints numbers; not a test): the sentiment recipe on
 * ../shared/data/Sentiment.zip — drop Neutral, test share 0.33, fixed seed. By default the model is
 * chosen honestly: a validation share of the training rows, early stopping on validation loss with the
 * best epoch's weights restored, and the test split evaluated once, at the end. `--peek` instead
 * evaluates the test split after every epoch (how the notebook's best epoch used to be found).
 * Exits 1 if the archive is absent (a stated skip).
 *
 *   node bench/launch.mjs bench/accuracy.ts [--epochs 10] [--seed 141] [--val 0.1] [--patience 2]
 *        [--class-weights balanced] [--bidirectional] [--cell lstm|gru|rnn] [--units N] [--lr F] [--no-bucketing]
 *        [--no-mask] [--peek]
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadDataset } from '../src/data/dataset';
import { splitDataset } from '../src/data/split';
import { formatConfusion, formatReport } from '../src/metrics/report';
import { checkCell } from '../src/layers/specs';
import type { ModelConfig } from '../src/sentiment/config';
import { createSentimentModel } from '../src/sentiment/sentiment-model';
import { installDawn } from '../src/gpu/device-node';

installDawn(); // Node: engines get their device from Dawn

export const SENTIMENT_ZIP = path.resolve(process.cwd(), '../shared/data/Sentiment.zip');

export async function main(argv: string[]): Promise<number> {
  const opt = (name: string, d: number) => (argv.includes(`--${name}`) ? Number(argv[argv.indexOf(`--${name}`) + 1]) : d);
  if (!fs.existsSync(SENTIMENT_ZIP)) {
    console.log(`SKIPPED: ${SENTIMENT_ZIP} is absent; the accuracy acceptance run needs the notebook's archive.`);
    return 1;
  }
  const epochs = opt('epochs', 10);
  const seed = opt('seed', 141);
  const peek = argv.includes('--peek');
  const valSize = peek ? 0 : opt('val', 0.1);
  const patience = opt('patience', 2);
  const config: Partial<ModelConfig> = { seed, maskZero: !argv.includes('--no-mask') };
  if (argv.includes('--class-weights')) config.classWeights = 'balanced';
  if (argv.includes('--bidirectional')) config.bidirectional = true;
  if (argv.includes('--cell')) config.cell = checkCell(argv[argv.indexOf('--cell') + 1], '--cell');
  if (argv.includes('--units')) config.units = opt('units', 196);
  if (argv.includes('--lr')) config.learningRate = opt('lr', 1e-3);
  const data = await loadDataset(fs.readFileSync(SENTIMENT_ZIP), 'Sentiment.zip', { dropLabels: ['Neutral'] });
  const { train, validation, test } = splitDataset(data, { testSize: 0.33, validationSize: valSize, seed });
  const model = await createSentimentModel(config);
  console.log(
    `Sentiment.zip, Neutral dropped: train ${train.texts.length}, validation ${validation?.texts.length ?? 0}, test ${test.texts.length}; seed ${seed}; ` +
      `${JSON.stringify(config)}; ${peek ? 'test split evaluated every epoch (--peek)' : `early stopping on validation loss, patience ${patience}; test evaluated once`}; ${model.engine.gpu.backend}`,
  );
  const t0 = performance.now();
  let best = { epoch: 0, accuracy: 0, macroF1: 0 };
  const history = await model.fit(train, {
    epochs,
    batchSize: 32,
    bucketing: !argv.includes('--no-bucketing'),
    ...(validation ? { validation, earlyStopping: { patience, monitor: 'val_loss' as const } } : {}),
    onEpochEnd: async (e) => {
      let line = `epoch ${e.epoch}: train loss ${e.loss.toFixed(4)} acc ${e.accuracy.toFixed(4)}`;
      if (e.valLoss !== null) line += ` | val loss ${e.valLoss.toFixed(4)} acc ${e.valAccuracy!.toFixed(4)}`;
      if (peek) {
        const ev = await model.evaluate(test);
        if (ev.accuracy > best.accuracy) best = { epoch: e.epoch, accuracy: ev.accuracy, macroF1: ev.report.macroAvg.f1 };
        line += ` | test loss ${ev.loss.toFixed(4)} accuracy ${ev.accuracy.toFixed(4)} macro-F1 ${ev.report.macroAvg.f1.toFixed(4)}`;
      }
      console.log(`${line} | ${e.seconds.toFixed(0)} s, ${e.sequencesPerSecond.toFixed(0)} seq/s`);
    },
  });
  const ev = await model.evaluate(test);
  console.log(`\n${formatReport(ev.report)}\n${formatConfusion(ev.report)}`);
  if (peek) console.log(`best test accuracy ${best.accuracy.toFixed(4)} (macro-F1 ${best.macroF1.toFixed(4)}) at epoch ${best.epoch}, found by looking at the test split`);
  else console.log(`kept epoch ${history.bestEpoch} of ${history.epochs.length} (chosen on validation loss): test accuracy ${ev.accuracy.toFixed(4)}, macro-F1 ${ev.report.macroAvg.f1.toFixed(4)}`);
  console.log(`${((performance.now() - t0) / 60000).toFixed(1)} min in all`);
  model.dispose();
  return 0;
}
