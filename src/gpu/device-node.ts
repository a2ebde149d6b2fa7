/**
 * Node only: WebGPU through Dawn (the npm package `webgpu`). Reached from the Node entry point, the CLI
 * and the test setup, never from a browser bundle.
 *
 * When the default Vulkan driver offers no adapter we retry with a SwiftShader ICD (the CPU Vulkan driver
 * Debian's chromium ships). If that fails too, the error lists every attempt and how to fix it. Which
 * driver works is found in a child process (dawn-probe.ts), so the messages of drivers that Dawn probes
 * and rejects are shown only on failure or when asked for (`verbose`, WEBGPU_LSTM_VERBOSE=1). The object
 * returned by Dawn's `create()` is kept on the returned context for the device's whole life: without a
 * live reference its waits intermittently never resolve.
 */
import fs from 'node:fs';
import { probeDawn, withRuntimeDir, type DawnAttempt } from './dawn-probe';
import { makeContext, registerNodeGpu, type AcquireOptions, type GpuContext } from './device';

/** SwiftShader ICD locations tried in Node when no hardware adapter is found. */
export const SWIFTSHADER_ICDS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
  '/opt/google/chrome/vk_swiftshader_icd.json',
];

/** A device from Dawn: the default Vulkan driver, then the SwiftShader ICDs; an error lists every attempt. */
export async function acquireDawn(options: AcquireOptions = {}): Promise<GpuContext> {
  // Loaded on first use: "webgpu" is an optional dependency (a browser-only install may leave it out).
  let dawn: { create(flags: string[]): GPU; globals: Record<string, unknown> };
  try {
    dawn = (await import('webgpu')) as unknown as typeof dawn;
  } catch (e) {
    throw new Error(
      `webgpu-lstm needs Dawn to use WebGPU in Node (the npm package "webgpu", an optional dependency), and it could not be loaded: ${(e as Error).message}. ` +
        'Install it with "npm install webgpu" (it ships prebuilt binaries for Linux, macOS and Windows on x64 and arm64).',
    );
  }
  Object.assign(globalThis, dawn.globals);
  const verbose = options.verbose ?? isVerboseEnv(process.env.WEBGPU_LSTM_VERBOSE);
  // See AcquireOptions.robustness for why Node turns Dawn's robustness transform off by default.
  const flags = [...(options.robustness ? [] : ['enable-dawn-features=disable_robustness']), ...(options.dawnFlags ?? [])];
  const powerPreference = options.powerPreference ?? 'high-performance';
  const tried: string[] = [];
  const explicit = options.icd ?? process.env.VK_ICD_FILENAMES;
  let attempts: DawnAttempt[] = [{ icd: explicit, label: explicit ? `VK_ICD_FILENAMES=${explicit}` : 'default Vulkan driver' }];
  if (!explicit) {
    for (const icd of SWIFTSHADER_ICDS) {
      if (fs.existsSync(icd)) attempts.push({ icd, label: `SwiftShader ICD ${icd}` });
      else tried.push(`SwiftShader ICD ${icd}: not present`);
    }
  }
  let native = '';
  // Find the driver that works where the messages of those that don't can be kept (dawn-probe.ts).
  try {
    const probe = await probeDawn(attempts, flags, powerPreference);
    native = probe.native.trim();
    if (verbose && native) process.stderr.write(`webgpu-lstm: the Vulkan drivers printed, while Dawn looked for an adapter:\n${native}\n`);
    if (probe.chosen < 0) {
      probe.results.forEach((r, i) => tried.push(`${attempts[i]!.label}: ${r}`));
      throw noAdapter(tried, native);
    }
    attempts = [attempts[probe.chosen]!];
  } catch (e) {
    if ((e as Error).message.startsWith(NO_ADAPTER)) throw e;
    // The probe could not run (e.g. no child processes allowed): look in this process, as before the
    // probe existed; the drivers' own messages then reach stderr, after this line saying why.
    process.stderr.write(`webgpu-lstm: ${(e as Error).message}; looking for an adapter in this process instead\n`);
  }
  const original = process.env.VK_ICD_FILENAMES;
  for (const attempt of attempts) {
    if (attempt.icd) process.env.VK_ICD_FILENAMES = attempt.icd;
    else delete process.env.VK_ICD_FILENAMES;
    const restore = withRuntimeDir();
    const instance = dawn.create(flags);
    let adapter: GPUAdapter | null = null;
    try {
      adapter = await instance.requestAdapter({ powerPreference });
    } catch (e) {
      tried.push(`${attempt.label}: ${(e as Error).message}`);
      continue;
    } finally {
      restore();
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
  throw noAdapter(tried, native);
}

const NO_ADAPTER = 'No WebGPU adapter found in Node.';

function noAdapter(tried: string[], native: string): Error {
  return new Error(
    `${NO_ADAPTER} Tried: ` +
      tried.join('; ') +
      '. Fix: install a GPU Vulkan driver, or a CPU one (Debian: `apt-get install -y chromium libvulkan1`, which ' +
      'ships /usr/lib/chromium/vk_swiftshader_icd.json), or set VK_ICD_FILENAMES to a Vulkan ICD JSON file.' +
      (native ? `\nThe Vulkan drivers printed:\n${native}` : ''),
  );
}

/** WEBGPU_LSTM_VERBOSE: set and not "0"/"false"/empty. */
function isVerboseEnv(value: string | undefined): boolean {
  return value !== undefined && !/^(|0|false|no|off)$/i.test(value.trim());
}

/** Make `acquireGpu` (and so every engine) use Dawn in this process. */
export function installDawn(): void {
  registerNodeGpu(acquireDawn);
}
