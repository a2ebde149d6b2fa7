/**
 * Kernel registry: one plain `.wgsl` file per fused kernel under `shaders/`, reflected with wgsl_reflect.
 *
 * - Bind group layouts and uniform field offsets come from reflection, never from hand-written tables.
 * - Pipelines are cached by (shader, override constants); sizes that vary per call go in the uniform
 *   struct, so they never enter the cache key.
 * - Pipelines must be prepared (compiled, asynchronously, with compile errors turned into exceptions
 *   that carry the shader name and line:col) before use; `get` of an unprepared variant throws.
 */
import { expandIncludes, type ExpandedShader } from './wgsl-include';
import { WgslReflect, ResourceType, type VariableInfo } from 'wgsl_reflect';

export type OverrideValues = Record<string, number | boolean>;

export interface BindingInfo {
  name: string;
  binding: number;
  type: 'storage' | 'read-only-storage' | 'uniform';
}

export interface UniformField {
  offset: number;
  type: 'u32' | 'i32' | 'f32';
}

export interface UniformInfo {
  name: string;
  binding: number;
  size: number;
  fields: Map<string, UniformField>;
}

export interface Kernel {
  /** `shader` plus its override constants, e.g. `matmul{TRANS_A=1,TRANS_B=0}`. */
  key: string;
  shader: string;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  /** Storage bindings by name, in binding order. */
  buffers: BindingInfo[];
  uniform: UniformInfo | null;
  workgroupSize: [number, number, number];
}

export interface ShaderReflection {
  buffers: BindingInfo[];
  uniform: UniformInfo | null;
  overrides: string[];
  entryPoint: string;
  workgroupSize: [number, number, number];
}

export function kernelKey(shader: string, overrides: OverrideValues = {}): string {
  const parts = Object.keys(overrides)
    .sort()
    .map((k) => `${k}=${Number(overrides[k])}`);
  return `${shader}{${parts.join(',')}}`;
}

/** Reflect one shader: its single compute entry point, its group-0 bindings and uniform layout. */
export function reflectShader(shader: string, source: string): ShaderReflection {
  let reflect: WgslReflect;
  try {
    reflect = new WgslReflect(source);
  } catch (e) {
    throw new Error(`shader "${shader}.wgsl" could not be parsed: ${(e as Error).message}`);
  }
  const entries = reflect.entry.compute;
  if (entries.length !== 1) throw new Error(`shader "${shader}.wgsl" must have exactly one compute entry point, found ${entries.length}`);
  const entry = entries[0]!;
  const buffers: BindingInfo[] = [];
  let uniform: UniformInfo | null = null;
  const all: VariableInfo[] = [...reflect.storage, ...reflect.uniforms];
  for (const v of all) {
    if (v.group !== 0) throw new Error(`shader "${shader}.wgsl": binding "${v.name}" must be in @group(0)`);
    if (v.resourceType === ResourceType.Uniform) {
      if (uniform) throw new Error(`shader "${shader}.wgsl": only one uniform struct is supported ("${uniform.name}", "${v.name}")`);
      const fields = new Map<string, UniformField>();
      for (const m of v.members ?? []) {
        const t = m.type.name;
        if (t !== 'u32' && t !== 'i32' && t !== 'f32') {
          throw new Error(`shader "${shader}.wgsl": uniform field "${m.name}" has type ${t}; only u32, i32, f32 are supported`);
        }
        fields.set(m.name, { offset: m.offset, type: t });
      }
      uniform = { name: v.name, binding: v.binding, size: Math.max(16, Math.ceil(v.size / 16) * 16), fields };
    } else {
      buffers.push({ name: v.name, binding: v.binding, type: v.access === 'read' ? 'read-only-storage' : 'storage' });
    }
  }
  buffers.sort((a, b) => a.binding - b.binding);
  const ws = entry.workgroupSize ?? [1, 1, 1];
  return {
    buffers,
    uniform,
    overrides: reflect.overrides.map((o) => o.name),
    entryPoint: entry.name,
    workgroupSize: [Number(ws[0] ?? 1), Number(ws[1] ?? 1), Number(ws[2] ?? 1)],
  };
}

export class KernelRegistry {
  private kernels = new Map<string, Kernel>();
  private reflections = new Map<string, ShaderReflection>();
  private modules = new Map<string, GPUShaderModule>();

  private expansions = new Map<string, ExpandedShader>();

  constructor(
    private readonly device: GPUDevice,
    private readonly sources: Readonly<Record<string, string>>,
    /** What `#include "name"` lines resolve to (shaders/lib/name.wgsl). */
    private readonly library: Readonly<Record<string, string>> = {},
  ) {}

  /** The shader's source with its includes expanded, and where each line came from. */
  expanded(shader: string): ExpandedShader {
    let e = this.expansions.get(shader);
    if (!e) {
      const src = this.sources[shader];
      if (src === undefined) throw new Error(`unknown shader "${shader}" (known: ${Object.keys(this.sources).join(', ')})`);
      e = expandIncludes(`${shader}.wgsl`, src, this.library);
      this.expansions.set(shader, e);
    }
    return e;
  }

  reflection(shader: string): ShaderReflection {
    let r = this.reflections.get(shader);
    if (!r) {
      r = reflectShader(shader, this.expanded(shader).code);
      this.reflections.set(shader, r);
    }
    return r;
  }

  has(shader: string, overrides: OverrideValues = {}): boolean {
    return this.kernels.has(kernelKey(shader, overrides));
  }

  /** A prepared kernel. Throws if `prepare` was not awaited for this variant: pipelines are built up front. */
  get(shader: string, overrides: OverrideValues = {}): Kernel {
    const key = kernelKey(shader, overrides);
    const k = this.kernels.get(key);
    if (!k) throw new Error(`kernel ${key} was not prepared: call engine.prepare() with it before encoding`);
    return k;
  }

  /** Compile every listed variant (in parallel); compile errors throw with shader name and line:col. */
  async prepare(variants: ReadonlyArray<{ shader: string; overrides?: OverrideValues }>): Promise<void> {
    await Promise.all(variants.map((v) => this.compile(v.shader, v.overrides ?? {})));
  }

  private async module(shader: string): Promise<GPUShaderModule> {
    let mod = this.modules.get(shader);
    if (mod) return mod;
    const { code: source, origin } = this.expanded(shader);
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
          const at = origin[m.lineNum - 1] ?? { file: `${shader}.wgsl`, line: m.lineNum };
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
    const r = this.reflection(shader);
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
    const kernel: Kernel = { key, shader, pipeline, layout, buffers: r.buffers, uniform: r.uniform, workgroupSize: r.workgroupSize };
    this.kernels.set(key, kernel);
    return kernel;
  }
}
