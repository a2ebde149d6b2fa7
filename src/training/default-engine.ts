/** The engine models share unless given one: created on first use, on the default device. */
import type { Engine } from '../engine/engine';
import { createEngine } from '../ops/create-engine';

let defaultEngine: Promise<Engine> | null = null;

/** One engine per page or process unless the caller brings its own. */
export function getDefaultEngine(): Promise<Engine> {
  defaultEngine ??= createEngine();
  return defaultEngine;
}
