import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/ops/create-engine';
import { probeDawn, withRuntimeDir } from '../src/gpu/dawn-probe';
import { acquireGpu } from '../src/gpu/device';
import { SWIFTSHADER_ICDS } from '../src/gpu/device-node';

const swiftShader = SWIFTSHADER_ICDS.find((f) => fs.existsSync(f));

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
    // The error arrives as an event some time after the submit: wait for it (not a fixed delay, which a
    // loaded machine can outlast), then check that it came once.
    for (let i = 0; i < 600 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    await gpu.device.queue.onSubmittedWorkDone();
    expect(errors.length).toBe(1);
    // The engine's kernel tuning follows the adapter unless asked for.
    expect((await createEngine({ gpu })).tuning).toBe(gpu.software ? 'cpu' : 'gpu');
    expect((await createEngine({ gpu, tuning: 'gpu' })).tuning).toBe('gpu');
    gpu.destroy();
  });

  it("a GPU error inside a step rejects that step's readbacks (no zeros), and the engine reports it from then on", async () => {
    const engine = await createEngine(); // its own device: this test leaves it failed
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

describe('finding the driver quietly', () => {
  it.skipIf(!swiftShader)('the probe (a child process) stops at the first attempt that gives an adapter and keeps what the drivers printed (needs a SwiftShader ICD)', async () => {
    const attempts = [
      { icd: '/nonexistent/a.json', label: 'a' },
      { icd: swiftShader, label: 'SwiftShader' },
      { icd: '/nonexistent/c.json', label: 'c' },
    ];
    const probe = await probeDawn(attempts, [], 'high-performance');
    expect(probe.chosen).toBe(1);
    expect(probe.results[0]).toBe('no adapter');
    expect(probe.results[1]).toMatch(/^adapter: .*SwiftShader/i);
    expect(probe.results).toHaveLength(2); // the third is never tried
    expect(typeof probe.native).toBe('string');
  });

  it('no working driver is a result, not an error: every attempt is listed', async () => {
    const probe = await probeDawn([{ icd: '/nonexistent/a.json', label: 'a' }, { icd: '/nonexistent/b.json', label: 'b' }], [], 'low-power');
    expect(probe).toMatchObject({ chosen: -1, results: ['no adapter', 'no adapter'] });
  });

  it('XDG_RUNTIME_DIR: a missing or unusable one is replaced by a private directory for the creation, then restored; a good one is left alone', () => {
    const env: NodeJS.ProcessEnv = {};
    const undo = withRuntimeDir(env);
    const dir = env.XDG_RUNTIME_DIR!;
    expect(path.isAbsolute(dir)).toBe(true);
    const st = fs.statSync(dir);
    expect(st.isDirectory()).toBe(true);
    expect(st.mode & 0o077).toBe(0);
    undo();
    expect('XDG_RUNTIME_DIR' in env).toBe(false);

    const bad: NodeJS.ProcessEnv = { XDG_RUNTIME_DIR: '/nonexistent/run' };
    const undoBad = withRuntimeDir(bad);
    expect(bad.XDG_RUNTIME_DIR).toBe(dir);
    undoBad();
    expect(bad.XDG_RUNTIME_DIR).toBe('/nonexistent/run');

    const own = fs.mkdtempSync(path.join(os.tmpdir(), 'xdg-'));
    fs.chmodSync(own, 0o700);
    const good: NodeJS.ProcessEnv = { XDG_RUNTIME_DIR: own };
    withRuntimeDir(good)();
    expect(good.XDG_RUNTIME_DIR).toBe(own);
    fs.rmSync(own, { recursive: true });
  });
});
