/**
 * The page's end of the protocol (trainer-protocol.ts): RemoteEnd holds the state the Worker sent last and
 * turns actions into calls answered by the Worker (trainer-worker.ts); each element's end (RemoteTrainer
 * here, RemoteForecaster, RemoteWriter) lists its state and actions. An action never rejects (as the
 * one-thread controller): a failure becomes the controller's error, shown, with the action's neutral
 * answer. The only work RemoteTrainer does itself is writing the Keras archive (the HDF5 library loads
 * in the page, where an import map can provide it).
 */
import type { DatasetOptions } from '../data/dataset';
import type { KerasParts } from '../layers/keras';
import type { ElementKind, FromWorker, Method, ToWorker, TrainerPort } from './trainer-protocol';
import type { ModelFile, ModelInside, Trainer, TrainerEvents } from './trainer-types';

/** What the page's end needs of its host: to be told that the state changed. */
export interface RemoteHost {
  requestUpdate(): void;
}

/** A port that goes nowhere (the end of a controller that has not started). */
export const NOWHERE: TrainerPort = { postMessage() {}, addEventListener() {} };

/**
 * The page's end of any element's controller: it holds the latest state the Worker sent (its fields are
 * the subclass's, assigned from each state message), answers calls with the Worker's results, and hands
 * the controller's events to `events`. `start()` settles once the Worker has acquired its GPU, or found
 * none (status 'no-webgpu').
 */
export abstract class RemoteEnd {
  abstract status: string;
  abstract error: string | null;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  /** Until start() has succeeded, state is kept quiet and events wait (a Worker without WebGPU is replaced, not shown). */
  private started = false;
  private held: Array<() => void> = [];
  /** Set once the Worker is gone: every call in flight and every later one rejects with it. */
  private gone: Error | null = null;

  constructor(
    private readonly port: TrainerPort,
    protected readonly host: RemoteHost,
    protected readonly events: { error(message: string): void },
    /** Which controller the Worker makes at start. */
    private readonly kind: ElementKind,
    /** What the element calls its controller in messages ("the trainer was closed"). */
    private readonly noun: string,
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
        const fire = () => (this.events as unknown as Record<string, (a: unknown) => void>)[m.name]!(m.arg);
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

  /** The Worker failed or was stopped: reject every call in flight and every later one with `error`. */
  failAll(error: Error): void {
    this.gone = error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  /** Make this end answer nothing (what an element shows before it has a controller). */
  protected notStarted(): this {
    this.failAll(new Error(`the ${this.noun} has not started yet`));
    return this;
  }

  protected call<T>(method: Method, args: unknown[] = [], transfer: Transferable[] = []): Promise<T> {
    if (this.gone) return Promise.reject(this.gone);
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.port.postMessage({ kind: 'call', id, method, args } satisfies ToWorker, transfer);
    });
  }

  /**
   * An action: like the one-thread controller, it never rejects; a failure (the Worker gone, or an error
   * the controller did not catch) becomes the controller's error, shown, and the action's neutral answer.
   */
  protected act<T>(method: Method, args: unknown[], failed: T, transfer: Transferable[] = []): Promise<T> {
    return this.call<T>(method, args, transfer).catch((e: Error) => this.failed(e, failed));
  }

  /** Show `e` as the error (and send the error event); answer `answer`. */
  protected failed<T>(e: Error, answer: T): T {
    this.error = e.message;
    this.events.error(e.message);
    this.host.requestUpdate();
    return answer;
  }

  async start(): Promise<void> {
    await this.call('start', [this.kind]);
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
      this.failAll(new Error(`the ${this.noun} was closed`));
    }
  }

  /** Stop a running training (answered at once; the run ends at its next batch). */
  stop(): void {
    this.call('stop').catch(() => {});
  }

  dismissError(): void {
    this.error = null;
    this.host.requestUpdate();
    this.call('dismissError').catch(() => {});
  }
}

/** <lstm-trainer>'s end. */
export class RemoteTrainer extends RemoteEnd implements Trainer {
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

  constructor(port: TrainerPort, host: RemoteHost, events: TrainerEvents) {
    super(port, host, events, 'lstm-trainer', 'trainer');
  }

  /** A trainer that shows 'starting' and answers nothing (what the element shows before it has one). */
  static notStarted(host: RemoteHost, events: TrainerEvents): RemoteTrainer {
    return new RemoteTrainer(NOWHERE, host, events).notStarted();
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

  /** The answer comes back as the call's result (typed arrays, copied by the structured clone), not in the state. */
  inspect(text: string): Promise<ModelInside | null> {
    return this.act('inspect', [text], null);
  }

  /** The bytes are handed over to the Worker (their buffer is transferred, not copied). */
  loadModel(bytes: Uint8Array): Promise<boolean> {
    return this.act('loadModel', [bytes], false, [bytes.buffer as ArrayBuffer]);
  }

  /**
   * A Keras file's HDF5 weights are read here, where the HDF5 library loads (model-files.ts); then each
   * file's bytes are handed over to the Worker (transferred, not copied).
   */
  async loadModelFiles(files: ModelFile[]): Promise<boolean> {
    let sent: ModelFile[];
    try {
      const { withoutHdf5 } = await import('./model-files');
      sent = await withoutHdf5(files);
    } catch (e) {
      return this.failed(e as Error, false);
    }
    const buffers = [...new Set(sent.map((f) => f.bytes.buffer as ArrayBuffer))];
    return this.act('loadModelFiles', [sent], false, buffers);
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
      return this.failed(e as Error, null);
    }
  }

  exportEmbeddingProjector(): Promise<{ vectorsTsv: string; metadataTsv: string } | null> {
    return this.act('exportEmbeddingProjector', [], null);
  }

  weights(): Promise<Map<string, Float32Array> | null> {
    return this.act('weights', [], null);
  }
}
