/**
 * What the controllers of <lstm-forecaster> and <lstm-writer> share (they run in the element's Worker, or
 * on the main thread as a fallback): an engine of their own, acquired when started (hostConnected) and
 * destroyed with the model's buffers when stopped (hostDisconnected), so an element that leaves the page
 * leaves nothing on the GPU; errors as the last `error` plus an event; a lost device answered by a fresh
 * engine at the next action.
 */
import type { Engine } from '../engine/engine';
import { createEngine } from '../ops/create-engine';
import type { ControllerHost } from './trainer-serve';

/** The states every such controller passes through before its own. */
export type EngineStatus = 'starting' | 'no-webgpu' | 'idle';

export abstract class EngineController<S extends string> {
  status: S | EngineStatus = 'starting';
  gpuDescription = '';
  /** The last error, shown until the next action or dismissed. */
  error: string | null = null;
  /** Settles when the GPU has been acquired (or found missing) after hostConnected. */
  ready: Promise<void> = Promise.resolve();

  protected engine: Engine | null = null;
  /** The running training's (or generation's) stop. */
  protected abort: AbortController | null = null;
  private connected = false;

  constructor(
    protected readonly host: ControllerHost,
    private readonly onError: (message: string) => void,
    private readonly engineFactory: () => Promise<Engine> = () => createEngine(),
  ) {}

  /** Release the model (its buffers go back to the engine, which is destroyed after). */
  protected abstract disposeModel(): void;

  hostConnected(): void {
    this.connected = true;
    this.ready = this.start();
  }

  /** Stop whatever runs, dispose the model and destroy the engine: every GPU buffer and the device go. */
  hostDisconnected(): void {
    this.connected = false;
    this.abort?.abort();
    this.disposeModel();
    this.engine?.destroy();
    this.engine = null;
  }

  /** Bytes of GPU buffers the engine holds (the model, its optimizer state, pooled scratch). */
  get gpuBytes(): number {
    return this.engine?.pool.allocatedBytes ?? 0;
  }

  protected update(): void {
    this.host.requestUpdate();
  }

  protected fail(e: unknown): void {
    this.error = e instanceof Error ? e.message : String(e);
    // A run stopped by the element's removal fails on its destroyed buffers: nobody is there to tell.
    if (this.connected) this.onError(this.error);
    this.update();
  }

  dismissError(): void {
    this.error = null;
    this.update();
  }

  stop(): void {
    this.abort?.abort();
  }

  private async start(): Promise<void> {
    try {
      const engine = await this.engineFactory();
      if (!this.connected) return engine.destroy();
      this.attach(engine);
      this.status = 'idle';
    } catch (e) {
      this.status = 'no-webgpu';
      this.fail(e);
    }
    this.update();
  }

  /** The engine, a fresh one when the device was lost since the last action. */
  protected async gpu(): Promise<Engine> {
    if (!this.engine) this.attach(await this.engineFactory());
    return this.engine!;
  }

  private attach(engine: Engine): void {
    this.engine = engine;
    const a = engine.gpu.adapterInfo;
    this.gpuDescription = `${[a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' ') || engine.gpu.backend} (${engine.tuning}-tuned kernels)`;
    engine.onError((err) => {
      if (engine !== this.engine) return;
      if (err.kind === 'lost') {
        this.abort?.abort();
        this.disposeModel();
        this.engine = null;
        engine.destroy();
        this.fail(new Error(`${err.message}. The model is gone: the next action starts on a new device`));
      } else {
        this.fail(new Error(`GPU ${err.kind} error: ${err.message}`));
      }
    });
  }

  /** A file's bytes from an absolute URL; a failure is a sentence. */
  protected async fetchBytes(url: string): Promise<Uint8Array> {
    let res: Response;
    try {
      res = await fetch(url);
    } catch (e) {
      throw new Error(`could not download ${url}: ${(e as Error).message}`);
    }
    if (!res.ok) throw new Error(`could not download ${url}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
}

/** A URL's last part, as the name of the file it serves. */
export function fileNameOf(url: string): string {
  try {
    return new URL(url).pathname.split('/').pop() || url;
  } catch {
    return url.split('/').pop() || url;
  }
}
