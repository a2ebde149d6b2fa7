/**
 * What the build step (src/build/shaders.mjs) records for each kernel, so that the engine never parses
 * WGSL at run time: the expanded code, where its lines came from, and the reflected interface.
 */
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
  /** Bytes, rounded up to 16. */
  size: number;
  fields: Readonly<Record<string, UniformField>>;
}

export interface ShaderReflection {
  buffers: BindingInfo[];
  uniform: UniformInfo | null;
  overrides: string[];
  entryPoint: string;
  workgroupSize: [number, number, number];
}

export interface PreparedShader {
  /** The source with `#include`s expanded and comments removed (line numbers unchanged). */
  code: string;
  /** Runs of lines: [first line in `code` (1-based), file, that line's number in the file]. */
  origin: ReadonlyArray<readonly [number, string, number]>;
  reflection: ShaderReflection;
}

/** The file and line that line `line` (1-based) of a prepared shader's code came from. */
export function originOf(shader: PreparedShader, fallbackFile: string, line: number): { file: string; line: number } {
  let run: readonly [number, string, number] | undefined;
  for (const r of shader.origin) {
    if (r[0] > line) break;
    run = r;
  }
  return run ? { file: run[1], line: run[2] + (line - run[0]) } : { file: fallbackFile, line };
}
