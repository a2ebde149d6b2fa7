/**
 * The one place engines are made: an engine with every op's kernels (and the optimizer's) compiled for
 * its tuning, which is what models run on, and the default one that models share unless given one.
 */
import { Engine, type EngineOptions } from '../engine/engine';
import { opKernels } from './kernels';

export function createEngine(options: EngineOptions = {}): Promise<Engine> {
  return Engine.create({ ...options, kernels: opKernels });
}

let defaultEngine: Promise<Engine> | null = null;

/** One engine per page or process (created on first use, on the default device) unless the caller brings its own. */
export function getDefaultEngine(): Promise<Engine> {
  defaultEngine ??= createEngine();
  return defaultEngine;
}
