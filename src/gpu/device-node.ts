/**
 * Node only: WebGPU through Dawn (the npm package `webgpu`). Reached from the Node entry point, the CLI
 * and the test setup, never from a browser bundle.
 *
 * When the default Vulkan driver offers no adapter we retry with a SwiftShader ICD (the CPU Vulkan driver
 * Debian's chromium ships). If that fails too, the error lists every attempt and how to fix it. The object
 * returned by Dawn's `create()` is kept on the returned context for the device's whole life: without a
 * live reference its waits intermittently never resolve.
 */
import fs from 'node:fs';
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
  const tried: string[] = [];
  const explicit = options.icd ?? process.env.VK_ICD_FILENAMES;
  const attempts: Array<{ icd: string | undefined; label: string }> = [];
  attempts.push({ icd: explicit, label: explicit ? `VK_ICD_FILENAMES=${explicit}` : 'default Vulkan driver' });
  if (!explicit) {
    for (const icd of SWIFTSHADER_ICDS) {
      if (fs.existsSync(icd)) attempts.push({ icd, label: `SwiftShader ICD ${icd}` });
      else tried.push(`SwiftShader ICD ${icd}: not present`);
    }
  }
  const original = process.env.VK_ICD_FILENAMES;
  for (const attempt of attempts) {
    if (attempt.icd) process.env.VK_ICD_FILENAMES = attempt.icd;
    else delete process.env.VK_ICD_FILENAMES;
    // See AcquireOptions.robustness for why Node turns Dawn's robustness transform off by default.
    const instance = dawn.create([...(options.robustness ? [] : ['enable-dawn-features=disable_robustness']), ...(options.dawnFlags ?? [])]);
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

/** Make `acquireGpu` (and so every engine) use Dawn in this process. */
export function installDawn(): void {
  registerNodeGpu(acquireDawn);
}
