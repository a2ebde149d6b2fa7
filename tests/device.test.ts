import { describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine';
import { acquireGpu } from '../src/gpu/device';

describe('device acquisition', () => {
  it('a machine without a usable Vulkan driver gets an error that lists what was tried and how to fix it', async () => {
    // Point Dawn at an ICD file that does not exist: no adapter can be found.
    await expect(acquireGpu({ icd: '/nonexistent/vk_icd.json' })).rejects.toThrow(
      /No WebGPU adapter found in Node\. Tried: VK_ICD_FILENAMES=\/nonexistent\/vk_icd\.json: no adapter.*apt-get install -y chromium/,
    );
  });

  it('finds an adapter on this machine (SwiftShader when there is no GPU) and reports it', async () => {
    const gpu = await acquireGpu();
    expect(gpu.device).toBeTruthy();
    expect(['dawn', 'dawn+swiftshader']).toContain(gpu.backend);
    // A SwiftShader adapter is a software one (the engine then picks its CPU-tuned kernels).
    if (gpu.backend === 'dawn+swiftshader' || /swiftshader/i.test(JSON.stringify(gpu.adapterInfo))) expect(gpu.software).toBe(true);
    const errors: string[] = [];
    gpu.onError((e) => errors.push(e.message));
    // A validation error (a buffer larger than allowed by its usage rules) reaches the single callback.
    gpu.device.createBuffer({ size: 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE });
    await gpu.device.queue.onSubmittedWorkDone();
    await new Promise((r) => setTimeout(r, 50));
    expect(errors.length).toBe(1);
    // The engine's kernel tuning follows the adapter unless asked for.
    expect((await Engine.create({ gpu })).tuning).toBe(gpu.software ? 'cpu' : 'gpu');
    expect((await Engine.create({ gpu, tuning: 'gpu' })).tuning).toBe('gpu');
    gpu.destroy();
  });

  it("a GPU error inside a step rejects that step's readbacks (no zeros), and the engine reports it from then on", async () => {
    const engine = await Engine.create(); // its own device: this test leaves it failed
    const heard: string[] = [];
    engine.onError((e) => heard.push(e.kind));
    const step = engine.beginStep({ grad: false, label: 'too big' });
    const huge = step.scratch(engine.device.limits.maxBufferSize / 4 + 1024, 'huge');
    const small = step.scratch(4);
    step.copy({ buffer: huge.buffer, offset: 0, length: 4 }, small);
    const p = step.read(small);
    step.submit();
    await expect(p).rejects.toThrow(/^GPU validation error in step "too big": .*exceeds the max buffer size limit/);
    expect(heard).toEqual(['validation']);
    expect(() => engine.beginStep({ grad: false })).toThrow(/GPU validation error/);
    engine.destroy();
  });
});
