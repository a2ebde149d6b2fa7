/**
 * GPU time per kernel for one step: every dispatch of a profiled step runs in a compute pass of its own
 * whose start and end write timestamps, and after the submit the timestamps become milliseconds and
 * dispatch counts per kernel. Needs the adapter's 'timestamp-query' feature (Engine.beginStep checks).
 */
import { MAP_READ_USAGE } from '../gpu/buffer-pool';

/** GPU milliseconds and dispatch counts per kernel (by shader name). */
export type KernelTimes = Map<string, { ms: number; count: number }>;

const MAX_PROFILED_DISPATCHES = 2048;

export class Profiler {
  private readonly querySet: GPUQuerySet;
  /** The shader of each timed dispatch, in order: dispatch i owns timestamps 2i and 2i + 1. */
  private readonly kernels: string[] = [];

  constructor(
    private readonly device: GPUDevice,
    label: string,
  ) {
    this.querySet = device.createQuerySet({ type: 'timestamp', count: 2 * MAX_PROFILED_DISPATCHES, label: `${label} timestamps` });
  }

  /** The timestamp writes for the next dispatch's own pass, counted under `shader`. */
  timestampWrites(shader: string): GPUComputePassTimestampWrites {
    const i = this.kernels.length;
    if (i >= MAX_PROFILED_DISPATCHES) throw new Error(`profiling is limited to ${MAX_PROFILED_DISPATCHES} dispatches per step`);
    this.kernels.push(shader);
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  /**
   * Encode the timestamps' way out (resolve, copy into a mappable buffer) before the step's encoder is
   * finished. The function returned reads them; call it after the submit, since mapping must start after
   * the submit that writes the buffer. Null when no dispatch was timed.
   */
  encodeReadback(encoder: GPUCommandEncoder): (() => Promise<KernelTimes>) | null {
    const n = this.kernels.length;
    if (n === 0) return null;
    const resolved = this.device.createBuffer({ size: 16 * n, usage: 0x0200 /* QUERY_RESOLVE */ | 0x0004 /* COPY_SRC */, label: 'timestamps' });
    const staging = this.device.createBuffer({ size: 16 * n, usage: MAP_READ_USAGE, label: 'timestamps readback' });
    encoder.resolveQuerySet(this.querySet, 0, 2 * n, resolved, 0);
    encoder.copyBufferToBuffer(resolved, 0, staging, 0, 16 * n);
    const kernels = this.kernels;
    const querySet = this.querySet;
    return async () => {
      await staging.mapAsync(GPUMapMode.READ);
      const t = new BigInt64Array(staging.getMappedRange().slice(0));
      staging.destroy();
      resolved.destroy();
      querySet.destroy();
      const out: KernelTimes = new Map();
      kernels.forEach((k, i) => {
        const ms = Number(t[2 * i + 1]! - t[2 * i]!) / 1e6;
        const e = out.get(k) ?? { ms: 0, count: 0 };
        out.set(k, { ms: e.ms + Math.max(0, ms), count: e.count + 1 });
      });
      return out;
    };
  }
}
