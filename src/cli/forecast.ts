/**
 * `webgpu-lstm forecast`: train an LSTM forecaster on a numeric column of a CSV (default: the built-in
 * series), tested as forecasters should be: a chronological split, scaling fitted on the training part,
 * and the model's test RMSE and MAE (in the series' units) beside two baselines on the same windows.
 *
 *   webgpu-lstm forecast [series.csv] [--column C] [--window 30] [--horizon 1] [--epochs 20] [--units 32] …
 */
import { builtinSeriesBytes } from '../builtin';
import { DatasetError } from '../data/errors';
import { readTable } from '../data/table';
import { numericSeries } from '../forecast/series';
import { createForecaster, DEFAULT_FORECAST, trainForecaster, type ForecastSettings } from '../forecast/train';
import { unscale } from '../forecast/windows';
import { cellOption, numberOf, readOptions } from './args';
import { CELL_TITLES } from '../layers/specs';
import { gpuLine, openInputFile, runCommand } from './command';
import { checkWritableFile, writeFileAtomic } from './files';
import { progressPrinter } from './progress';

const HELP = `usage: webgpu-lstm forecast [series.csv|.zip] [options]

  file                 a CSV (or a zip holding one) with a numeric column; default: the built-in
                       series (eight years of synthetic daily temperatures)
  --column C           the column to forecast (default: the only numeric column)
  --window N           past values the model sees, default 30
  --horizon N          future values it predicts at once, default 1
  --test-size F        the last share of the series to test on, default 0.33
  --epochs N           default 20
  --batch-size N       default 32
  --cell C             recurrent cell: lstm (default), gru or rnn (SimpleRNN)
  --units N            recurrent units, default 32
  --lr F               Adam learning rate, default 0.01 (on scaled series of a few thousand
                       values, 0.001 needs many more epochs to pass persistence)
  --val-size F         validation share of the training windows (their last part), default 0.1
                       (0: none)
  --seed S             default 141
  --out FILE           where to save the model, default forecast-model.zip (with its scaling and
                       window, as user-defined metadata)
  --out-csv FILE       also write the test predictions (and both baselines) as CSV
  --export-keras FILE  also write a Keras 3 .keras archive (keras.saving.load_model)
  --help

Values that are not numbers (empty cells, typos) are skipped and counted. The test RMSE and MAE are in
the series' own units, next to persistence (next = last value) and the window mean on the same windows.`;

interface Args extends ForecastSettings {
  file: string | null;
  column?: string;
  out: string;
  outCsv: string | null;
  kerasFile: string | null;
}

function parseArgs(argv: string[]): Args | null {
  const a: Args = { ...DEFAULT_FORECAST, file: null, out: 'forecast-model.zip', outCsv: null, kerasFile: null };
  const read = readOptions(argv, (o) => {
    const f = o.flag;
    const v = o.value;
    const int = o.int;
    switch (f) {
      case '--column': a.column = v(); break;
      case '--window': a.window = int(1); break;
      case '--horizon': a.horizon = int(1); break;
      case '--test-size': a.testSize = numberOf(f, v(), { above: 0, below: 1 }); break;
      case '--epochs': a.epochs = int(1); break;
      case '--batch-size': a.batchSize = int(1); break;
      case '--cell': a.cell = cellOption(v()); break;
      case '--units': a.units = int(1); break;
      case '--lr': a.learningRate = numberOf(f, v(), { above: 0 }); break;
      case '--val-size': a.valSize = numberOf(f, v(), { min: 0, below: 1 }); break;
      case '--seed': {
        const s = v();
        a.seed = /^\d+$/.test(s) ? Number(s) : s;
        break;
      }
      case '--out': a.out = v(); break;
      case '--out-csv': a.outCsv = v(); break;
      case '--export-keras': a.kerasFile = v(); break;
      default:
        return false;
    }
    return true;
  });
  if (!read) return null;
  a.file = read.file;
  return a;
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(2) : v.toPrecision(4));

export function run(argv: string[]): Promise<number> {
  return runCommand(argv, parseArgs, HELP, forecast);
}

