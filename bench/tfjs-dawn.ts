/**
 * TF.js's webgpu backend in Node, on Dawn (the npm package `webgpu`, the same Dawn build our engine
 * uses in Node): the backend needs only `navigator.gpu`, which Node lacks, so it is given Dawn's GPU
 * object. Used by bench/real-gpu.ts to measure TF.js-webgpu on the same adapter as ours where there is no
 * browser. Dawn gets the same instance flags as our engine's (robustness off), so TF.js runs under the
 * same driver settings.
 */
import type * as TF from '@tensorflow/tfjs';

let loaded: Promise<typeof TF> | null = null;

/** TF.js with its webgpu backend registered on a Dawn `navigator.gpu` (created once per process). */
export function tfjsOnDawn(): Promise<typeof TF> {
  loaded ??= (async () => {
    const dawn = (await import('webgpu')) as unknown as { create(flags: string[]): GPU; globals: Record<string, unknown> };
    Object.assign(globalThis, dawn.globals);
    const gpu = dawn.create(['enable-dawn-features=disable_robustness']);
    // Kept reachable for the process's life (Dawn's waits can stall when its instance is collected).
    (globalThis as { __tfjsDawn?: GPU }).__tfjsDawn = gpu;
    const nav = (globalThis as { navigator?: object }).navigator ?? {};
    Object.defineProperty(globalThis, 'navigator', { value: Object.assign(Object.create(nav), { gpu }), configurable: true, writable: true });
    const tf = await import('@tensorflow/tfjs');
    await import('@tensorflow/tfjs-backend-webgpu');
    return tf;
  })();
  return loaded;
}
