/**
 * Accuracy acceptance run (prints numbers; not a test): the notebook's classic recipe on
 * ../shared/data/Sentiment.zip — drop Neutral, test share 0.33, fixed seed — evaluating the test split
 * after every epoch, up to --epochs (default 10). Exits 1 if the archive is absent (a stated skip).
 *
 *   node bench/launch.mjs bench/accuracy.ts [--epochs 10] [--seed 141] [--bucketing] [--no-mask]
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadDataset } from '../src/data/dataset';
import { splitDataset } from '../src/data/split';
import { formatConfusion, formatReport } from '../src/metrics/report';
import { createSentimentModel } from '../src/model/sentiment-model';
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
  const data = await loadDataset(fs.readFileSync(SENTIMENT_ZIP), 'Sentiment.zip', { dropLabels: ['Neutral'] });
  const { train, test } = splitDataset(data, { testSize: 0.33, seed });
  const model = await createSentimentModel({ seed, maskZero: !argv.includes('--no-mask') });
  console.log(`Sentiment.zip, Neutral dropped: train ${train.texts.length}, test ${test.texts.length}; seed ${seed}; ${model.engine.gpu.backend}`);
  const t0 = performance.now();
  let best = { epoch: 0, accuracy: 0, macroF1: 0 };
  await model.fit(train, {
    epochs,
    batchSize: 32,
    bucketing: argv.includes('--bucketing'),
    onEpochEnd: async (e) => {
      const ev = await model.evaluate(test);
      if (ev.accuracy > best.accuracy) best = { epoch: e.epoch, accuracy: ev.accuracy, macroF1: ev.report.macroAvg.f1 };
      console.log(
        `epoch ${e.epoch}: train loss ${e.loss.toFixed(4)} acc ${e.accuracy.toFixed(4)} | test loss ${ev.loss.toFixed(4)} ` +
          `accuracy ${ev.accuracy.toFixed(4)} macro-F1 ${ev.report.macroAvg.f1.toFixed(4)} | ${e.seconds.toFixed(0)} s, ${e.sequencesPerSecond.toFixed(0)} seq/s`,
      );
      if (e.epoch === e.epochs) console.log(`\n${formatReport(ev.report)}\n${formatConfusion(ev.report)}`);
    },
  });
  console.log(`best test accuracy ${best.accuracy.toFixed(4)} (macro-F1 ${best.macroF1.toFixed(4)}) at epoch ${best.epoch}; ${((performance.now() - t0) / 60000).toFixed(1)} min in all`);
  model.dispose();
  return 0;
}
