/**
 * Every `.wgsl` file under `shaders/`, as text, keyed by its base name (`matmul.wgsl` → `matmul`), and the
 * pieces under `shaders/lib/` that kernels `#include` (see wgsl-include.ts).
 * Vite (and Vitest) inline them at build time through `?raw`; nothing is fetched at run time.
 */
const files = import.meta.glob('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

const libFiles = import.meta.glob('../../shaders/lib/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

const byBaseName = (f: Record<string, string>) => Object.fromEntries(Object.entries(f).map(([path, src]) => [path.replace(/^.*\//, '').replace(/\.wgsl$/, ''), src]));

export const SHADER_LIBRARY: Readonly<Record<string, string>> = Object.freeze(byBaseName(libFiles));

export const SHADER_SOURCES: Readonly<Record<string, string>> = Object.freeze(byBaseName(files));
