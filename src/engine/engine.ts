/**
 * The engine: a device, its buffer pool, its prepared kernels, and the step encoder.
 *
 * A `Step` is one command encoder with one submit. Everything a training step does (upload the batch,
 * forward, backward, optimizer, copy the loss out) is encoded into it; nothing inside it waits on the GPU.
 * Per-dispatch sizes go through a uniform ring with dynamic offsets, so bind groups depend only on which
 * buffers a dispatch uses and are cached across steps.
 */
import { acquireGpu, type AcquireOptions, type GpuContext, type GpuError } from '../gpu/device';
import { ReadbackSchedule } from './readback-schedule';
import { BufferPool, MAP_READ_USAGE, STORAGE_USAGE, UNIFORM_USAGE } from '../gpu/buffer-pool';
import { KernelRegistry, type Kernel, type KernelVariant, type OverrideValues } from '../kernels/registry';
import type { PreparedShader } from '../kernels/shader-types';
import { SHADERS, type ShaderName } from '../kernels/shaders.generated';
import type { LstmSchedule, Tuning } from '../kernels/variants';
import { Tape } from './tape';
import { Tensor, type Slice } from './tensor';

export interface EngineOptions {
  /** Use this device context instead of acquiring one. */
  gpu?: GpuContext;
  acquire?: AcquireOptions;
  /** Prepared shaders by name (src/build/shaders.mjs); defaults to every kernel under shaders/. */
  shaders?: Readonly<Record<string, PreparedShader>>;
  /**
   * The kernel variants to compile before `create` returns, given the engine's tuning. The engine knows
   * no ops: whoever runs them says what they need (createEngine passes every op's and the optimizer's).
   */
  kernels?: (tuning: Tuning, lstmSchedule: LstmSchedule) => ReadonlyArray<KernelVariant>;
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

export interface DispatchArgs {
  overrides?: OverrideValues;
  /** Storage buffers by the names the shader declares. */
  buffers: Record<string, GPUBuffer | Slice>;
  /** Uniform struct fields by name; every field must be given. */
  params?: Record<string, number>;
  workgroups: readonly [number, number?, number?];
}

const UNIFORM_CHUNK_BYTES = 64 * 1024;
const MAX_PROFILED_DISPATCHES = 2048;
const MAX_WORKGROUPS_PER_DIM = 65535;

/**
 * Workgroups for an elementwise kernel with a grid-stride loop: one invocation per element up to
 * `maxGroups` workgroups of `wg`, after which each invocation loops. Per-workgroup overhead dominates
 * small kernels on CPU adapters; a few hundred workgroups still fill a GPU for these sizes.
 */
export function grid1d(n: number, wg = 64, maxGroups = 512): [number, number, number] {
  return [Math.min(Math.ceil(n / wg), maxGroups), 1, 1];
}

interface UniformChunk {
  buffer: GPUBuffer;
  bytes: ArrayBuffer;
  view: DataView;
}

/** A slice being copied out by a step: its staging buffer and the promise's ends. */
interface Readback {
  staging: GPUBuffer;
  bytes: number;
  resolve: (f: Float32Array) => void;
  reject: (e: Error) => void;
}

export class Engine {
  readonly device: GPUDevice;
  readonly pool: BufferPool;
  readonly kernels: KernelRegistry;
  private uniformChunks: UniformChunk[] = [];
  private bindGroups = new Map<string, GPUBindGroup>();
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

  static async create(options: EngineOptions = {}): Promise<Engine> {
    const gpu = options.gpu ?? (await acquireGpu(options.acquire));
    const engine = new Engine(gpu, options.shaders ?? SHADERS, options.tuning ?? (gpu.software ? 'cpu' : 'gpu'), options.lstmSchedule ?? 'auto');
    // Kernels that declare more workgroup memory than this device offers are never compiled; the ops
    // that would use them check the same limit before choosing them.
    const storage = gpu.device.limits.maxComputeWorkgroupStorageSize;
    if (options.kernels) await engine.prepare(options.kernels(engine.tuning, engine.lstmSchedule).filter((v) => (v.workgroupBytes ?? 0) <= storage));
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
    let key = kernel.key;
    for (const b of buffers) key += `|${this.bufferId(b)}`;
    if (uniform) key += `|u${this.bufferId(uniform)}`;
    let bg = this.bindGroups.get(key);
    if (!bg) {
      if (this.bindGroups.size > 20000) this.bindGroups.clear(); // stale entries of destroyed buffers
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
    this.gpu.destroy();
  }
}

export class Step {
  readonly tape: Tape;
  private encoder: GPUCommandEncoder;
  private pass: GPUComputePassEncoder | null = null;
  private scratchBuffers: GPUBuffer[] = [];
  private pendingGradClears: Slice[] = [];
  private readbacks: Readback[] = [];
  private chunkIndex = 0;
  private chunkCursor = 0;
  private submitted = false;
  dispatches = 0;
  private querySet: GPUQuerySet | null = null;
  private profiledKernels: string[] = [];
  /** With profiling on: GPU milliseconds and dispatch counts per kernel, after submit. */
  profile: Promise<Map<string, { ms: number; count: number }>> | null = null;

