/**
 * The engine: a device, its buffer pool, its prepared kernels, and what its steps share across steps
 * (the uniform ring, the bind-group cache, the GPU errors). One step at a time is encoded (step.ts):
 * `beginStep` starts it, its submit ends it.
 */
import { acquireGpu, type AcquireOptions, type GpuContext, type GpuError } from '../gpu/device';
import { ReadbackSchedule } from './readback-schedule';
import { BufferPool, STORAGE_USAGE, UNIFORM_USAGE } from '../gpu/buffer-pool';
import { KernelRegistry, type Kernel, type KernelVariant } from '../kernels/registry';
import type { PreparedShader } from '../kernels/shader-types';
import { SHADERS } from '../kernels/shaders.generated';
import type { LstmSchedule, Tuning } from '../kernels/variants';
import { Step, UNIFORM_CHUNK_BYTES, type StepEngine, type UniformChunk } from './step';
import type { Slice } from './tensor';

export interface EngineOptions {
  /** Use this device context instead of acquiring one. */
  gpu?: GpuContext;
  acquire?: AcquireOptions;
  /** Prepared shaders by name (src/build/shaders.mjs); defaults to every kernel under shaders/. */
  shaders?: Readonly<Record<string, PreparedShader>>;
  /**
   * Kernel shapes for the LSTM steps, the GEMMs and the bias-gradient sums: 'cpu' (few invocations, much
   * register-tiled work each, no barriers: what a software adapter such as SwiftShader runs fastest) or
   * 'gpu' (many light invocations, workgroup tiles and reductions: what keeps a hardware GPU's cores busy
   * at this model's small sizes). Default: 'cpu' on a software adapter, else 'gpu'. Both compute the same
   * thing; tests run both.
   */
  tuning?: Tuning;
  /**
   * How the gpu-tuned LSTM runs its recurrence (LstmSchedule; default 'auto'). Benchmarks and tests
   * force one; models use 'auto'.
   */
  lstmSchedule?: LstmSchedule;
}

export type { Tuning };

/**
 * The kernel variants an engine compiles before `create` returns, given its tuning. The engine knows no
 * ops: whoever runs them says what they need (createEngine passes every op's and the optimizer's).
 */
export type KernelList = (tuning: Tuning, lstmSchedule: LstmSchedule) => ReadonlyArray<KernelVariant>;

export class Engine implements StepEngine {
  readonly device: GPUDevice;
  readonly pool: BufferPool;
  readonly kernels: KernelRegistry;
  private uniformChunks: UniformChunk[] = [];
  private bindGroups = new Map<string, GPUBindGroup>();
  private lastBindGroups = new WeakMap<Kernel, { buffers: GPUBuffer[]; uniform: GPUBuffer | null; bindGroup: GPUBindGroup }>();
  private bufferIds = new WeakMap<GPUBuffer, number>();
  private nextBufferId = 1;
  private errors: GpuError[] = [];
  private errorListeners: Array<(e: GpuError) => void> = [];
  private active: Step | null = null;
  private destroyed = false;
  /**
   * When to map readbacks, where waiting on the GPU costs a CPU core the GPU itself runs on (a software
   * adapter in a runtime that polls while a GPU promise is pending: Dawn in Node); null elsewhere.
   */
  readonly readbackSchedule: ReadbackSchedule | null;
  /** Dispatches encoded by the last submitted step. */
  lastStepDispatches = 0;
  stepsSubmitted = 0;

  /**
   * @internal Make engines with createEngine (ops/create-engine.ts), which passes every op's kernels: an
   * engine is only as good as the kernels it compiled, so the list is required here.
   */
  static async create(options: EngineOptions & { kernels: KernelList }): Promise<Engine> {
    const gpu = options.gpu ?? (await acquireGpu(options.acquire));
    const engine = new Engine(gpu, options.shaders ?? SHADERS, options.tuning ?? (gpu.software ? 'cpu' : 'gpu'), options.lstmSchedule ?? 'auto');
    // Kernels that declare more workgroup memory than this device offers are never compiled; the ops
    // that would use them check the same limit before choosing them.
    const storage = gpu.device.limits.maxComputeWorkgroupStorageSize;
    await engine.prepare(options.kernels(engine.tuning, engine.lstmSchedule).filter((v) => (v.workgroupBytes ?? 0) <= storage));
    return engine;
  }

  private constructor(
    readonly gpu: GpuContext,
    shaders: Readonly<Record<string, PreparedShader>>,
    readonly tuning: Tuning,
    readonly lstmSchedule: LstmSchedule,
  ) {
    this.device = gpu.device;
    this.pool = new BufferPool(this.device);
    this.kernels = new KernelRegistry(this.device, shaders);
    this.readbackSchedule = gpu.software && gpu.pollsWhileWaiting === true ? new ReadbackSchedule() : null;
    gpu.onError((e) => this.recordError(e));
  }

  /** @internal An error of the device or of a step: listeners hear it, and the next beginStep/sync throws it. */
  recordError(e: GpuError): void {
    this.errors.push(e);
    for (const l of this.errorListeners) l(e);
  }

  /** Listen for device loss and GPU errors (they are also thrown by the next `beginStep`/`sync`). */
  onError(listener: (e: GpuError) => void): () => void {
    this.errorListeners.push(listener);
    for (const e of this.errors) listener(e);
    return () => {
      this.errorListeners = this.errorListeners.filter((l) => l !== listener);
    };
  }

