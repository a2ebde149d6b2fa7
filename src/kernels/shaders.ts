/**
 * Every `.wgsl` file under `shaders/`, as text, keyed by its base name (`matmul.wgsl` → `matmul`).
 * Vite (and Vitest) inline them at build time through `?raw`; nothing is fetched at run time.
 */
const files = import.meta.glob('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

export const SHADER_SOURCES: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(Object.entries(files).map(([path, src]) => [path.replace(/^.*\//, '').replace(/\.wgsl$/, ''), src])),
);
