/**
 * Kernel registry: one plain `.wgsl` file per fused kernel under `shaders/`, prepared at build time
 * (src/build/shaders.mjs: includes expanded, bindings and uniform offsets reflected with wgsl_reflect).
 *
 * - Bind group layouts and uniform field offsets come from that reflection, never from hand-written tables.
 * - Pipelines are cached by (shader, override constants); sizes that vary per call go in the uniform
 *   struct, so they never enter the cache key.
 * - Pipelines must be prepared (compiled, asynchronously, with compile errors turned into exceptions
 *   that carry the shader name and the file:line:col a developer edits) before use; `get` of an
 *   unprepared variant throws.
 */
import { originOf, type BindingInfo, type PreparedShader, type UniformField } from './shader-types';

export type OverrideValues = Record<string, number | boolean>;

export interface Kernel {
  /** `shader` plus its override constants, e.g. `matmul{TRANS_A=1,TRANS_B=0}`. */
  key: string;
  shader: string;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  /** Storage bindings by name, in binding order. */
  buffers: BindingInfo[];
  /** The uniform struct: its fields in declaration order, each with its name. */
  uniform: { name: string; binding: number; size: number; fields: UniformSlot[] } | null;
  workgroupSize: [number, number, number];
  /** Its override constants as numbers (what `get` compares a dispatch's overrides with). */
  overrides: ReadonlyArray<readonly [string, number]>;
}

/** A uniform field with its name, as a dispatch writes it. */
export interface UniformSlot extends UniformField {
  name: string;
}

/** A kernel variant: a shader and its override constants. */
export interface KernelVariant<N extends string = string> {
  shader: N;
  overrides?: OverrideValues;
  /** Workgroup memory it declares, when more than every device offers (16 KiB): devices with less skip it. */
  workgroupBytes?: number;
}

export function kernelKey(shader: string, overrides: OverrideValues = {}): string {
  const parts = Object.keys(overrides)
    .sort()
    .map((k) => `${k}=${Number(overrides[k])}`);
  return `${shader}{${parts.join(',')}}`;
}

export class KernelRegistry {
  private kernels = new Map<string, Kernel>();
  /** The prepared variants of each shader: `get` finds one by comparing overrides, without building a key. */
  private variants = new Map<string, Kernel[]>();
  private modules = new Map<string, GPUShaderModule>();

  constructor(
    private readonly device: GPUDevice,
    private readonly shaders: Readonly<Record<string, PreparedShader>>,
  ) {}

  /** A shader as the build step prepared it. */
  shader(name: string): PreparedShader {
    const s = this.shaders[name];
    if (s === undefined) throw new Error(`unknown shader "${name}" (known: ${Object.keys(this.shaders).join(', ')})`);
    return s;
  }

  has(shader: string, overrides: OverrideValues = {}): boolean {
    return this.kernels.has(kernelKey(shader, overrides));
  }

  /** A prepared kernel. Throws if `prepare` was not awaited for this variant: pipelines are built up front. */
  get(shader: string, overrides: OverrideValues = {}): Kernel {
    // Called for every dispatch: compare with the shader's few variants instead of building the key.
    let given = 0;
    for (const _ in overrides) given++;
    const variants = this.variants.get(shader);
    if (variants) {
      for (const k of variants) {
        if (k.overrides.length !== given) continue;
        let same = true;
        for (const [name, v] of k.overrides) {
          const o = overrides[name];
          if (o === undefined || Number(o) !== v) {
            same = false;
            break;
          }
        }
        if (same) return k;
      }
    }
    const key = kernelKey(shader, overrides);
    const k = this.kernels.get(key);
    if (!k) throw new Error(`kernel ${key} was not prepared: call engine.prepare() with it before encoding`);
    return k;
  }

  /** Compile every listed variant (in parallel); compile errors throw with shader name and line:col. */
  async prepare(variants: ReadonlyArray<KernelVariant>): Promise<void> {
    await Promise.all(variants.map((v) => this.compile(v.shader, v.overrides ?? {})));
  }

  private async module(shader: string): Promise<GPUShaderModule> {
    let mod = this.modules.get(shader);
    if (mod) return mod;
    const prepared = this.shader(shader);
    const source = prepared.code;
    this.device.pushErrorScope('validation');
    mod = this.device.createShaderModule({ code: source, label: `${shader}.wgsl` });
    const scopeError = await this.device.popErrorScope();
    const info = await mod.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length > 0 || scopeError) {
      const lines = source.split('\n');
      const detail = errors
        .map((m) => {
          // Report the file and line a developer edits (a kernel or an included shaders/lib piece).
          const at = originOf(prepared, `${shader}.wgsl`, m.lineNum);
          return `${at.file}:${at.line}:${m.linePos}: ${m.message}\n    ${lines[m.lineNum - 1] ?? ''}`;
        })
        .join('\n');
      throw new Error(`shader "${shader}.wgsl" failed to compile:\n${detail || scopeError?.message}`);
    }
    this.modules.set(shader, mod);
    return mod;
  }

  private async compile(shader: string, overrides: OverrideValues): Promise<Kernel> {
    const key = kernelKey(shader, overrides);
    const existing = this.kernels.get(key);
    if (existing) return existing;
    const r = this.shader(shader).reflection;
    for (const name of Object.keys(overrides)) {
      if (!r.overrides.includes(name)) {
        throw new Error(`kernel ${key}: override "${name}" is not declared by ${shader}.wgsl (declared: ${r.overrides.join(', ') || 'none'})`);
      }
    }
    const module = await this.module(shader);
    const entries: GPUBindGroupLayoutEntry[] = r.buffers.map((b) => ({
      binding: b.binding,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type: b.type },
    }));
    if (r.uniform) {
      entries.push({
        binding: r.uniform.binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: r.uniform.size },
      });
    }
    const layout = this.device.createBindGroupLayout({ entries, label: `${key} layout` });
    const constants: Record<string, number> = {};
    for (const [k, v] of Object.entries(overrides)) constants[k] = Number(v);
    this.device.pushErrorScope('validation');
    let pipeline: GPUComputePipeline;
    try {
      pipeline = await this.device.createComputePipelineAsync({
        label: key,
        layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout], label: `${key} pipeline layout` }),
        compute: { module, entryPoint: r.entryPoint, constants },
      });
    } catch (e) {
      await this.device.popErrorScope();
      throw new Error(`kernel ${key}: pipeline creation failed: ${(e as Error).message}`);
    }
    const err = await this.device.popErrorScope();
    if (err) throw new Error(`kernel ${key}: pipeline creation failed: ${err.message}`);
    const uniform = r.uniform ? { ...r.uniform, fields: Object.entries(r.uniform.fields).map(([name, f]): UniformSlot => ({ name, ...f })) } : null;
    const numeric = Object.keys(overrides)
      .sort()
      .map((k) => [k, Number(overrides[k])] as const);
    const kernel: Kernel = { key, shader, pipeline, layout, buffers: r.buffers, uniform, workgroupSize: r.workgroupSize, overrides: numeric };
    this.kernels.set(key, kernel);
    const list = this.variants.get(shader);
    if (list) list.push(kernel);
    else this.variants.set(shader, [kernel]);
    return kernel;
  }
}