  constructor(
    readonly engine: Engine,
    grad: boolean,
    readonly label: string,
    profile = false,
  ) {
    this.tape = new Tape(grad);
    // Everything this step asks of the device is inside these scopes: an error in it (an invalid or
    // too-large buffer, a failed submit) rejects the step's readbacks instead of reading back zeros.
    engine.device.pushErrorScope('out-of-memory');
    engine.device.pushErrorScope('validation');
    this.encoder = engine.device.createCommandEncoder({ label });
    if (profile) this.querySet = engine.device.createQuerySet({ type: 'timestamp', count: 2 * MAX_PROFILED_DISPATCHES, label: `${label} timestamps` });
  }

  private ensureOpen(): void {
    if (this.submitted) throw new Error(`step "${this.label}" was already submitted`);
  }

  private computePass(): GPUComputePassEncoder {
    this.ensureOpen();
    if (!this.pass) this.pass = this.encoder.beginComputePass({ label: `${this.label} pass` });
    return this.pass;
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }

  dispatch(shader: ShaderName, args: DispatchArgs): void {
    const kernel = this.engine.kernels.get(shader, args.overrides ?? {});
    const given = Object.keys(args.buffers);
    const declared = kernel.buffers.map((b) => b.name);
    for (const name of given) {
      if (!declared.includes(name)) {
        throw new Error(`kernel ${kernel.key}: buffer "${name}" is not declared by ${shader}.wgsl (declared: ${declared.join(', ')})`);
      }
    }
    const buffers = kernel.buffers.map((info) => {
      const b = args.buffers[info.name];
      if (!b) throw new Error(`kernel ${kernel.key}: missing buffer "${info.name}" (passed: ${given.join(', ') || 'none'})`);
      return 'buffer' in b ? b.buffer : b;
    });
    const [x, y = 1, z = 1] = args.workgroups;
    for (const n of [x, y, z]) {
      if (!Number.isInteger(n) || n < 0 || n > MAX_WORKGROUPS_PER_DIM) throw new Error(`kernel ${kernel.key}: invalid workgroup count ${n}`);
    }
    let uniformBuffer: GPUBuffer | null = null;
    let dynamicOffset = 0;
    if (kernel.uniform) {
      const u = kernel.uniform;
      const params = args.params ?? {};
      for (const name of Object.keys(params)) {
        if (!u.fields.has(name)) {
          throw new Error(`kernel ${kernel.key}: uniform field "${name}" is not declared (declared: ${[...u.fields.keys()].join(', ')})`);
        }
      }
      if (this.chunkCursor + u.size > UNIFORM_CHUNK_BYTES) {
        this.chunkIndex++;
        this.chunkCursor = 0;
      }
      const chunk = this.engine.uniformChunk(this.chunkIndex);
      dynamicOffset = this.chunkCursor;
      for (const [name, f] of u.fields) {
        const v = params[name];
        if (v === undefined) throw new Error(`kernel ${kernel.key}: missing uniform field "${name}"`);
        const at = dynamicOffset + f.offset;
        if (f.type === 'f32') chunk.view.setFloat32(at, v, true);
        else {
          if (!Number.isInteger(v) || (f.type === 'u32' && v < 0)) throw new Error(`kernel ${kernel.key}: uniform "${name}" = ${v} is not a valid ${f.type}`);
          if (f.type === 'u32') chunk.view.setUint32(at, v, true);
          else chunk.view.setInt32(at, v, true);
        }
      }
      this.chunkCursor += Math.ceil(u.size / 256) * 256;
      uniformBuffer = chunk.buffer;
    } else if (args.params && Object.keys(args.params).length > 0) {
      throw new Error(`kernel ${kernel.key}: the shader declares no uniforms but params were given`);
    }
    if (x === 0 || y === 0 || z === 0) return; // an empty range: nothing to do
    if (this.querySet) {
      // Profiling: one pass per dispatch, timestamps at its start and end.
      const i = this.profiledKernels.length;
      if (i >= MAX_PROFILED_DISPATCHES) throw new Error(`profiling is limited to ${MAX_PROFILED_DISPATCHES} dispatches per step`);
      this.endPass();
      this.pass = this.encoder.beginComputePass({
        label: `${kernel.key} (profiled)`,
        timestampWrites: { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 },
      });
      this.profiledKernels.push(kernel.shader);
    }
    const pass = this.computePass();
    pass.setPipeline(kernel.pipeline);
    pass.setBindGroup(0, this.engine.bindGroup(kernel, buffers, uniformBuffer), uniformBuffer ? [dynamicOffset] : []);
    pass.dispatchWorkgroups(x, y, z);
    this.dispatches++;
    if (this.querySet) this.endPass();
  }

