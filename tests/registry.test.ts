import { describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine';
import { reflectShader } from '../src/kernels/registry';
import { SHADER_SOURCES } from '../src/kernels/shaders';
import { allKernelVariants } from '../src/ops/table';
import { getEngine } from './helpers/gpu';

describe('kernel registry', () => {
  it('reflects bindings and uniform offsets from the WGSL source', () => {
    const r = reflectShader('matmul', SHADER_SOURCES['matmul']!);
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
});
