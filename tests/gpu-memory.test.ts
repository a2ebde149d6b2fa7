/**
 * The benchmark's outside-the-library GPU memory counter (bench/gpu-memory.ts), which backs the peak-memory
 * comparison with TF.js: it must count what a device creates and destroys, per device, and keep the peak.
 */
import { describe, expect, it } from 'vitest';
import { acquireGpu } from '../src/gpu/device';
import { peakGpuBytes, trackGpuMemory } from '../bench/gpu-memory';

describe('benchmark GPU memory counter', () => {
  it('tracks live and peak buffer bytes per device through createBuffer, destroy and device loss', async () => {
    const gpu = await acquireGpu();
    expect(peakGpuBytes(gpu.device)).toBeNull(); // not installed yet: no number rather than a wrong one
    trackGpuMemory();
    const usage = GPUBufferUsage.STORAGE;
    const a = gpu.device.createBuffer({ size: 1024, usage });
    const b = gpu.device.createBuffer({ size: 4096, usage });
    expect(peakGpuBytes(gpu.device)).toBe(5120);
    b.destroy();
    b.destroy(); // a second destroy is not counted twice
    const c = gpu.device.createBuffer({ size: 2048, usage });
    expect(peakGpuBytes(gpu.device)).toBe(5120); // 1024 + 2048 live now, below the peak
    const d = gpu.device.createBuffer({ size: 4096, usage });
    expect(peakGpuBytes(gpu.device)).toBe(1024 + 2048 + 4096);
    // A second device is counted on its own.
    const other = await acquireGpu();
    other.device.createBuffer({ size: 256, usage });
    expect(peakGpuBytes(other.device)).toBe(256);
    expect(peakGpuBytes(gpu.device)).toBe(7168);
    for (const x of [a, c, d]) x.destroy();
    other.destroy();
    gpu.destroy();
  });
});
