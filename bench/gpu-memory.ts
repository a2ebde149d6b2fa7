/**
 * Peak GPU memory per device, measured the same way for every peer on the benchmark page: the bytes of
 * all buffers a device has created and not yet destroyed, and the most of them at any moment. It wraps
 * GPUDevice.createBuffer, GPUBuffer.destroy and GPUDevice.destroy, so it sees what our engine and TF.js's
 * webgpu backend (including its buffer pool) actually hold, which neither library's own counters say
 * the same way (TF.js's tf.memory() has no peak). Textures are not counted: neither side uses them here.
 */
interface Stats {
  live: number;
  peak: number;
}

const byDevice = new WeakMap<GPUDevice, Stats>();
const byBuffer = new WeakMap<GPUBuffer, { stats: Stats; size: number }>();
let installed = false;

function statsOf(device: GPUDevice): Stats {
  let s = byDevice.get(device);
  if (!s) {
    s = { live: 0, peak: 0 };
    byDevice.set(device, s);
  }
  return s;
}

/** Install the wrappers (once, before any device creates buffers). */
export function trackGpuMemory(): void {
  if (installed) return;
  installed = true;
  const createBuffer = GPUDevice.prototype.createBuffer;
  GPUDevice.prototype.createBuffer = function (this: GPUDevice, desc: GPUBufferDescriptor): GPUBuffer {
    const buffer = createBuffer.call(this, desc);
    const stats = statsOf(this);
    stats.live += desc.size;
    stats.peak = Math.max(stats.peak, stats.live);
    byBuffer.set(buffer, { stats, size: desc.size });
    return buffer;
  };
  const destroyBuffer = GPUBuffer.prototype.destroy;
  GPUBuffer.prototype.destroy = function (this: GPUBuffer): undefined {
    const e = byBuffer.get(this);
    if (e) {
      e.stats.live -= e.size;
      byBuffer.delete(this);
    }
    return destroyBuffer.call(this);
  };
  const destroyDevice = GPUDevice.prototype.destroy;
  GPUDevice.prototype.destroy = function (this: GPUDevice): undefined {
    statsOf(this).live = 0;
    return destroyDevice.call(this);
  };
}

/** The most buffer bytes `device` has held at once so far (null before trackGpuMemory()). */
export function peakGpuBytes(device: GPUDevice): number | null {
  return installed ? statsOf(device).peak : null;
}
