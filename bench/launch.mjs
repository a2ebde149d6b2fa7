#!/usr/bin/env node
// Runs a TypeScript benchmark of this project in Node through Vite's SSR module loader (Node cannot run
// TypeScript itself; the benchmarks import internals that the package does not export), with the aliases
// of vite.config.ts. The entry exports `main(argv)`, whose number is the exit code.
// Usage: node bench/launch.mjs <file.ts> [args…]
import { createServer } from 'vite';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node bench/launch.mjs <file.ts> [args…]');
  process.exit(2);
}
const server = await createServer({
  configFile: path.join(root, 'vite.config.ts'),
  root,
  logLevel: 'error',
  appType: 'custom',
  server: { middlewareMode: true, hmr: false, ws: false, watch: null },
  optimizeDeps: { noDiscovery: true, include: [] },
});
let code = 1;
try {
  const mod = await server.ssrLoadModule(path.resolve(entry));
  if (typeof mod.main !== 'function') throw new Error(`${entry} does not export main(argv)`);
  const result = await mod.main(args);
  code = typeof result === 'number' ? result : 0;
} catch (e) {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
} finally {
  await server.close();
}
process.exit(code);
