/**
 * All trainable parameters of a model live in one arena: four equally laid-out buffers for the values,
 * the gradients, and Adam's m and v. Each parameter is a window (aligned to 64 elements) of the arena.
 * That makes "clear all gradients" one clearBuffer, the global gradient norm one reduction, and the
 * Adam update one dispatch, whatever the number of parameters.
 */
import type { Engine } from './engine';
import { grid1d, type Step } from './step';
import { Tensor, type Slice } from './tensor';
import { kernel } from '../kernels/variants';

/** The optimizer's kernels (not a tape op: they run after the backward). */
export const OPTIMIZER_KERNELS = [kernel('grad_norm_partial'), kernel('grad_clip_scale'), kernel('adam'), kernel('sgd')];

export interface ParamSpec {
  name: string;
  shape: number[];
  init: Float32Array;
}

export interface AdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Clip the global gradient norm to this value; 0 or undefined: no clipping. */
  clipNorm?: number;
}

const ALIGN = 64;

export class ParameterStore {
  readonly tensors = new Map<string, Tensor>();
  readonly specs: ReadonlyArray<{ name: string; shape: number[]; offset: number; length: number }>;
  readonly total: number;
  readonly theta: Slice;
  readonly grad: Slice;
  readonly m: Slice;
  readonly v: Slice;
  /** [scale, norm, finite] written by the clipping kernels each step. */
  readonly clip: Slice;
  /** Adam's step counter (t in the bias correction). */
  step = 0;
  /**
   * Counts every change of the values (write, an Adam or SGD update encoded): what is derived from the
   * weights and kept (layers/token-tables.ts) is valid while this stays the same.
   */
  version = 0;
  private released = false;

  constructor(
    private readonly engine: Engine,
    params: ParamSpec[],
  ) {
    let offset = 0;
    const specs: Array<{ name: string; shape: number[]; offset: number; length: number }> = [];
    for (const p of params) {
      const length = p.shape.reduce((a, b) => a * b, 1);
      if (p.init.length !== length) throw new Error(`parameter "${p.name}": init has ${p.init.length} values, shape needs ${length}`);
      if (this.tensors.has(p.name) || specs.some((s) => s.name === p.name)) throw new Error(`duplicate parameter "${p.name}"`);
      specs.push({ name: p.name, shape: p.shape, offset, length });
      offset += Math.ceil(length / ALIGN) * ALIGN;
    }
    this.specs = specs;
    this.total = Math.max(offset, ALIGN);
    this.theta = engine.allocate(this.total, 'parameters');
    this.grad = engine.allocate(this.total, 'gradients');
    this.m = engine.allocate(this.total, 'adam m');
    this.v = engine.allocate(this.total, 'adam v');
    this.clip = engine.allocate(4, 'clip scale');
    const host = new Float32Array(this.total);
    params.forEach((p, i) => host.set(p.init, specs[i]!.offset));
    engine.write(this.theta, host);
    this.resetOptimizer();
    for (const s of specs) {
      const at = (slice: Slice): Slice => ({ buffer: slice.buffer, offset: s.offset, length: s.length });
      this.tensors.set(s.name, new Tensor(s.shape, at(this.theta), at(this.grad), s.name));
    }
  }

