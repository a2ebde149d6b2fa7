import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// wgsl_reflect's `main` is a CommonJS build inside a `"type": "module"` package, which Node refuses to
// load; point every importer (Vite, Vitest, tsc via `paths`-free resolution) at its ES module build.
const wgslReflectEsm = fileURLToPath(new URL('./node_modules/wgsl_reflect/wgsl_reflect.module.js', import.meta.url));

export default defineConfig({
  root: 'demo',
  resolve: {
    mainFields: ['module', 'browser', 'main'],
    alias: { wgsl_reflect: wgslReflectEsm },
  },
  build: { outDir: '../dist', emptyOutDir: true, target: 'es2022' },
  test: {
    root: '.',
    include: ['tests/**/*.test.ts'],
    // Each test file gets its own process and its own Dawn device; SwiftShader already uses every core,
    // so two files at once is the most this 2-core machine gains from.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    server: { deps: { inline: ['wgsl_reflect'] } },
  },
});