async function forecast(args: Args, interrupt: AbortSignal): Promise<number> {
  checkWritableFile(args.out, 'the model to');
  if (args.outCsv) checkWritableFile(args.outCsv, 'the predictions to');
  if (args.kerasFile) checkWritableFile(args.kerasFile, 'the Keras model to');
  const { source, name } = args.file ? await openInputFile(args.file, '.csv or .zip') : { source: await builtinSeriesBytes(), name: 'series.csv' };
  if (!args.file) console.log('series: the built-in one (eight years of synthetic daily temperatures)');
  const table = await readTable(source, name);
  const series = numericSeries(table, args.column);
  const skipped = series.skippedRows;
  console.log(
    `file: ${table.fileName}: ${table.rows} rows; column "${series.column}": ${series.values.length} values` +
      (skipped.length ? `; skipped ${skipped.length} that are not numbers (rows ${skipped.slice(0, 5).join(', ')}${skipped.length > 5 ? ', …' : ''})` : ''),
  );
  const settings: ForecastSettings = args;
  let prepared;
  try {
    prepared = await createForecaster(series.values, settings, series.column);
  } catch (e) {
    throw new DatasetError((e as Error).message);
  }
  const { model, data } = prepared;
  console.log(
    `windows of ${args.window} → next ${args.horizon}: train ${data.train.x.length}, test ${data.test.x.length} (the last ${((1 - data.testStart / series.values.length) * 100).toFixed(0)}% of the series, in time order); ` +
      `scaled with the training part's min ${fmt(data.scaler.min)} and max ${fmt(data.scaler.max)}`,
  );
  console.log(gpuLine(model.engine));
  const progress = progressPrinter();
  const t0 = performance.now();
  const result = await trainForecaster(model, data, settings, {
    signal: interrupt,
    onBatchEnd: (b) => progress.batch(b, `loss ${b.loss.toExponential(3)}`),
    onEpochEnd: (e) => {
      progress.epochEnd();
      console.log(`epoch ${e.epoch}/${e.epochs}: loss ${e.loss.toExponential(3)}${e.valLoss !== null ? `, val_loss ${e.valLoss.toExponential(3)}` : ''} (${e.seconds.toFixed(1)} s)`);
    },
  });
  if (result.history.stopped) console.error(`interrupted: testing the model of the last completed step`);
  console.log(`trained ${result.history.epochs.length} epochs in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const { predicted, baselines: base } = result;
  const rows = [
    [CELL_TITLES[args.cell], result.errors.model],
    ['persistence (next = last)', result.errors.persistence],
    [`window mean (last ${args.window})`, result.errors.windowMean],
  ] as const;
  console.log(`\ntest: ${data.test.x.length} windows, errors in the units of "${series.column}"\n`);
  console.log(`${''.padEnd(28)}${'RMSE'.padStart(10)}${'MAE'.padStart(10)}`);
  for (const [label, e] of rows) console.log(`${label.padEnd(28)}${fmt(e.rmse).padStart(10)}${fmt(e.mae).padStart(10)}`);
  console.log(`\nthe ${CELL_TITLES[args.cell]}'s RMSE is ${((result.errors.model.rmse / result.errors.persistence.rmse) * 100).toFixed(1)}% of persistence's`);
  writeFileAtomic(args.out, await model.save());
  console.log(`model saved to ${args.out}`);
  if (args.outCsv) {
    const head = ['index', ...Array.from({ length: args.horizon }, (_, k) => (args.horizon === 1 ? ['actual', 'predicted', 'persistence', 'window_mean'] : [`actual_${k + 1}`, `predicted_${k + 1}`, `persistence_${k + 1}`, `window_mean_${k + 1}`])).flat()];
    const s = data.scaler;
    const lines = data.test.at.map((t, i) =>
      [t, ...Array.from({ length: args.horizon }, (_, k) => [data.test.y[i]![k]!, predicted[i]![k]!, base.persistence[i]![k]!, base.windowMean[i]![k]!].map((v) => unscale(s, v).toFixed(4))).flat()].join(','),
    );
    writeFileAtomic(args.outCsv, `${head.join(',')}\n${lines.join('\n')}\n`);
    console.log(`test predictions written to ${args.outCsv}`);
  }
  if (args.kerasFile) {
    writeFileAtomic(args.kerasFile, await model.exportKeras());
    console.log(`Keras 3 model written to ${args.kerasFile} (keras.saving.load_model reads it)`);
  }
  model.dispose();
  model.engine.destroy();
  return interrupt.aborted ? 130 : 0;
}
