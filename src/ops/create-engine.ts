/**
 * The one place engines are made: an engine with every op's kernels (and the optimizer's) compiled for
 * its tuning, which is what models run on, and the default one that models share unless given one.
 */
import { Engine, type EngineOptions } from '../engine/engine';
import { acquireGpu } from '../gpu/device';
import type { RecurrentCell } from './recurrence';
import { cellKernels, halfWeightKernels, opKernels } from './kernels';
import { checkSchedule, sequenceDevice } from './lstm-schedule';
import type { TunedVariant } from '../kernels/variants';

/**
 * The kernels follow the device as well as the tuning and schedule: the subgroup LSTM forward exists only
 * where the device has the `subgroups` feature, in the widest shape its limits allow (ops/lstm-schedule.ts);
 * a schedule that asks for it on a device without the feature is an error here.
 */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  const gpu = options.gpu ?? (await acquireGpu(options.acquire));
  const device = sequenceDevice(gpu.device);
  try {
    checkSchedule(options.lstmSchedule ?? 'auto', device);
    return await Engine.create({ ...options, gpu, kernels: (tuning, schedule) => opKernels(tuning, schedule, device).filter((v) => !v.feature || gpu.device.features.has(v.feature)) });
  } catch (e) {
    if (!options.gpu) gpu.destroy();
    throw e;
  }
}

/**
 * Compile what these cells add to the engine (a GRU's or a SimpleRNN's kernels; the LSTM's are always
 * there), once per engine and cell: models await it before their first step, so nothing compiles inside
 * one. Kernels that need more workgroup memory than the device offers are left out, as at creation.
 */
export function prepareCells(engine: Engine, cells: Iterable<RecurrentCell['kind']>): Promise<void> {
  return prepareOnDevice(engine, cellKernels(cells, engine.tuning, engine.lstmSchedule, sequenceDevice(engine.device)));
}

/** The kernels of inference with 16-bit recurrent weights, compiled on first use (once per engine). */
export function prepareHalfWeights(engine: Engine): Promise<void> {
  return prepareOnDevice(engine, halfWeightKernels(engine.tuning, engine.lstmSchedule, sequenceDevice(engine.device)));
}

/** Compile the variants this device can run (its workgroup memory and features), leaving out the rest. */
function prepareOnDevice(engine: Engine, variants: readonly TunedVariant[]): Promise<void> {
  const storage = engine.device.limits.maxComputeWorkgroupStorageSize;
  return engine.prepare(variants.filter((v) => (v.workgroupBytes ?? 0) <= storage && (!v.feature || engine.device.features.has(v.feature))));
}

let defaultEngine: Promise<Engine> | null = null;

/** One engine per page or process (created on first use, on the default device) unless the caller brings its own. */
export function getDefaultEngine(): Promise<Engine> {
  defaultEngine ??= createEngine();
  return defaultEngine;
}