  get(name: string): Tensor {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`no parameter "${name}" (have: ${[...this.tensors.keys()].join(', ')})`);
    return t;
  }

  /** Zero m, v, the step counter and the gradients. */
  resetOptimizer(): void {
    const zeros = new Float32Array(this.total);
    this.engine.write(this.m, zeros);
    this.engine.write(this.v, zeros);
    this.engine.write(this.grad, zeros);
    this.engine.write(this.clip, new Float32Array([1, 0, 1, 0]));
    this.step = 0;
  }

  /** Values of every parameter, by name. */
  async read(): Promise<Map<string, Float32Array>> {
    const all = await this.engine.read(this.theta);
    return new Map(this.specs.map((s) => [s.name, all.slice(s.offset, s.offset + s.length)]));
  }

  /** Adam's moments over the whole arena and the step count (to save a model that can resume exactly). */
  async readOptimizer(): Promise<{ m: Float32Array; v: Float32Array; step: number }> {
    const [m, v] = await Promise.all([this.engine.read(this.m), this.engine.read(this.v)]);
    return { m, v, step: this.step };
  }

  /** Restore what readOptimizer returned (the arenas must have this store's layout). */
  writeOptimizer(state: { m: Float32Array; v: Float32Array; step: number }): void {
    if (state.m.length !== this.total || state.v.length !== this.total) throw new Error(`optimizer state of ${state.m.length} values for an arena of ${this.total}`);
    if (!(Number.isInteger(state.step) && state.step >= 0)) throw new Error(`invalid optimizer step ${state.step}`);
    this.engine.write(this.m, state.m);
    this.engine.write(this.v, state.v);
    this.step = state.step;
  }

  async readGrads(): Promise<Map<string, Float32Array>> {
    const all = await this.engine.read(this.grad);
    return new Map(this.specs.map((s) => [s.name, all.slice(s.offset, s.offset + s.length)]));
  }

  write(name: string, values: Float32Array): void {
    const t = this.get(name);
    if (values.length !== t.size) throw new Error(`parameter "${name}" has ${t.size} values, got ${values.length}`);
    this.engine.write(t.data, values);
    this.version++;
  }

  /** Clear every gradient (once, at the start of a training step). */
  zeroGrads(step: Step): void {
    step.clear(this.grad);
  }

  /**
   * Global-norm clipping then fused Adam over the whole arena: 3 dispatches for any model size.
   * A non-finite gradient norm makes Adam skip the update (the weights stay the last good ones);
   * `clip` then holds finite = 0, which the caller reads back with the loss.
   */
  adam(step: Step, opts: AdamOptions): void {
    const beta1 = opts.beta1 ?? 0.9;
    const beta2 = opts.beta2 ?? 0.999;
    const epsilon = opts.epsilon ?? 1e-7;
    if (!(opts.learningRate > 0)) throw new Error(`learning rate must be > 0, got ${opts.learningRate}`);
    const clipNorm = opts.clipNorm ?? 0;
    if (!(clipNorm >= 0)) throw new Error(`clipNorm must be ≥ 0, got ${clipNorm}`);
    this.step++;
    this.version++;
    const t = this.step;
    const lrT = (opts.learningRate * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    this.clipGradients(step, clipNorm);
    step.dispatch('adam', {
      buffers: { theta: this.theta, grad: this.grad, m: this.m, v: this.v, clip: this.clip },
      params: { n: this.total, lrT, beta1, beta2, epsilon },
      workgroups: grid1d(this.total),
    });
  }

  /**
   * Global-norm clipping then θ −= lr·g over the whole arena (Keras SGD without momentum). A non-finite
   * gradient norm skips the update, as with Adam.
   */
  sgd(step: Step, opts: { learningRate: number; clipNorm?: number }): void {
    if (!(opts.learningRate > 0)) throw new Error(`learning rate must be > 0, got ${opts.learningRate}`);
    const clipNorm = opts.clipNorm ?? 0;
    if (!(clipNorm >= 0)) throw new Error(`clipNorm must be ≥ 0, got ${clipNorm}`);
    this.step++;
    this.version++;
    this.clipGradients(step, clipNorm);
    step.dispatch('sgd', {
      buffers: { theta: this.theta, grad: this.grad, clip: this.clip },
      params: { n: this.total, learningRate: opts.learningRate },
      workgroups: grid1d(this.total),
    });
  }

  /** The global gradient norm into clip[1], its finiteness into clip[2], the clip scale into clip[0]. */
  private clipGradients(step: Step, clipNorm: number): void {
    const chunks = Math.min(Math.ceil(this.total / 1024), 64);
    const partials = step.scratch(chunks, 'grad norm partials');
    step.dispatch('grad_norm_partial', { buffers: { g: this.grad, partials }, params: { n: this.total }, workgroups: [chunks, 1, 1] });
    step.dispatch('grad_clip_scale', { buffers: { partials, outScale: this.clip }, params: { count: chunks, clipNorm }, workgroups: [1, 1, 1] });
  }

  destroy(): void {
    if (this.released) return;
    this.released = true;
    for (const s of [this.theta, this.grad, this.m, this.v, this.clip]) this.engine.release(s);
  }
}
