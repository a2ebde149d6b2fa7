/**
 * Device acquisition: `navigator.gpu` in browsers (and workers); in Node, whatever the Node entry
 * registered (Dawn: device-node.ts). This file holds no Node-only code, so it is safe in any bundle.
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
  /**
   * Waiting on the GPU keeps this thread busy: Dawn in Node resolves GPU promises by polling on the JS
   * thread (setImmediate) for as long as one is pending; browsers wait without polling. Optional for
   * contexts made by hand (absent: false).
   */
  pollsWhileWaiting?: boolean;
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
  /**
   * Node only: keep Dawn's robustness transform (bounds clamping of every buffer access in every
   * shader). Off by default in Node: it made training steps ~1.4× slower on SwiftShader, every kernel of
   * this engine guards its own index range (tested at sizes off every tile grid, with robustness off),
   * and Node runs only this engine's shaders, not a web page's. Browsers always keep it.
   */
  robustness?: boolean;
  /**
   * Node only: print on stderr what the Vulkan loader and drivers say while Dawn looks for an adapter
   * (messages from drivers it probes and rejects, e.g. lavapipe's "XDG_RUNTIME_DIR is invalid"). Hidden by
   * default and shown in the error when no adapter is found. Default: the WEBGPU_LSTM_VERBOSE
   * environment variable (set and not "0").
   */
  verbose?: boolean;
}

/** The optional features the engine uses when the adapter has them. */
export const OPTIONAL_FEATURES: GPUFeatureName[] = ['timestamp-query', 'subgroups', 'shader-f16'];

type Acquirer = (options: AcquireOptions) => Promise<GpuContext>;
let nodeAcquirer: Acquirer | null = null;

/**
 * How Node gets a device: the Node entry point (`webgpu-lstm` under the "node" export condition, the CLI,
 * the test setup) registers Dawn here. The browser build never contains that code.
 */
export function registerNodeGpu(acquire: Acquirer): void {
  nodeAcquirer = acquire;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

export async function acquireGpu(options: AcquireOptions = {}): Promise<GpuContext> {
  if (isNode && !(globalThis.navigator as Navigator | undefined)?.gpu) {
    if (!nodeAcquirer) {
      throw new Error(
        'This is the browser build of webgpu-lstm running in Node, where there is no navigator.gpu. ' +
          "Import 'webgpu-lstm' itself (Node then loads its Node entry, which brings Dawn through the \"webgpu\" package), " +
          'or give the engine a device: createEngine({ gpu }).',
      );
    }
    return nodeAcquirer(options);
  }
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

/** @internal A context around an adapter (shared by the browser and the Dawn acquisition). */
export async function makeContext(adapter: GPUAdapter, backend: string, keepAlive: unknown): Promise<GpuContext> {
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
    pollsWhileWaiting: backend !== 'browser',
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
