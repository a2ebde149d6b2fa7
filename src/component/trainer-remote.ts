/**
 * The page's end of the trainer protocol (trainer-protocol.ts): a Trainer whose state is the latest the
 * Worker sent and whose actions are calls answered by the Worker (trainer-worker.ts). The only work it
 * does itself is writing the Keras archive (the HDF5 library loads in the page, where an import map can
 * provide it). An action never rejects (as the one-thread controller): a failure becomes the trainer's
 * error, shown, with the action's neutral answer.
 */
import type { DatasetOptions } from '../data/dataset';
import type { KerasParts } from '../layers/keras';
import type { FromWorker, Method, ToWorker, TrainerPort } from './trainer-protocol';
import type { Trainer, TrainerEvents } from './trainer-types';

/** What the page's end needs of its host: to be told that the state changed. */
export interface RemoteHost {
  requestUpdate(): void;
}

/** The page's end. `start()` settles once the Worker has acquired its GPU, or found none (status 'no-webgpu'). */
export class RemoteTrainer implements Trainer {
  status: Trainer['status'] = 'starting';
  gpuDescription = '';
  error: string | null = null;
  datasetInfo: Trainer['datasetInfo'] = null;
  datasetSource = '';
  busy = false;
  progress: Trainer['progress'] = null;
  epochs: Trainer['epochs'] = [];
  batchLosses: number[] = [];
  evaluation: Trainer['evaluation'] = null;
  keptEpoch: number | null = null;
  misclassified: Trainer['misclassified'] = [];
  prediction: Trainer['prediction'] = null;
  modelLabels: string[] | null = null;
  saved: Trainer['saved'] = [];
  storageError: string | null = null;
  csvChoices: string[] | null = null;
  gpuBytes = 0;

  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  /** Until start() has succeeded, state is kept quiet and events wait (a Worker without WebGPU is replaced, not shown). */
  private started = false;
  private held: Array<() => void> = [];

  constructor(
    private readonly port: TrainerPort,
    private readonly host: RemoteHost,
    private readonly events: TrainerEvents,
  ) {
    port.addEventListener('message', (e: MessageEvent) => this.receive(e.data as FromWorker));
    port.start?.();
  }

  private receive(m: FromWorker): void {
    switch (m.kind) {
      case 'state': {
        Object.assign(this, m.view);
        if (this.started) this.host.requestUpdate();
        return;
      }
      case 'event': {
        const fire = () => (this.events[m.name] as (a: unknown) => void)(m.arg);
        if (this.started) fire();
        else this.held.push(fire);
        return;
      }
      case 'result': {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.value);
        else p.reject(new Error(m.error));
      }
    }
  }

  /** Set once the Worker is gone: every call in flight and every later one rejects with it. */
  private gone: Error | null = null;

  /** The Worker failed or was stopped: reject every call in flight and every later one with `error`. */
  failAll(error: Error): void {
    this.gone = error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  private call<T>(method: Method, args: unknown[] = [], transfer: Transferable[] = []): Promise<T> {
    if (this.gone) return Promise.reject(this.gone);
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.port.postMessage({ kind: 'call', id, method, args } satisfies ToWorker, transfer);
    });
  }

  /**
   * An action: like the one-thread controller, it never rejects; a failure (the Worker gone, or an error
   * the controller did not catch) becomes the trainer's error, shown, and the action's neutral answer.
   */
  private act<T>(method: Method, args: unknown[], failed: T, transfer: Transferable[] = []): Promise<T> {
    return this.call<T>(method, args, transfer).catch((e: Error) => {
      this.error = e.message;
      this.events.error(e.message);
      this.host.requestUpdate();
      return failed;
    });
  }

  /** A trainer that shows 'starting' and answers nothing (what the element shows before it has one). */
  static notStarted(host: RemoteHost, events: TrainerEvents): RemoteTrainer {
    const t = new RemoteTrainer({ postMessage() {}, addEventListener() {} }, host, events);
    t.failAll(new Error('the trainer has not started yet'));
    return t;
  }

  async start(): Promise<void> {
    await this.call('start');
    if (this.status === 'no-webgpu') return;
    this.started = true;
    for (const fire of this.held.splice(0)) fire();
    this.host.requestUpdate();
  }

  /** Stop the controller in the Worker (its GPU buffers and device released); later calls reject. */
  async close(): Promise<void> {
    try {
      await this.call('close');
    } finally {
      this.failAll(new Error('the trainer was closed'));
    }
  }

  loadUrl(url: string, opts?: DatasetOptions): Promise<boolean> {
    return this.act('loadUrl', [url, opts], false);
  }

  /** Bytes are handed over to the Worker (their buffer is transferred, not copied); a Blob is shared, and read there. */
  loadBytes(source: Uint8Array | Blob, name: string, opts?: DatasetOptions): Promise<boolean> {
    return this.act('loadBytes', [source, name, opts], false, source instanceof Uint8Array ? [source.buffer as ArrayBuffer] : []);
  }

  chooseCsv(csvName: string): Promise<boolean> {
    return this.act('chooseCsv', [csvName], false);
  }

  reconfigure(opts: DatasetOptions): Promise<boolean> {
    return this.act('reconfigure', [opts], false);
  }

  train(settings: Parameters<Trainer['train']>[0]): Promise<void> {
    return this.act('train', [settings], undefined);
  }

  resume(): Promise<void> {
    return this.act('resume', [], undefined);
  }

  stop(): void {
    this.call('stop').catch(() => {});
  }

  dismissError(): void {
    this.error = null;
    this.host.requestUpdate();
    this.call('dismissError').catch(() => {});
  }

  resumeSaved(id: string, epochs: number): Promise<void> {
    return this.act('resumeSaved', [id, epochs], undefined);
  }

  useSaved(id: string): Promise<boolean> {
    return this.act('useSaved', [id], false);
  }

  deleteSaved(id: string): Promise<void> {
    return this.act('deleteSaved', [id], undefined);
  }

  savedBytes(id: string): Promise<Uint8Array | null> {
    return this.act('savedBytes', [id], null);
  }

  predict(text: string): Promise<void> {
    return this.act('predict', [text], undefined);
  }

  /** The bytes are handed over to the Worker (their buffer is transferred, not copied). */
  loadModel(bytes: Uint8Array): Promise<boolean> {
    return this.act('loadModel', [bytes], false, [bytes.buffer as ArrayBuffer]);
  }

  saveModel(): Promise<Uint8Array | null> {
    return this.act('saveModel', [], null);
  }

  exportTfjs(): Promise<{ modelJson: string; weightsBin: Uint8Array } | null> {
    return this.act('exportTfjs', [], null);
  }

  kerasParts(): Promise<KerasParts | null> {
    return this.call('kerasParts');
  }

  /** The Worker gathers the parts; the archive is written here, where the HDF5 library loads. */
  async exportKeras(): Promise<Uint8Array | null> {
    try {
      const parts = await this.kerasParts();
      if (!parts) return null;
      const { writeKeras } = await import('../layers/keras-archive');
      return await writeKeras(parts);
    } catch (e) {
      this.error = (e as Error).message;
      this.events.error(this.error);
      this.host.requestUpdate();
      return null;
    }
  }

  exportEmbeddingProjector(): Promise<{ vectorsTsv: string; metadataTsv: string } | null> {
    return this.act('exportEmbeddingProjector', [], null);
  }

  weights(): Promise<Map<string, Float32Array> | null> {
    return this.act('weights', [], null);
  }
}
