/**
 * The `webgpu-lstm` command (package.json "bin"; built to dist/cli.js, plain JavaScript for Node).
 * WebGPU comes from Dawn; the exit code is the subcommand's.
 */
import { installDawn } from '../gpu/device-node';
import { main } from './main';

installDawn();
const code = await main(process.argv.slice(2));
// Dawn keeps handles open; the command is done once its output is written.
process.exit(code);
