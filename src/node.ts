/**
 * webgpu-lstm in Node (the "node" export condition): everything the library entry exports, with WebGPU
 * from Dawn (the npm package `webgpu`, an optional dependency: an explained error if it is missing).
 */
import { installDawn } from './gpu/device-node';

installDawn();

export * from './index';
export { acquireDawn, SWIFTSHADER_ICDS } from './gpu/device-node';
