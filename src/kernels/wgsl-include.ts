/**
 * `#include "name"` for WGSL, which has no module system: a line holding only that directive is replaced
 * by `shaders/lib/name.wgsl`. Kernels share code this way where the logic is the same (the LSTM cell
 * update and its derivatives, the gate order, the GEMM parameter block); each kernel file still says what
 * it includes. The expansion keeps, for every line, the file and line it came from, so compile errors
 * point at the file a developer edits. Includes may nest; a cycle or an unknown name throws.
 */
export interface ExpandedShader {
  code: string;
  /** origin[i]: where line i + 1 of `code` came from. */
  origin: Array<{ file: string; line: number }>;
}

const DIRECTIVE = /^\s*#include\s+"([\w-]+)"\s*$/;

export function expandIncludes(file: string, source: string, library: Readonly<Record<string, string>>, stack: string[] = []): ExpandedShader {
  const lines: string[] = [];
  const origin: ExpandedShader['origin'] = [];
  source.split('\n').forEach((text, i) => {
    const m = DIRECTIVE.exec(text);
    if (!m) {
      lines.push(text);
      origin.push({ file, line: i + 1 });
      return;
    }
    const name = m[1]!;
    const libFile = `lib/${name}.wgsl`;
    if (stack.includes(libFile) || libFile === file) throw new Error(`${file}:${i + 1}: #include "${name}" is circular (${[...stack, file, libFile].join(' → ')})`);
    const lib = library[name];
    if (lib === undefined) throw new Error(`${file}:${i + 1}: #include "${name}": no shaders/${libFile} (known: ${Object.keys(library).join(', ') || 'none'})`);
    const inner = expandIncludes(libFile, lib, library, [...stack, file]);
    lines.push(...inner.code.split('\n'));
    origin.push(...inner.origin);
  });
  return { code: lines.join('\n'), origin };
}