  /** A buffer for this step only; back to the pool at submit. */
  scratch(length: number, label = 'scratch'): Slice {
    this.ensureOpen();
    const buffer = this.engine.pool.acquire(Math.max(1, length) * 4, STORAGE_USAGE, label);
    this.scratchBuffers.push(buffer);
    return { buffer, offset: 0, length };
  }

  /** Zero a slice now (in encoding order). */
  clear(slice: Slice): void {
    this.ensureOpen();
    if (slice.length === 0) return;
    this.endPass();
    this.encoder.clearBuffer(slice.buffer, slice.offset * 4, slice.length * 4);
  }

  zeros(length: number, label = 'zeros'): Slice {
    const s = this.scratch(length, label);
    this.clear(s);
    return s;
  }

  /** Upload host data into a scratch buffer (queued before this step's commands). */
  upload(data: Float32Array | Uint32Array | Int32Array, label = 'upload'): Slice {
    const s = this.scratch(data.length, label);
    this.engine.write(s, data);
    return s;
  }

  /** A fresh tensor for an op's output; with a gradient buffer when the tape records and `grad` is set. */
  output(shape: readonly number[], name: string, grad: boolean): Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = this.scratch(n, name);
    return new Tensor(shape, data, grad && this.tape.recording ? this.gradBuffer(n, `d${name}`) : null, name);
  }

  /** A gradient buffer, zeroed before the tape is replayed. */
  gradBuffer(length: number, label: string): Slice {
    const s = this.scratch(length, label);
    this.pendingGradClears.push(s);
    return s;
  }

  copy(src: Slice, dst: Slice): void {
    this.ensureOpen();
    if (src.length !== dst.length) throw new Error(`copy of ${src.length} elements into ${dst.length}`);
    this.endPass();
    this.encoder.copyBufferToBuffer(src.buffer, src.offset * 4, dst.buffer, dst.offset * 4, src.length * 4);
  }

  /** Copy a slice out; the promise resolves after this step is submitted and the GPU reaches the copy. */
  read(slice: Slice): Promise<Float32Array> {
    this.ensureOpen();
    this.endPass();
    const bytes = slice.length * 4;
    const staging = this.engine.pool.acquire(Math.max(4, bytes), MAP_READ_USAGE, 'readback');
    this.encoder.copyBufferToBuffer(slice.buffer, slice.offset * 4, staging, 0, bytes);
    return new Promise((resolve, reject) => this.readbacks.push({ staging, bytes, resolve, reject }));
  }

  /** Replay the tape: zero every activation gradient once, then encode the backward closures in reverse. */
  backward(): void {
    this.ensureOpen();
    if (!this.tape.recording) throw new Error('backward() on a step without gradients');
    for (const s of this.pendingGradClears) this.clear(s);
    this.pendingGradClears = [];
    this.tape.replay();
  }

  /** The step's error scopes, closed: the first GPU error inside them, as the engine reports errors. */
  private closeErrorScopes(): Promise<GpuError | null> {
    const device = this.engine.device;
    const validation = device.popErrorScope();
    const oom = device.popErrorScope();
    return Promise.all([validation, oom]).then(([v, o]) =>
      v ? { kind: 'validation' as const, message: v.message } : o ? { kind: 'out-of-memory' as const, message: o.message } : null,
    );
  }

