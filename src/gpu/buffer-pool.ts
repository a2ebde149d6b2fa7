/**
 * GPU buffer pool keyed by (size class, usage), with live-byte accounting.
 *
 * Size classes are powers of two and 1.5× powers of two (at most 33% slack, 256 bytes minimum), so
 * buffers of a step whose shapes wobble a little (the last batch, bucketed lengths) are still reused.
 * Nothing is destroyed on release: the next acquire of the same class takes it back. Reuse across steps
 * is safe without waiting, because the queue runs command buffers in submission order.
 */

// GPUBufferUsage is a global only once a WebGPU implementation is loaded; the values are fixed by the
// spec, so they are spelled out to keep this module importable before a device exists.
export const STORAGE_USAGE = 0x0080 /* STORAGE */ | 0x0004 /* COPY_SRC */ | 0x0008; /* COPY_DST */
export const MAP_READ_USAGE = 0x0001 /* MAP_READ */ | 0x0008; /* COPY_DST */
export const UNIFORM_USAGE = 0x0040 /* UNIFORM */ | 0x0008; /* COPY_DST */

export function sizeClass(bytes: number): number {
  if (!Number.isFinite(bytes) || bytes < 0) throw new Error(`invalid buffer size ${bytes}`);
  let c = 256;
  while (c < bytes) {
    const mid = c + c / 2;
    if (mid >= bytes) return mid;
    c *= 2;
  }
  return c;
}

export class BufferPool {
  private free = new Map<string, GPUBuffer[]>();
  private owned = new Set<GPUBuffer>();
  private inUse = new Set<GPUBuffer>();
  /** Bytes of every GPU buffer this pool created and has not destroyed. */
  allocatedBytes = 0;
  /** Largest allocatedBytes seen. */
  peakBytes = 0;
  /** How many buffers were created (a pool that works stops increasing this after the first step). */
  creations = 0;

  constructor(private readonly device: GPUDevice) {}

  acquire(bytes: number, usage: number = STORAGE_USAGE, label = 'pooled'): GPUBuffer {
    const size = sizeClass(bytes);
    const key = `${size}:${usage}`;
    const list = this.free.get(key);
    const reused = list?.pop();
    if (reused) {
      this.inUse.add(reused);
      return reused;
    }
    const buffer = this.device.createBuffer({ size, usage, label: `${label} (${size} B)` });
    this.owned.add(buffer);
    this.inUse.add(buffer);
    this.allocatedBytes += size;
    this.peakBytes = Math.max(this.peakBytes, this.allocatedBytes);
    this.creations++;
    return buffer;
  }

  release(buffer: GPUBuffer): void {
    if (!this.inUse.delete(buffer)) throw new Error(`buffer "${buffer.label}" released twice or not from this pool`);
    const key = `${buffer.size}:${buffer.usage}`;
    let list = this.free.get(key);
    if (!list) this.free.set(key, (list = []));
    list.push(buffer);
  }

  /** Bytes currently handed out. */
  get inUseBytes(): number {
    let n = 0;
    for (const b of this.inUse) n += b.size;
    return n;
  }

  /** Destroy the buffers nobody holds. */
  trim(): void {
    for (const list of this.free.values()) {
      for (const b of list) {
        this.owned.delete(b);
        this.allocatedBytes -= b.size;
        b.destroy();
      }
    }
    this.free.clear();
  }

  /** Destroy everything, held or not. */
  destroyAll(): void {
    for (const b of this.owned) b.destroy();
    this.owned.clear();
    this.inUse.clear();
    this.free.clear();
    this.allocatedBytes = 0;
  }
}
