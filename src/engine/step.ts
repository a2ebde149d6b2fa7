/**
 * A step: one command encoder with one submit. Everything a training step does (upload the batch,
 * forward, backward, optimizer, copy the loss out) is encoded into it; nothing inside it waits on the GPU.
 * Per-dispatch sizes go through the engine's uniform ring with dynamic offsets, so bind groups depend only
 * on which buffers a dispatch uses and are cached across steps.
 */
import type { GpuError } from '../gpu/device';
import { MAP_READ_USAGE, STORAGE_USAGE, type BufferPool } from '../gpu/buffer-pool';
import type { Kernel, KernelRegistry, OverrideValues } from '../kernels/registry';
import type { ShaderName } from '../kernels/shaders.generated';
import type { LstmSchedule, Tuning } from '../kernels/variants';
import { Profiler, type KernelTimes } from './profiler';
import type { ReadbackSchedule } from './readback-schedule';
import { Tape } from './tape';
import { Tensor, type Slice } from './tensor';

export interface DispatchArgs {
  overrides?: OverrideValues;
  /** Storage buffers by the names the shader declares. */
  buffers: Record<string, GPUBuffer | Slice>;
  /** Uniform struct fields by name; every field must be given. */
  params?: Record<string, number>;
  workgroups: readonly [number, number?, number?];
}

/** Bytes of one buffer of the uniform ring: a step moves on to the next buffer when one is full. */
export const UNIFORM_CHUNK_BYTES = 64 * 1024;
const MAX_WORKGROUPS_PER_DIM = 65535;
const validCount = (n: number) => Number.isInteger(n) && n >= 0 && n <= MAX_WORKGROUPS_PER_DIM;

/**
 * Workgroups for an elementwise kernel with a grid-stride loop: one invocation per element up to
 * `maxGroups` workgroups of `wg`, after which each invocation loops. Per-workgroup overhead dominates
 * small kernels on CPU adapters; a few hundred workgroups still fill a GPU for these sizes.
 */
export function grid1d(n: number, wg = 64, maxGroups = 512): [number, number, number] {
  return [Math.min(Math.ceil(n / wg), maxGroups), 1, 1];
}

/**
 * The grid of a kernel whose invocation x owns one of `cols` columns (workgroups of `wg`) and whose y
 * strides over `rows` rows: every column covered, and y only as far as `maxGroups` workgroups in all
 * allow (at least 1: more than `maxGroups · wg` columns take more workgroups).
 */
export function rowsGrid(cols: number, rows: number, wg = 64, maxGroups = 512): [number, number, number] {
  const gx = Math.ceil(cols / wg);
  if (gx === 0) return [0, 1, 1];
  return [gx, Math.max(1, Math.min(rows, Math.floor(maxGroups / gx))), 1];
}

/** One buffer of the uniform ring and its host copy, written to the GPU at submit. */
export interface UniformChunk {
  buffer: GPUBuffer;
  bytes: ArrayBuffer;
  view: DataView;
}

/**
 * The engine as a step sees it (Engine implements it). Ops read `tuning`, `lstmSchedule` and
 * `device.limits` through `step.engine`; the rest is what encoding and submitting need. Kept to an
 * interface so that this file does not import engine.ts, which imports it.
 */
export interface StepEngine {
  readonly device: GPUDevice;
  readonly pool: BufferPool;
  readonly kernels: KernelRegistry;
  readonly tuning: Tuning;
  readonly lstmSchedule: LstmSchedule;
  /** When to map readbacks on an adapter that shares the CPU with the waiting (see ReadbackSchedule); null elsewhere. */
  readonly readbackSchedule: ReadbackSchedule | null;
  write(slice: Slice, data: Float32Array | Uint32Array | Int32Array): void;
  /** @internal The i-th buffer of the uniform ring. */
  uniformChunk(i: number): UniformChunk;
  /** @internal The cached bind group of these buffers for this kernel. */
  bindGroup(kernel: Kernel, buffers: GPUBuffer[], uniform: GPUBuffer | null): GPUBindGroup;
  /** @internal */
  recordError(e: GpuError): void;
  /** @internal The step was submitted or aborted: the engine may begin another. */
  finishStep(step: Step, dispatches: number): void;
}

/** A slice being copied out by a step: its staging buffer and the promise's ends. */
interface Readback {
  staging: GPUBuffer;
  bytes: number;
  resolve: (f: Float32Array) => void;
  reject: (e: Error) => void;
}

export class Step {
  readonly tape: Tape;
  private encoder: GPUCommandEncoder;
  private pass: GPUComputePassEncoder | null = null;
  /** The pipeline last set in the open pass: a run of dispatches of one kernel sets it once. */
  private passPipeline: GPUComputePipeline | null = null;
  private scratchBuffers: GPUBuffer[] = [];
  private pendingGradClears: Slice[] = [];
  private readbacks: Readback[] = [];
  private chunkIndex = 0;
  private chunkCursor = 0;
  private submitted = false;
  dispatches = 0;
  private readonly profiler: Profiler | null;
  /** With profiling on: GPU milliseconds and dispatch counts per kernel, after submit. */
  profile: Promise<KernelTimes> | null = null;

  constructor(
    readonly engine: StepEngine,
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
    this.profiler = profile ? new Profiler(engine.device, label) : null;
  }

  private ensureOpen(): void {
    if (this.submitted) throw new Error(`step "${this.label}" was already submitted`);
  }