  /** Abandon the step (after an encoding error): nothing is submitted, every scratch buffer goes back. */
  abort(): void {
    if (this.submitted) return;
    this.submitted = true;
    void this.closeErrorScopes();
    this.pass?.end();
    this.pass = null;
    for (const b of this.scratchBuffers) this.engine.pool.release(b);
    this.scratchBuffers = [];
    for (const r of this.readbacks) {
      this.engine.pool.release(r.staging);
      r.reject(new Error(`step "${this.label}" was aborted`));
    }
    this.readbacks = [];
    this.engine.finishStep(this, 0);
  }

  submit(): void {
    this.ensureOpen();
    this.endPass();
    const engine = this.engine;
    let startProfileReadback: (() => void) | null = null;
    if (this.querySet && this.profiledKernels.length > 0) {
      const n = this.profiledKernels.length;
      const resolved = engine.device.createBuffer({ size: 16 * n, usage: 0x0200 /* QUERY_RESOLVE */ | 0x0004 /* COPY_SRC */, label: 'timestamps' });
      const staging = engine.device.createBuffer({ size: 16 * n, usage: MAP_READ_USAGE, label: 'timestamps readback' });
      this.encoder.resolveQuerySet(this.querySet, 0, 2 * n, resolved, 0);
      this.encoder.copyBufferToBuffer(resolved, 0, staging, 0, 16 * n);
      const kernels = this.profiledKernels;
      const querySet = this.querySet;
      startProfileReadback = () => (this.profile = (async () => {
        await staging.mapAsync(GPUMapMode.READ);
        const t = new BigInt64Array(staging.getMappedRange().slice(0));
        staging.destroy();
        resolved.destroy();
        querySet.destroy();
        const out = new Map<string, { ms: number; count: number }>();
        kernels.forEach((k, i) => {
          const ms = Number(t[2 * i + 1]! - t[2 * i]!) / 1e6;
          const e = out.get(k) ?? { ms: 0, count: 0 };
          out.set(k, { ms: e.ms + Math.max(0, ms), count: e.count + 1 });
        });
        return out;
      })());
    }
    const queue = engine.device.queue;
    for (let i = 0; i <= this.chunkIndex; i++) {
      const used = i < this.chunkIndex ? UNIFORM_CHUNK_BYTES : this.chunkCursor;
      if (used > 0) {
        const chunk = engine.uniformChunk(i);
        queue.writeBuffer(chunk.buffer, 0, chunk.bytes, 0, used);
      }
    }
    queue.submit([this.encoder.finish({ label: this.label })]);
    this.submitted = true;
    const scopeError = this.closeErrorScopes().then((e) => {
      if (e) engine.recordError(e);
      return e;
    });
    startProfileReadback?.(); // mapping must start after the submit that writes the buffer
    for (const b of this.scratchBuffers) engine.pool.release(b);
    this.scratchBuffers = [];
    engine.finishStep(this, this.dispatches);
    // Where polling for the result would compete with the GPU for the CPU, the mapping starts shortly
    // before the step is expected to end (see ReadbackSchedule); everywhere else at once.
    const plan = this.readbacks.length > 0 ? engine.readbackSchedule?.submitted(`${this.label}|${this.dispatches}`) : undefined;
    const map = (r: Readback, first: boolean): Promise<void> => {
      const start = () => r.staging.mapAsync(GPUMapMode.READ, 0, Math.max(4, r.bytes));
      if (!plan) return start();
      const mapped = plan.mapWhen.then(start);
      return first ? mapped.finally(plan.finished) : mapped;
    };
    for (const [i, r] of this.readbacks.entries()) {
      const mapped = map(r, i === 0).then(
        () => null,
        (e: Error) => e,
      );
      void Promise.all([mapped, scopeError]).then(([mapError, gpuError]) => {
        if (gpuError) {
          if (!mapError) r.staging.unmap();
          engine.pool.release(r.staging);
          r.reject(new Error(`GPU ${gpuError.kind} error in step "${this.label}": ${gpuError.message}`));
        } else if (mapError) {
          r.reject(new Error(`readback failed: ${mapError.message}`));
        } else {
          const out = new Float32Array(r.bytes / 4);
          out.set(new Float32Array(r.staging.getMappedRange(0, r.bytes)));
          r.staging.unmap();
          engine.pool.release(r.staging);
          r.resolve(out);
        }
      });
    }
    this.readbacks = [];
  }
}
