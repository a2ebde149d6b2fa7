#!/usr/bin/env node
// After `tsc -p tsconfig.build.json` has written dist/types/**/*.d.ts: make the declarations resolvable
// under every TypeScript module resolution a consumer may use. The sources import relative modules
// without an extension (moduleResolution "bundler"); "node16"/"nodenext" need the ".js" the published
// files have, so every relative specifier gets it (or "/index.js" for a folder). The WebGPU types the
// declarations mention come from the consumer's DOM lib (TypeScript 6+) or from @webgpu/types (a
// dependency of the package; a project compiled without the DOM lib lists it in "types"). No reference
// directive pulls it in: next to a DOM lib that has WebGPU, both would declare the same names.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const typesDir = path.join(root, 'dist/types');

function* files(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (p.endsWith('.d.ts')) yield p;
  }
}

const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\2/g;
let rewritten = 0;
for (const file of files(typesDir)) {
  const dir = path.dirname(file);
  const text = fs.readFileSync(file, 'utf8').replace(SPECIFIER, (all, lead, q, spec) => {
    if (/\.(js|mjs|json)$/.test(spec)) return all;
    const target = path.resolve(dir, spec);
    const withJs = fs.existsSync(`${target}.d.ts`) ? `${spec}.js` : fs.existsSync(path.join(target, 'index.d.ts')) ? `${spec}/index.js` : null;
    if (!withJs) throw new Error(`${path.relative(root, file)}: cannot resolve "${spec}" among the emitted declarations`);
    rewritten++;
    return `${lead}${q}${withJs}${q}`;
  });
  fs.writeFileSync(file, text);
}
console.log(`types: dist/types (${rewritten} relative imports given their .js extension)`);