  private computePass(): GPUComputePassEncoder {
    this.ensureOpen();
    if (!this.pass) {
      this.pass = this.encoder.beginComputePass({ label: `${this.label} pass` });
      this.passPipeline = null;
    }
    return this.pass;
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }

  dispatch(shader: ShaderName, args: DispatchArgs): void {
    // Runs ~100 times a step: every check is a loop over the kernel's own lists, with no keys built and
    // nothing allocated but the buffer list; the messages come from the slow path once a check fails.
    const kernel = this.engine.kernels.get(shader, args.overrides ?? {});
    const declared = kernel.buffers;
    const given = args.buffers;
    let givenCount = 0;
    for (const _ in given) givenCount++;
    const buffers: GPUBuffer[] = new Array<GPUBuffer>(declared.length);
    for (let i = 0; i < declared.length; i++) {
      const b = given[declared[i]!.name];
      if (!b) {
        this.checkNames(kernel, 'buffer', Object.keys(given), declared.map((d) => d.name), `by ${shader}.wgsl `);
        throw new Error(`kernel ${kernel.key}: missing buffer "${declared[i]!.name}" (passed: ${Object.keys(given).join(', ') || 'none'})`);
      }
      buffers[i] = 'buffer' in b ? b.buffer : b;
    }
    if (givenCount !== declared.length) this.checkNames(kernel, 'buffer', Object.keys(given), declared.map((d) => d.name), `by ${shader}.wgsl `);
    const x = args.workgroups[0];
    const y = args.workgroups[1] ?? 1;
    const z = args.workgroups[2] ?? 1;
    if (!validCount(x) || !validCount(y) || !validCount(z)) {
      throw new Error(`kernel ${kernel.key}: invalid workgroup count ${[x, y, z].find((n) => !validCount(n))}`);
    }
    let uniformBuffer: GPUBuffer | null = null;
    let dynamicOffset = 0;
    if (kernel.uniform) {
      const u = kernel.uniform;
      const params = args.params ?? {};
      let paramCount = 0;
      for (const _ in params) paramCount++;
      if (paramCount > u.fields.length) this.checkNames(kernel, 'uniform field', Object.keys(params), u.fields.map((f) => f.name));
      if (this.chunkCursor + u.size > UNIFORM_CHUNK_BYTES) {
        this.chunkIndex++;
        this.chunkCursor = 0;
      }
      const chunk = this.engine.uniformChunk(this.chunkIndex);
      dynamicOffset = this.chunkCursor;
      const view = chunk.view;
      for (const f of u.fields) {
        const v = params[f.name];
        if (v === undefined) {
          this.checkNames(kernel, 'uniform field', Object.keys(params), u.fields.map((f) => f.name));
          throw new Error(`kernel ${kernel.key}: missing uniform field "${f.name}"`);
        }
        const at = dynamicOffset + f.offset;
        if (f.type === 'f32') view.setFloat32(at, v, true);
        else {
          if (!Number.isInteger(v) || (f.type === 'u32' && v < 0)) throw new Error(`kernel ${kernel.key}: uniform "${f.name}" = ${v} is not a valid ${f.type}`);
          if (f.type === 'u32') view.setUint32(at, v, true);
          else view.setInt32(at, v, true);
        }
      }
      this.chunkCursor += Math.ceil(u.size / 256) * 256;
      uniformBuffer = chunk.buffer;
    } else if (args.params) {
      for (const _ in args.params) throw new Error(`kernel ${kernel.key}: the shader declares no uniforms but params were given`);
    }
    if (x === 0 || y === 0 || z === 0) return; // an empty range: nothing to do
    if (this.profiler) {
      // Profiling: one pass per dispatch, timestamps at its start and end.
      const timestampWrites = this.profiler.timestampWrites(kernel.shader);
      this.endPass();
      this.pass = this.encoder.beginComputePass({ label: `${kernel.key} (profiled)`, timestampWrites });
      this.passPipeline = null;
    }
    const pass = this.computePass();
    if (this.passPipeline !== kernel.pipeline) {
      pass.setPipeline(kernel.pipeline);
      this.passPipeline = kernel.pipeline;
    }
    pass.setBindGroup(0, this.engine.bindGroup(kernel, buffers, uniformBuffer), uniformBuffer ? [dynamicOffset] : []);
    pass.dispatchWorkgroups(x, y, z);
    this.dispatches++;
    if (this.profiler) this.endPass();
  }

  /** Throws for the first given name the kernel does not declare (a buffer or a uniform field). */
  private checkNames(kernel: Kernel, what: string, given: string[], declared: string[], where = ''): void {
    for (const name of given) {
      if (!declared.includes(name)) {
        throw new Error(`kernel ${kernel.key}: ${what} "${name}" is not declared ${where}(declared: ${declared.join(', ')})`);
      }
    }
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
    const p = new Promise<Float32Array>((resolve, reject) => this.readbacks.push({ staging, bytes, resolve, reject }));
    // A step aborted after this read was asked for rejects it; the caller that awaits it still sees the
    // rejection, and one that was about to rethrow the encoding's own error does not leave it unhandled.
    p.catch(() => {});
    return p;
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
    const readTimes = this.profiler?.encodeReadback(this.encoder) ?? null;
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
    if (readTimes) this.profile = readTimes(); // mapping must start after the submit that writes the buffer
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
        } else if (r.staging.mapState !== 'mapped') {
          // Mapped, then unmapped before this ran: the engine was destroyed with the step in flight.
          r.reject(new Error(`readback of step "${this.label}" lost: its buffer was unmapped before it was read (was the engine destroyed before the step's results were awaited?)`));
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
