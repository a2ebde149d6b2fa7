#!/usr/bin/env node
// Packs what bench/real-gpu.sh needs on a GPU machine that has no Node.js and no npm registry, into
// .devbench/ (ignored by git; about 35 MB):
//   real-gpu.mjs (+ chunks)   bench/real-gpu.ts bundled by Vite with every dependency but Dawn
//   node_modules/webgpu/      Dawn for Node, linux-x64 build only
//   node.xz                   this machine's node binary, xz-compressed (used only where `node` is missing)
//   *.deb                     the Vulkan loader and GL vendor-neutral dispatch libraries (Dawn loads
//                             libvulkan.so.1, NVIDIA's Vulkan driver wants libglvnd; the GPU image may lack them)
//   Sentiment.zip             copied from ../shared/data when present, for the measured epoch
// Usage: node bench/pack-real-gpu.mjs   (then carry .devbench to the machine and run bench/real-gpu.sh)
import { build } from 'vite';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, '.devbench');
fs.mkdirSync(out, { recursive: true });

await build({
  configFile: path.join(root, 'vite.config.ts'),
  root,
  logLevel: 'warn',
  ssr: { noExternal: true, external: ['webgpu'] },
  build: {
    ssr: path.join(root, 'bench/real-gpu.ts'),
    outDir: out,
    emptyOutDir: false,
    target: 'node20',
    minify: false,
    rollupOptions: { output: { entryFileNames: 'real-gpu.mjs', format: 'es' } },
  },
});

const dawnSrc = path.join(root, 'node_modules/webgpu');
const dawnDst = path.join(out, 'node_modules/webgpu');
fs.mkdirSync(path.join(dawnDst, 'dist/linux-x64'), { recursive: true });
for (const f of ['index.js', 'package.json', 'LICENSE.md', 'dist/linux-x64/dawn.node']) fs.copyFileSync(path.join(dawnSrc, f), path.join(dawnDst, f));

const nodeXz = path.join(out, 'node.xz');
const version = path.join(out, 'node.version');
if (!fs.existsSync(nodeXz) || !fs.existsSync(version) || fs.readFileSync(version, 'utf8') !== process.version) {
  console.log(`compressing ${process.execPath} (${process.version}) with xz…`);
  fs.writeFileSync(nodeXz, execFileSync('xz', ['-T0', '-6', '-c', process.execPath], { maxBuffer: 1 << 30 }));
  fs.writeFileSync(version, process.version);
}

const debs = ['libvulkan1', 'libglvnd0', 'libglx0', 'libgl1', 'libegl1', 'libopengl0', 'libgles2'];
const missing = debs.filter((d) => !fs.readdirSync(out).some((f) => f.startsWith(`${d}_`) && f.endsWith('.deb')));
if (missing.length) {
  const lists = '/tmp/pack-real-gpu-apt';
  fs.mkdirSync(path.join(lists, 'partial'), { recursive: true });
  const o = ['-oAPT::Architecture=amd64', '-oAPT::Architectures=amd64', `-oDir::State::Lists=${lists}`];
  execFileSync('apt-get', [...o, 'update'], { stdio: 'ignore' });
  execFileSync('apt-get', [...o, 'download', ...missing], { cwd: out, stdio: 'inherit' });
}

const zip = path.resolve(root, '../shared/data/Sentiment.zip');
if (fs.existsSync(zip)) fs.copyFileSync(zip, path.join(out, 'Sentiment.zip'));
else console.log(`${zip} is absent: the real-GPU run will skip the measured epoch`);

const size = (p) => (fs.statSync(p).isDirectory() ? fs.readdirSync(p).reduce((s, f) => s + size(path.join(p, f)), 0) : fs.statSync(p).size);
console.log(`packed ${out}: ${(size(out) / 2 ** 20).toFixed(1)} MB`);
