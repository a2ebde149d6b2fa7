/**
 * Device acquisition for the browser (`navigator.gpu`) and Node (Dawn through the `webgpu` package).
 *
 * Node: Dawn is imported lazily so that a browser bundle never pulls it. When the default Vulkan driver
 * offers no adapter we retry with a SwiftShader ICD (the CPU Vulkan driver Debian's chromium ships). If
 * that fails too, the error lists every attempt and how to fix it. The object returned by Dawn's
 * `create()` is kept on the returned context for the device's whole life: without a live reference its
 * waits intermittently never resolve.
 */

export type GpuErrorKind = 'lost' | 'validation' | 'out-of-memory' | 'internal';

export interface GpuError {
  kind: GpuErrorKind;
  message: string;
}

export interface GpuContext {
  device: GPUDevice;
  adapterInfo: { vendor: string; architecture: string; device: string; description: string };
  /** Where the adapter came from: 'browser', 'dawn', or 'dawn+swiftshader'. */
  backend: string;
  features: ReadonlySet<string>;
  /**
   * The adapter runs shaders on the CPU (SwiftShader, lavapipe/llvmpipe, WARP, or an adapter that calls
   * itself a fallback). Such adapters want few invocations with much work each; hardware GPUs the opposite.
   */
  software: boolean;
  /** Set the one callback that receives device loss and uncaptured errors. */
  onError(cb: (err: GpuError) => void): void;
  destroy(): void;
}

export interface AcquireOptions {
  powerPreference?: GPUPowerPreference;
  /** Node only: the Vulkan ICD to use. Defaults to the VK_ICD_FILENAMES environment variable. */
  icd?: string;
  /**
   * Node only: flags for Dawn's instance, e.g. 'disable-dawn-features=timestamp_quantization' for
   * timestamps finer than the default 65.5 µs grid when profiling.
   */
  dawnFlags?: string[];
}

/** The optional features the engine uses when the adapter has them. */
export const OPTIONAL_FEATURES: GPUFeatureName[] = ['timestamp-query', 'subgroups', 'shader-f16'];

/** SwiftShader ICD locations tried in Node when no hardware adapter is found. */
export const SWIFTSHADER_ICDS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
  '/opt/google/chrome/vk_swiftshader_icd.json',
];

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

export async function acquireGpu(options: AcquireOptions = {}): Promise<GpuContext> {
  if (isNode) return acquireNode(options);
  return acquireBrowser(options);
}

async function acquireBrowser(options: AcquireOptions): Promise<GpuContext> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) {
    throw new Error(
      'WebGPU is not available in this browser (navigator.gpu is missing). Use Chrome or Edge 113+, ' +
        'Safari 18+ or Firefox 141+ on a supported GPU; on Linux Chrome needs --enable-unsafe-webgpu ' +
        '(or chrome://flags/#enable-unsafe-webgpu) and a secure (https or localhost) page.',
    );
  }
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) {
    throw new Error(
      'navigator.gpu.requestAdapter() returned no adapter: WebGPU is present but no GPU is usable ' +
        '(blocklisted driver or disabled hardware acceleration). Check chrome://gpu.',
    );
  }
  return makeContext(adapter, 'browser', null);
}

