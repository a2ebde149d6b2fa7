import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// wgsl_reflect's `main` is a CommonJS build inside a `"type": "module"` package, which Node refuses to
// load; point every importer (Vite, Vitest) at its ES module build.
const wgslReflectEsm = fileURLToPath(new URL('./node_modules/wgsl_reflect/wgsl_reflect.module.js', import.meta.url));
const demo = (f: string) => fileURLToPath(new URL(`./demo/${f}`, import.meta.url));

export default defineConfig(({ mode }) => ({
  root: 'demo',
  base: './',
  resolve: {
    mainFields: ['module', 'browser', 'main'],
    alias: { wgsl_reflect: wgslReflectEsm },
  },
  build:
    mode === 'lib'
      ? {
          // `vite build --mode lib`: one ES module that registers <lstm-trainer>, usable without a bundler.
          outDir: '../dist/lib',
          emptyOutDir: true,
          target: 'es2022',
          lib: { entry: fileURLToPath(new URL('./src/component/lstm-trainer.ts', import.meta.url)), formats: ['es'], fileName: () => 'lstm-trainer.js' },
        }
      : {
          // The demo site: works from any static server (relative asset paths).
          outDir: '../dist',
          emptyOutDir: true,
          target: 'es2022',
          rollupOptions: { input: { index: demo('index.html'), embed: demo('embed.html') } },
        },
  test: {
    root: '.',
    include: ['tests/**/*.test.ts'],
    // Each test file gets its own process and its own Dawn device; SwiftShader already uses every core,
    // so two files at once is the most this 2-core machine gains from.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 180_000,
    hookTimeout: 300_000,
    server: { deps: { inline: ['wgsl_reflect'] } },
  },
}));
