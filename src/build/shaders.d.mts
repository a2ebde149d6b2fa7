import type { PreparedShader, ShaderReflection } from '../kernels/shader-types';

export declare const SHADER_DIR: string;
export declare const GENERATED: string;
export interface ExpandedShader {
  code: string;
  /** origin[i]: where line i + 1 of `code` came from. */
  origin: Array<{ file: string; line: number }>;
}
export declare function expandIncludes(file: string, source: string, library: Readonly<Record<string, string>>, stack?: string[]): ExpandedShader;
export declare function reflectShader(shader: string, source: string): ShaderReflection;
export declare function stripComments(code: string): string;
export declare function prepareShader(name: string, source: string, library: Readonly<Record<string, string>>): PreparedShader;
export declare function prepareAll(dir?: string): Record<string, PreparedShader>;
export declare function generateShaders(opts?: { force?: boolean }): string;
