// Vitest setup (every test file runs in Node): engines get their device from Dawn, as the Node entry does.
import { installDawn } from '../../src/gpu/device-node';

installDawn();
