#!/usr/bin/env node
// Build step: turns every kernel under shaders/ into data the engine loads at run time, so that no
// WGSL is parsed in a page or a CLI process. For each shaders/NAME.wgsl it
//   1. expands `#include "piece"` lines with shaders/lib/piece.wgsl (WGSL has no module system),
//      remembering where every line came from so that compile errors point at the file a developer edits;
//   2. reflects the expanded source with wgsl_reflect: the single compute entry point, its workgroup size,
//      the group-0 storage bindings (name, binding, read-only or not), the uniform struct's field offsets
//      and the override constants;
//   3. drops `//` comments (blank lines stay, so line numbers still match the origin map).
// The result is src/kernels/shaders.generated.ts (ignored by git): the shader name union `ShaderName`
// and `SHADERS`, one entry per kernel. The .wgsl files stay the source of truth.
//
//   node src/build/shaders.mjs            regenerate when a .wgsl file (or shaders/, shaders/lib/) is newer than the output
//   node src/build/shaders.mjs --force    regenerate always
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WgslReflect, ResourceType } from 'wgsl_reflect/wgsl_reflect.module.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHADER_DIR = path.join(root, 'shaders');
export const GENERATED = path.join(root, 'src/kernels/shaders.generated.ts');

const DIRECTIVE = /^\s*#include\s+"([\w-]+)"\s*$/;

/** Expand `#include "name"` lines from `library` (shaders/lib/NAME.wgsl); origin[i] is where line i + 1 came from. */
export function expandIncludes(file, source, library, stack = []) {
  const lines = [];
  const origin = [];
  source.split('\n').forEach((text, i) => {
    const m = DIRECTIVE.exec(text);
    if (!m) {
      lines.push(text);
      origin.push({ file, line: i + 1 });
      return;
    }
    const name = m[1];
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

/** Reflect one expanded shader: its single compute entry point, group-0 bindings and uniform layout. */
export function reflectShader(shader, source) {
  let reflect;
  try {
    reflect = new WgslReflect(source);
  } catch (e) {
    throw new Error(`shader "${shader}.wgsl" could not be parsed: ${e.message}`);
  }
  const entries = reflect.entry.compute;
  if (entries.length !== 1) throw new Error(`shader "${shader}.wgsl" must have exactly one compute entry point, found ${entries.length}`);
  const entry = entries[0];
  const buffers = [];
  let uniform = null;
  for (const v of [...reflect.storage, ...reflect.uniforms]) {
    if (v.group !== 0) throw new Error(`shader "${shader}.wgsl": binding "${v.name}" must be in @group(0)`);
    if (v.resourceType === ResourceType.Uniform) {
      if (uniform) throw new Error(`shader "${shader}.wgsl": only one uniform struct is supported ("${uniform.name}", "${v.name}")`);
      const fields = {};
      for (const m of v.members ?? []) {
        const t = m.type.name;
        if (t !== 'u32' && t !== 'i32' && t !== 'f32') {
          throw new Error(`shader "${shader}.wgsl": uniform field "${m.name}" has type ${t}; only u32, i32, f32 are supported`);
        }
        fields[m.name] = { offset: m.offset, type: t };
      }
      uniform = { name: v.name, binding: v.binding, size: Math.max(16, Math.ceil(v.size / 16) * 16), fields };
    } else {
      buffers.push({ name: v.name, binding: v.binding, type: v.access === 'read' ? 'read-only-storage' : 'storage' });
    }
  }
  buffers.sort((a, b) => a.binding - b.binding);
  const ws = entry.workgroupSize ?? [1, 1, 1];
  return {
    buffers,
    uniform,
    overrides: reflect.overrides.map((o) => o.name),
    entryPoint: entry.name,
    workgroupSize: [Number(ws[0] ?? 1), Number(ws[1] ?? 1), Number(ws[2] ?? 1)],
  };
}

/** `//` comments removed and trailing space trimmed, line for line (WGSL has no string literals). */
export function stripComments(code) {
  return code
    .split('\n')
    .map((l) => l.replace(/\/\/.*$/, '').trimEnd())
    .join('\n');
}

/** The origin map as runs: [first line of the run (1-based, in the expanded code), file, its line there]. */
function originRuns(origin) {
  const runs = [];
  origin.forEach((o, i) => {
    const last = runs[runs.length - 1];
    if (last && last[1] === o.file && last[2] + (i + 1 - last[0]) === o.line) return;
    runs.push([i + 1, o.file, o.line]);
  });
  return runs;
}

/** What the engine needs of one kernel: expanded code, where its lines came from, and its reflection. */
export function prepareShader(name, source, library) {
  const { code, origin } = expandIncludes(`${name}.wgsl`, source, library);
  return { code: stripComments(code), origin: originRuns(origin), reflection: reflectShader(name, code) };
}

function readDir(dir) {
  const out = {};
  for (const f of fs.readdirSync(dir).sort()) if (f.endsWith('.wgsl')) out[f.slice(0, -5)] = fs.readFileSync(path.join(dir, f), 'utf8');
  return out;
}

/** Every kernel under shaders/ (not shaders/lib/), prepared. */
export function prepareAll(dir = SHADER_DIR) {
  const library = readDir(path.join(dir, 'lib'));
  const sources = readDir(dir);
  return Object.fromEntries(Object.entries(sources).map(([name, src]) => [name, prepareShader(name, src, library)]));
}

function newestInput(dir) {
  let newest = 0;
  for (const d of [dir, path.join(dir, 'lib')]) {
    // A folder's own time moves when a file in it is added, removed or renamed: a deleted kernel regenerates too.
    newest = Math.max(newest, fs.statSync(d).mtimeMs);
    for (const f of fs.readdirSync(d)) if (f.endsWith('.wgsl')) newest = Math.max(newest, fs.statSync(path.join(d, f)).mtimeMs);
  }
  return Math.max(newest, fs.statSync(fileURLToPath(import.meta.url)).mtimeMs);
}

export function generateShaders({ force = false } = {}) {
  if (!force && fs.existsSync(GENERATED) && fs.statSync(GENERATED).mtimeMs >= newestInput(SHADER_DIR)) return GENERATED;
  const all = prepareAll();
  const names = Object.keys(all);
  const text =
    '// Generated by src/build/shaders.mjs from shaders/*.wgsl: do not edit (it is rewritten by every build and test run).\n' +
    "import type { PreparedShader } from './shader-types';\n\n" +
    `export type ShaderName =\n${names.map((n) => `  | '${n}'`).join('\n')};\n\n` +
    `export const SHADERS: Readonly<Record<ShaderName, PreparedShader>> = ${JSON.stringify(all)};\n`;
  fs.mkdirSync(path.dirname(GENERATED), { recursive: true });
  fs.writeFileSync(GENERATED, text);
  return GENERATED;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = generateShaders({ force: process.argv.includes('--force') });
  console.log(`shaders: ${path.relative(root, out)}`);
}
