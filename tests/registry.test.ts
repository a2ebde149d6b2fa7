import { describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine';
import { KernelRegistry, reflectShader } from '../src/kernels/registry';
import { SHADER_LIBRARY, SHADER_SOURCES } from '../src/kernels/shaders';
import { expandIncludes } from '../src/kernels/wgsl-include';
import { allKernelVariants } from '../src/ops/table';
import { getEngine } from './helpers/gpu';

describe('kernel registry', () => {
  it('reflects bindings and uniform offsets from the WGSL source', () => {
    const r = reflectShader('matmul', expandIncludes('matmul.wgsl', SHADER_SOURCES['matmul']!, SHADER_LIBRARY).code);
    expect(r.buffers.map((b) => [b.name, b.type])).toEqual([
      ['A', 'read-only-storage'],
      ['B', 'read-only-storage'],
      ['C', 'storage'],
    ]);
    expect(r.uniform?.fields.get('M')).toEqual({ offset: 0, type: 'u32' });
    expect(r.uniform?.fields.get('alpha')).toEqual({ offset: 40, type: 'f32' });
    expect(r.overrides.sort()).toEqual(['TRANS_A', 'TRANS_B']);
    expect(r.workgroupSize).toEqual([8, 8, 1]);
  });

  it('every shader file is used by some op, and every op kernel exists', () => {
    const used = new Set(allKernelVariants().map((v) => v.shader));
    expect([...used].sort()).toEqual(Object.keys(SHADER_SOURCES).sort());
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
    expect(() => step.dispatch('matmul', { buffers: {}, workgroups: [1] })).toThrow(/was not prepared/);
    step.abort();
    engine.release(buf);
  });

  it('a WGSL syntax error is reported with the shader name and line:col', async () => {
    const base = await getEngine();
    const broken = 'struct P { n: u32 }\n@group(0) @binding(0) var<uniform> p: P;\n@compute @workgroup_size(1)\nfn main() {\n  let x = 1u +;\n}\n';
    const engine = await Engine.create({ gpu: base.gpu, sources: { broken }, prepare: false });
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
    const good = new KernelRegistry(base.device, { good: kernel('#include "consts"') }, library);
    await good.prepare([{ shader: 'good' }]);
    expect(good.get('good').uniform?.fields.get('n')).toEqual({ offset: 0, type: 'u32' });
    const bad = new KernelRegistry(base.device, { bad: `${kernel('#include "consts"')}#include "broken"\n` }, library);
    await expect(bad.prepare([{ shader: 'bad' }])).rejects.toThrow(/lib\/broken\.wgsl:2:\d+: /);
  });
});
