/** An engine with every op's kernels (and the optimizer's) compiled for its tuning: what models run on. */
import { Engine, type EngineOptions } from '../engine/engine';
import { opKernels } from './kernels';

export function createEngine(options: Omit<EngineOptions, 'kernels'> = {}): Promise<Engine> {
  return Engine.create({ ...options, kernels: opKernels });
}
