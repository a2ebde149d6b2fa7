/**
 * The one place engines are made: an engine with every op's kernels (and the optimizer's) compiled for
 * its tuning, which is what models run on, and the default one that models share unless given one.
 */
import { Engine, type EngineOptions } from '../engine/engine';
import type { RecurrentCell } from './recurrence';
import { cellKernels, opKernels } from './kernels';

export function createEngine(options: EngineOptions = {}): Promise<Engine> {
  return Engine.create({ ...options, kernels: opKernels });
}

/**
 * Compile what these cells add to the engine (a GRU's or a SimpleRNN's kernels; the LSTM's are always
 * there), once per engine and cell: models await it before their first step, so nothing compiles inside
 * one. Kernels that need more workgroup memory than the device offers are left out, as at creation.
 */
export async function prepareCells(engine: Engine, cells: Iterable<RecurrentCell['kind']>): Promise<void> {
  const storage = engine.device.limits.maxComputeWorkgroupStorageSize;
  await engine.prepare(cellKernels(cells, engine.tuning, engine.lstmSchedule).filter((v) => (v.workgroupBytes ?? 0) <= storage));
}

let defaultEngine: Promise<Engine> | null = null;

/** One engine per page or process (created on first use, on the default device) unless the caller brings its own. */
export function getDefaultEngine(): Promise<Engine> {
  defaultEngine ??= createEngine();
  return defaultEngine;
}
