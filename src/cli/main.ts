/**
 * `webgpu-lstm <command> [options]`: picks the subcommand. Each subcommand exports `run(argv)` and returns
 * its exit code: 0 done, 1 bad input or a failure (one sentence on stderr), 2 a usage error.
 */
import { version } from '../../package.json';
import { run as forecast } from './forecast';
import { runGenerate, runLm } from './lm';
import { runPredict, runSummary } from './model-commands';
import { run as train } from './train';

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; summary: string }> = {
  train: { run: train, summary: 'train the sentiment classifier on a .zip/.csv (default: the built-in sentences), or fine-tune a Keras one (--resume)' },
  forecast: { run: forecast, summary: 'train a recurrent forecaster on a numeric column of a CSV (default: the built-in series)' },
  lm: { run: runLm, summary: 'train a character (or word) language model on a text file (default: the built-in text)' },
  generate: { run: runGenerate, summary: 'continue a prompt with a language model saved by lm' },
  summary: { run: runSummary, summary: 'describe any model file (.zip, Keras .keras/.h5, TF.js model.json)' },
  predict: { run: runPredict, summary: 'classify texts with a sentiment model, or a Keras classifier and its tokenizer' },
};

const HELP = `webgpu-lstm ${version}: recurrent networks (LSTM, GRU, SimpleRNN) on WebGPU (Dawn in Node)

usage: webgpu-lstm <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

  webgpu-lstm <command> --help    the command's options
  webgpu-lstm --version

  --verbose     (any command) also print what the Vulkan drivers say while Dawn looks for an adapter
                (hidden by default; shown anyway when none is found). Same as WEBGPU_LSTM_VERBOSE=1.`;

export async function main(args: string[]): Promise<number> {
  // --verbose is the one option every command takes: the device acquisition reads it from the environment.
  const argv = args.filter((a) => a !== '--verbose');
  if (argv.length !== args.length) process.env.WEBGPU_LSTM_VERBOSE = '1';
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    console.log(HELP);
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    console.log(version);
    return 0;
  }
  const command = COMMANDS[first];
  if (!command) {
    console.error(`error: unknown command "${first}" (commands: ${Object.keys(COMMANDS).join(', ')}; see webgpu-lstm --help)`);
    return 2;
  }
  return command.run(rest);
}