async function acquireNode(options: AcquireOptions): Promise<GpuContext> {
  // Imported lazily: the browser bundle must never contain Dawn.
  const dawnModule = 'webgpu';
  let dawn: { create(flags: string[]): GPU; globals: Record<string, unknown> };
  try {
    dawn = (await import(/* @vite-ignore */ dawnModule)) as typeof dawn;
  } catch (e) {
    throw new Error(`Cannot load Dawn for Node (npm package "webgpu"): ${(e as Error).message}. Run "npm ci".`);
  }
  Object.assign(globalThis, dawn.globals);
  const tried: string[] = [];
  const explicit = options.icd ?? process.env.VK_ICD_FILENAMES;
  const attempts: Array<{ icd: string | undefined; label: string }> = [];
  attempts.push({ icd: explicit, label: explicit ? `VK_ICD_FILENAMES=${explicit}` : 'default Vulkan driver' });
  if (!explicit) {
    const fsModule = 'node:fs';
    const fs = (await import(/* @vite-ignore */ fsModule)) as typeof import('node:fs');
    for (const icd of SWIFTSHADER_ICDS) {
      if (fs.existsSync(icd)) attempts.push({ icd, label: `SwiftShader ICD ${icd}` });
      else tried.push(`SwiftShader ICD ${icd}: not present`);
    }
  }
  const original = process.env.VK_ICD_FILENAMES;
  for (const attempt of attempts) {
    if (attempt.icd) process.env.VK_ICD_FILENAMES = attempt.icd;
    else delete process.env.VK_ICD_FILENAMES;
    const instance = dawn.create(options.dawnFlags ?? []);
    let adapter: GPUAdapter | null = null;
    try {
      adapter = await instance.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
    } catch (e) {
      tried.push(`${attempt.label}: ${(e as Error).message}`);
      continue;
    }
    if (adapter) {
      const backend = attempt.icd && /swiftshader/i.test(attempt.icd) ? 'dawn+swiftshader' : 'dawn';
      return makeContext(adapter, backend, instance);
    }
    tried.push(`${attempt.label}: no adapter`);
  }
  // Leave the environment as we found it: a failed search must not change the next one.
  if (original === undefined) delete process.env.VK_ICD_FILENAMES;
  else process.env.VK_ICD_FILENAMES = original;
  throw new Error(
    'No WebGPU adapter found in Node. Tried: ' +
      tried.join('; ') +
      '. Fix: install a GPU Vulkan driver, or a CPU one (Debian: `apt-get install -y chromium libvulkan1`, which ' +
      'ships /usr/lib/chromium/vk_swiftshader_icd.json), or set VK_ICD_FILENAMES to a Vulkan ICD JSON file.',
  );
}

async function makeContext(adapter: GPUAdapter, backend: string, keepAlive: unknown): Promise<GpuContext> {
  const features = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f));
  const lim = adapter.limits;
  // Ask for the adapter's maxima where the engine's buffers can grow (long sequences, big batches).
  const requiredLimits: Record<string, number> = {
    maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize,
    maxBufferSize: lim.maxBufferSize,
    maxComputeWorkgroupStorageSize: lim.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: lim.maxComputeInvocationsPerWorkgroup,
    maxStorageBuffersPerShaderStage: lim.maxStorageBuffersPerShaderStage,
  };
  const device = await adapter.requestDevice({ requiredFeatures: features, requiredLimits, label: 'webgpu-lstm' });
  const info = adapter.info ?? ({} as GPUAdapterInfo);
  let callback: ((err: GpuError) => void) | null = null;
  const pending: GpuError[] = [];
  const report = (err: GpuError) => {
    if (callback) callback(err);
    else pending.push(err);
  };
  const described = [info.vendor, info.architecture, info.device, info.description].join(' ');
  const software =
    backend === 'dawn+swiftshader' ||
    /swiftshader|llvmpipe|lavapipe|\bwarp\b|software/i.test(described) ||
    (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true ||
    (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  let destroyed = false;
  device.lost.then((lost) => {
    if (!destroyed) report({ kind: 'lost', message: `GPU device lost (${lost.reason}): ${lost.message}` });
  });
  device.addEventListener('uncapturederror', (ev) => {
    const error = (ev as GPUUncapturedErrorEvent).error;
    const kind: GpuErrorKind =
      error instanceof GPUOutOfMemoryError ? 'out-of-memory' : error instanceof GPUValidationError ? 'validation' : 'internal';
    report({ kind, message: error.message });
  });
  return {
    device,
    backend,
    adapterInfo: {
      vendor: info.vendor ?? '',
      architecture: info.architecture ?? '',
      device: info.device ?? '',
      description: info.description ?? '',
    },
    features: new Set(features),
    software,
    onError(cb) {
      callback = cb;
      for (const e of pending.splice(0)) cb(e);
    },
    destroy() {
      destroyed = true;
      device.destroy();
      void keepAlive; // held until here on purpose (see the file comment)
    },
    // Keep Dawn's instance reachable from the context object as long as the context lives.
    ...(keepAlive ? { dawnInstance: keepAlive } : {}),
  } as GpuContext;
}
