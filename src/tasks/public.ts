/** Synthetic tasks as the package exposes them (`import { tasks } from 'webgpu-lstm'`). */
export { longDependency, raceCells } from './long-dependency';
export type { LongDependencyOptions, LongDependencyTask, RaceOptions, RacePoint, RaceResult } from './long-dependency';