  /** Compile pipelines ahead of any training loop. */
  prepare(variants: ReadonlyArray<KernelVariant>): Promise<void> {
    return this.kernels.prepare(variants);
  }

  private throwIfFailed(): void {
    if (this.destroyed) throw new Error('the engine was destroyed');
    const e = this.errors[0];
    if (e) throw new Error(`GPU ${e.kind === 'lost' ? 'device lost' : `${e.kind} error`}: ${e.message}`);
  }

  /**
   * Start encoding a step. With `profile`, every dispatch gets its own compute pass with timestamp
   * writes, and `step.profile` resolves to GPU time per kernel after the submit; it needs the adapter's
   * 'timestamp-query' feature (an explained error otherwise).
   */
  beginStep(options: { grad: boolean; label?: string; profile?: boolean }): Step {
    this.throwIfFailed();
    if (this.active) throw new Error('a step is already being encoded; submit it first');
    if (options.profile && !this.gpu.features.has('timestamp-query')) {
      throw new Error("profiling needs the 'timestamp-query' feature, which this adapter does not offer");
    }
    this.active = new Step(this, options.grad, options.label ?? (options.grad ? 'train step' : 'eval step'), options.profile ?? false);
    return this.active;
  }

  /** Wait until the GPU has finished all submitted work, then surface any GPU error. */
  async sync(): Promise<void> {
    await this.device.queue.onSubmittedWorkDone();
    this.throwIfFailed();
  }

  /** A buffer held outside any step (weights, datasets); give it back with `release`. */
  allocate(length: number, label: string): Slice {
    return { buffer: this.pool.acquire(length * 4, STORAGE_USAGE, label), offset: 0, length };
  }

  release(slice: Slice): void {
    this.pool.release(slice.buffer);
  }

  write(slice: Slice, data: Float32Array | Uint32Array | Int32Array): void {
    if (data.length > slice.length) throw new Error(`writing ${data.length} elements into a slice of ${slice.length}`);
    this.device.queue.writeBuffer(slice.buffer, slice.offset * 4, data.buffer, data.byteOffset, data.byteLength);
  }

  /** Read a slice back (a convenience outside the training loop: one small step with one copy). */
  async read(slice: Slice): Promise<Float32Array> {
    const step = this.beginStep({ grad: false, label: 'read' });
    const p = step.read(slice);
    step.submit();
    return p;
  }

  async readU32(slice: Slice): Promise<Uint32Array> {
    const f = await this.read(slice);
    return new Uint32Array(f.buffer, f.byteOffset, f.length);
  }

  bufferId(b: GPUBuffer): number {
    let id = this.bufferIds.get(b);
    if (id === undefined) {
      id = this.nextBufferId++;
      this.bufferIds.set(b, id);
    }
    return id;
  }

  /** @internal */
  uniformChunk(i: number): UniformChunk {
    while (this.uniformChunks.length <= i) {
      const bytes = new ArrayBuffer(UNIFORM_CHUNK_BYTES);
      this.uniformChunks.push({
        buffer: this.pool.acquire(UNIFORM_CHUNK_BYTES, UNIFORM_USAGE, `uniform ring ${this.uniformChunks.length}`),
        bytes,
        view: new DataView(bytes),
      });
    }
    return this.uniformChunks[i]!;
  }

  /** @internal */
  bindGroup(kernel: Kernel, buffers: GPUBuffer[], uniform: GPUBuffer | null): GPUBindGroup {
    // A kernel dispatched again with the same buffers (a per-timestep loop: only the uniforms move) takes
    // its last bind group without building the cache key.
    const last = this.lastBindGroups.get(kernel);
    if (last && last.uniform === uniform && sameBuffers(last.buffers, buffers)) return last.bindGroup;
    const bindGroup = this.cachedBindGroup(kernel, buffers, uniform);
    this.lastBindGroups.set(kernel, { buffers, uniform, bindGroup });
    return bindGroup;
  }

  private cachedBindGroup(kernel: Kernel, buffers: GPUBuffer[], uniform: GPUBuffer | null): GPUBindGroup {
    let key = kernel.key;
    for (const b of buffers) key += `|${this.bufferId(b)}`;
    if (uniform) key += `|u${this.bufferId(uniform)}`;
    let bg = this.bindGroups.get(key);
    if (!bg) {
      if (this.bindGroups.size > 20000) {
        this.bindGroups.clear(); // stale entries of destroyed buffers
        this.lastBindGroups = new WeakMap();
      }
      const entries: GPUBindGroupEntry[] = kernel.buffers.map((info, i) => ({ binding: info.binding, resource: { buffer: buffers[i]! } }));
      if (kernel.uniform && uniform) {
        entries.push({ binding: kernel.uniform.binding, resource: { buffer: uniform, offset: 0, size: kernel.uniform.size } });
      }
      bg = this.device.createBindGroup({ layout: kernel.layout, entries, label: `${kernel.key} bind group` });
      this.bindGroups.set(key, bg);
    }
    return bg;
  }

  /** @internal */
  finishStep(step: Step, dispatches: number): void {
    if (this.active !== step) throw new Error('finishing a step that is not active');
    this.active = null;
    this.lastStepDispatches = dispatches;
    this.stepsSubmitted++;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.pool.destroyAll();
    this.bindGroups.clear();
    this.lastBindGroups = new WeakMap();
    this.gpu.destroy();
  }
}

function sameBuffers(a: GPUBuffer[], b: GPUBuffer[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
