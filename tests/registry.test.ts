import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandIncludes, prepareAll, prepareShader, reflectShader, SHADER_DIR } from '../src/build/shaders.mjs';
import { Engine } from '../src/engine/engine';
import { KernelRegistry } from '../src/kernels/registry';
import { SHADERS } from '../src/kernels/shaders.generated';
import { allKernels } from '../src/ops/kernels';
import { getEngine } from './helpers/gpu';

const LIBRARY = Object.fromEntries(
  fs.readdirSync(path.join(SHADER_DIR, 'lib')).map((f) => [f.replace(/\.wgsl$/, ''), fs.readFileSync(path.join(SHADER_DIR, 'lib', f), 'utf8')]),
);

describe('kernel registry', () => {
  it('reflects bindings and uniform offsets from the WGSL source at build time', () => {
    const r = reflectShader('matmul', expandIncludes('matmul.wgsl', fs.readFileSync(path.join(SHADER_DIR, 'matmul.wgsl'), 'utf8'), LIBRARY).code);
    expect(r.buffers.map((b) => [b.name, b.type])).toEqual([
      ['A', 'read-only-storage'],
      ['B', 'read-only-storage'],
      ['C', 'storage'],
    ]);
    expect(r.uniform?.fields['M']).toEqual({ offset: 0, type: 'u32' });
    expect(r.uniform?.fields['alpha']).toEqual({ offset: 40, type: 'f32' });
    expect(r.overrides.sort()).toEqual(['TRANS_A', 'TRANS_B']);
    expect(r.workgroupSize).toEqual([8, 8, 1]);
  });

  it('the generated shader module is what the build step makes of shaders/ today', () => {
    // JSON round trip: the generated module holds plain data, exactly this.
    expect(JSON.parse(JSON.stringify(SHADERS))).toEqual(prepareAll());
  });

  it('every shader file is used by some op, and every op kernel exists', () => {
    const used = new Set(allKernels().map((v) => v.shader));
    expect([...used].sort()).toEqual(Object.keys(SHADERS).sort());
  });

  it('a wrong binding name throws naming both the wrong and the declared names', async () => {
    const engine = await getEngine();
    const buf = engine.allocate(16, 'x');
    const step = engine.beginStep({ grad: false });
    expect(() =>
      step.dispatch('add_scaled', { buffers: { X: buf, Yy: buf }, params: { n: 1, offX: 0, offY: 0, alpha: 1 }, workgroups: [1] }),
    ).toThrow(/buffer "Yy" is not declared by add_scaled\.wgsl \(declared: X, Y\)/);
    expect(() => step.dispatch('add_scaled', { buffers: { X: buf }, params: { n: 1, offX: 0, offY: 0, alpha: 1 }, workgroups: [1] })).toThrow(
      /missing buffer "Y" \(passed: X\)/,
    );
    expect(() => step.dispatch('add_scaled', { buffers: { X: buf, Y: buf }, params: { n: 1, offX: 0, alpha: 1 }, workgroups: [1] })).toThrow(
      /missing uniform field "offY"/,
    );
    expect(() => step.dispatch('add_scaled', { buffers: { X: buf, Y: buf }, params: { n: 1, offX: 0, offY: 0, alpha: 1, beta: 2 }, workgroups: [1] })).toThrow(
      /uniform field "beta" is not declared \(declared: n, offX, offY, alpha\)/,
    );
    expect(() => step.dispatch('add_scaled', { buffers: { X: buf, Y: buf }, params: { n: -1, offX: 0, offY: 0, alpha: 1 }, workgroups: [1] })).toThrow(
      /uniform "n" = -1 is not a valid u32/,
    );
    for (const bad of [[1.5], [1, -1], [1, 1, 70000]] as const) {
      expect(() => step.dispatch('add_scaled', { buffers: { X: buf, Y: buf }, params: { n: 1, offX: 0, offY: 0, alpha: 1 }, workgroups: bad })).toThrow(
        /invalid workgroup count/,
      );
    }
    expect(() => step.dispatch('matmul', { buffers: {}, workgroups: [1] })).toThrow(/was not prepared/);
    // @ts-expect-error: shader names are a typed union, so a misspelt kernel does not compile.
    expect(() => step.dispatch('add_bais', { buffers: {}, workgroups: [1] })).toThrow(/was not prepared/);
    step.abort();
    engine.release(buf);
  });

  it('a kernel is found by its override values, whatever object carries them; an unprepared combination throws', async () => {
    const engine = await getEngine();
    const reg = engine.kernels;
    const on = reg.get('lstm_forward_step_rows8', { USE_RECURRENT_MASK: true });
    expect(on.key).toBe('lstm_forward_step_rows8{USE_RECURRENT_MASK=1}');
    expect(reg.get('lstm_forward_step_rows8', { USE_RECURRENT_MASK: 1 })).toBe(on);
    const off = reg.get('lstm_forward_step_rows8', { USE_RECURRENT_MASK: false });
    expect(off.key).toBe('lstm_forward_step_rows8{USE_RECURRENT_MASK=0}');
    expect(off).not.toBe(on);
    expect(() => reg.get('lstm_forward_step_rows8', { USE_RECURRENT_MASK: 2 })).toThrow(/lstm_forward_step_rows8\{USE_RECURRENT_MASK=2\} was not prepared/);
    expect(() => reg.get('lstm_forward_step_rows8', {})).toThrow(/was not prepared/);
    expect(() => reg.get('lstm_forward_step_rows8', { USE_RECURRENT_MASK: 1, NOPE: 1 })).toThrow(/was not prepared/);
    expect(reg.get('add_scaled')).toBe(reg.get('add_scaled', {}));
  });

  it('a WGSL syntax error is reported with the shader name and line:col', async () => {
    const base = await getEngine();
    const broken = 'struct P { n: u32 }\n@group(0) @binding(0) var<uniform> p: P;\n@compute @workgroup_size(1)\nfn main() {\n  let x = 1u +;\n}\n';
    const engine = await Engine.create({ gpu: base.gpu, shaders: { broken: prepareShader('broken', broken, {}) }, kernels: () => [] });
    await expect(engine.prepare([{ shader: 'broken' }])).rejects.toThrow(/broken\.wgsl:5:\d+: /);
    await expect(engine.prepare([{ shader: 'broken', overrides: { NOPE: 1 } }])).rejects.toThrow(/override "NOPE" is not declared/);
  });

  it('#include pastes a shaders/lib piece; errors inside it name that file and line; bad includes throw', async () => {
    const library = {
      consts: 'const ONE: u32 = 1u;\n#include "helpers"',
      helpers: '// a helper\nfn twice(x: u32) -> u32 { return 2u * x; }',
      broken: 'fn bad() -> u32 {\n  return 1u +;\n}',
      loop: '#include "loop"',
    };
    const kernel = (inc: string) =>
      `struct P { n: u32 }\n@group(0) @binding(0) var<uniform> p: P;\n${inc}\n@compute @workgroup_size(1)\nfn main() {\n  _ = twice(ONE) + p.n;\n}\n`;
    const e = expandIncludes('k.wgsl', kernel('#include "consts"'), library);
    expect(e.code).toContain('const ONE: u32 = 1u;\n// a helper\nfn twice');
    expect(e.origin[2]).toEqual({ file: 'lib/consts.wgsl', line: 1 });
    expect(e.origin[4]).toEqual({ file: 'lib/helpers.wgsl', line: 2 });
    expect(e.origin[5]).toEqual({ file: 'k.wgsl', line: 4 });
    expect(() => expandIncludes('k.wgsl', '#include "nope"', library)).toThrow(/k\.wgsl:1: #include "nope": no shaders\/lib\/nope\.wgsl/);
    expect(() => expandIncludes('k.wgsl', '#include "loop"', library)).toThrow(/circular/);

    const base = await getEngine();
    const good = new KernelRegistry(base.device, { good: prepareShader('good', kernel('#include "consts"'), library) });
    await good.prepare([{ shader: 'good' }]);
    expect(good.get('good').uniform?.fields.find((f) => f.name === 'n')).toEqual({ name: 'n', offset: 0, type: 'u32' });
    const bad = new KernelRegistry(base.device, { bad: prepareShader('bad', `${kernel('#include "consts"')}#include "broken"\n`, library) });
    await expect(bad.prepare([{ shader: 'bad' }])).rejects.toThrow(/lib\/broken\.wgsl:2:\d+: /);
  });
});
