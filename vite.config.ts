import type { UserConfig } from 'vite';
import { defineConfig } from 'vitest/config';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { generateShaders } from './src/build/shaders.mjs';

// Every Vite and Vitest run starts from fresh shader data (src/kernels/shaders.generated.ts, generated
// from shaders/*.wgsl; cheap when nothing changed). tsc runs after `npm run generate` (see package.json).
generateShaders();

// wgsl_reflect's `main` is a CommonJS build inside a `"type": "module"` package, which Node refuses to
// load; point every importer (Vite, Vitest) at its ES module build. It is a build-time tool only.
const wgslReflectEsm = fileURLToPath(new URL('./node_modules/wgsl_reflect/wgsl_reflect.module.js', import.meta.url));
const src = (f: string) => fileURLToPath(new URL(`./src/${f}`, import.meta.url));
const demo = (f: string) => fileURLToPath(new URL(`./demo/${f}`, import.meta.url));
const dist = fileURLToPath(new URL('./dist', import.meta.url));

/** What the npm package's library entries leave to the installer (dependencies and Node built-ins). */
const external = [/^jszip/, /^papaparse/, /^seedrandom/, /^lit/, /^@lit\//, /^webgpu$/, /^h5wasm/, ...builtinModules.flatMap((m) => [m, `node:${m}`])];

function build(mode: string): UserConfig['build'] {
  switch (mode) {
    case 'lib':
      // `vite build --mode lib`: the package's entries in dist/ (chunks beside them): the library for
      // browsers and bundlers, its Node variant (adds Dawn), the CLI, and the element for bundlers
      // (lstm-trainer.js: shares the library's chunks, so an app importing both carries the engine once).
      // Dependencies stay external: the app's bundler (or Node) resolves them.
      return {
        outDir: dist,
        emptyOutDir: false,
        target: 'es2022',
        minify: true,
        sourcemap: true,
        lib: { entry: { index: src('index.ts'), node: src('node.ts'), cli: src('cli/bin.ts'), 'lstm-trainer': src('element.ts') }, formats: ['es'] },
        rollupOptions: {
          external,
          output: { chunkFileNames: 'lib-[hash].js', banner: (chunk) => (chunk.name === 'cli' ? '#!/usr/bin/env node' : '') },
        },
      };
    case 'element':
      // `vite build --mode element`: dist/element.js registers <lstm-trainer> in a page without a bundler:
      // everything bundled (Lit, JSZip, PapaParse and the shaders); JSZip and PapaParse load lazily from
      // chunks beside it, resolved relative to the module.
      return {
        outDir: dist,
        emptyOutDir: false,
        copyPublicDir: false,
        target: 'es2022',
        minify: true,
        sourcemap: true,
        lib: { entry: { element: src('element.ts') }, formats: ['es'] },
        // The Keras exporter's HDF5 library (4.9 MB) is not bundled: the elements never export to Keras,
        // and library users get it from npm.
        rollupOptions: { external: [/^h5wasm/], output: { chunkFileNames: 'element-[name]-[hash].js' } },
      };
    default:
      // The demo site (dist/site): works from any static server (relative asset paths).
      return {
        outDir: `${dist}/site`,
        emptyOutDir: true,
        target: 'es2022',
        chunkSizeWarningLimit: 5000, // the HDF5 chunk below (4.8 MB), loaded only on a Keras export
        // The Keras exporter's HDF5 library is bundled here as a chunk of its own, fetched only when a
        // visitor exports to Keras.
        rollupOptions: { input: { index: demo('index.html'), embed: demo('embed.html'), forecast: demo('forecast.html'), write: demo('write.html'), inside: demo('inside.html'), 'long-term': demo('long-term.html') } },
      };
  }
}

export default defineConfig(({ mode }) => ({
  root: 'demo',
  base: './',
  resolve: {
    mainFields: ['module', 'browser', 'main'],
    alias: [{ find: /^wgsl_reflect$/, replacement: wgslReflectEsm }],
  },
  build: build(mode),
  // <lstm-trainer>'s Worker (src/component/trainer-worker.ts): one self-contained file, dependencies
  // included and no chunks (dist/trainer-worker-*.js beside the entries; dist/site/assets/ for the
  // demo), so an app's bundler that copies it as an asset (`new URL(file, import.meta.url)`) gets all of
  // it. The HDF5 library stays out: the page writes Keras archives, the Worker only gathers them.
  worker: {
    format: 'es',
    rollupOptions: {
      external: [/^h5wasm/],
      output: { codeSplitting: false, ...(mode === 'lib' || mode === 'element' ? { entryFileNames: '[name]-[hash].js' } : {}) },
    },
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
    setupFiles: ['tests/helpers/node-gpu.ts'],
    server: { deps: { inline: ['wgsl_reflect'] } },
  },
}));
