/**
 * Where an element's controller runs: in a dedicated Worker (trainer-worker.ts) by default, so the page's
 * main thread only renders; on the main thread when the element asks for it (`main-thread`), when the
 * browser offers no module Workers, when the Worker does not start, or when WebGPU is not available
 * inside it. The reason is kept in `thread` for the GPU line — never a silent switch.
 *
 * A Lit ReactiveController: the Worker (or the main-thread controller) starts when the element connects
 * and is stopped, with every GPU buffer and its device released, when it disconnects. One Worker script
 * serves every element (<lstm-trainer>, <lstm-forecaster>, <lstm-writer>); the `start` call says which
 * controller it makes.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ModelShelf } from './model-shelf';
import type { ElementKind, TrainerPort } from './trainer-protocol';
import { RemoteTrainer, type RemoteEnd, type RemoteHost } from './trainer-remote';
import type { ServedController } from './trainer-serve';
import type { Trainer, TrainerEvents } from './trainer-types';

/** How an element's controller is reached: through a Worker, or made on the main thread. */
export interface ThreadOptions<T, E> {
  /** The element (its Worker's name, and the controller the Worker makes). */
  kind: ElementKind;
  /** Read at each connection: run on the main thread instead of in a Worker. */
  mainThread(): boolean;
  /** The page's end of a Worker's controller. */
  remote(port: TrainerPort, host: RemoteHost, events: E): T & RemoteEnd;
  /** An end that shows 'starting' and answers nothing (before a controller exists). */
  notStarted(host: RemoteHost, events: E): T;
  /** The controller on the main thread (its module, and the engine, are loaded only then). */
  local(host: RemoteHost, events: E): Promise<T & ServedController>;
}

export class ControllerThread<T extends { status: string }, E extends { error(message: string): void }> implements ReactiveController {
  /** What the element renders and drives. */
  current: T;
  /** Where the controller runs, and why there (shown in the GPU line). */
  thread = '';

  private worker: Worker | null = null;
  private local: (T & ServedController) | null = null;
  /** Bumped on every connection and disconnection: a late answer from an older Worker is ignored. */
  private generation = 0;
  private waiting: Array<() => void> = [];

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly events: E,
    private readonly options: ThreadOptions<T, E>,
  ) {
    this.current = options.notStarted(host, events);
    host.addController(this);
  }

  /**
   * Settles once a controller has started (in a Worker, or on the main thread), or found no GPU at all:
   * calls made then reach it. Also settles when the element leaves the page first.
   */
  ready(): Promise<void> {
    if (this.current.status !== 'starting') return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private settled(): void {
    this.host.requestUpdate();
    for (const w of this.waiting.splice(0)) w();
  }

  hostConnected(): void {
    const generation = ++this.generation;
    if (this.options.mainThread()) return void this.onMainThread('the element has main-thread set');
    if (typeof Worker === 'undefined') return void this.onMainThread('this browser offers no Workers');
    let worker: Worker;
    try {
      // The `type` must stay a literal: bundlers (Vite) find the Worker's script by this expression.
      worker = new Worker(new URL('./trainer-worker.ts', import.meta.url), { type: 'module', name: this.options.kind });
    } catch (e) {
      return void this.onMainThread(`the Worker could not be created: ${(e as Error).message}`);
    }
    const remote = this.options.remote(worker, this.host, this.events);
    this.worker = worker;
    this.current = remote;
    this.thread = 'starting a Worker';
    // Once per Worker: its error event and its rejected start() can both report the same failure.
    const failed = (why: string) => {
      if (generation !== this.generation || this.worker !== worker) return;
      remote.failAll(new Error(`the Worker stopped: ${why}`));
      worker.terminate();
      this.worker = null;
      void this.onMainThread(why);
    };
    // A module that does not load (a bundler that did not emit it, a content security policy) shows up here.
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      const why = e.message || 'its script could not be loaded';
      failed(/^training in a Worker/.test(this.thread) ? `the Worker stopped (${why}); its model and data are gone: load them again` : `the Worker did not start (${why})`);
    });
    remote.start().then(
      () => {
        if (generation !== this.generation) return;
        if (remote.status === 'no-webgpu') failed(`WebGPU is not available in a Worker here: ${remote.error ?? 'no adapter'}`);
        else {
          this.thread = 'training in a Worker';
          this.settled();
        }
      },
      (e: Error) => failed(`the Worker did not start (${e.message})`),
    );
  }

  hostDisconnected(): void {
    this.generation++;
    if (this.worker) {
      const worker = this.worker;
      const remote = this.current as T & RemoteEnd;
      this.worker = null;
      // Let the Worker release its GPU buffers and device, then end it (at once if it does not answer).
      const end = () => worker.terminate();
      void remote.close().then(end, end);
      setTimeout(end, 2000);
    }
    this.local?.hostDisconnected();
    this.local = null;
    this.current = this.options.notStarted(this.host, this.events);
    // Calls that waited for a start go to the stopped end, which answers them at once (with its error).
    for (const w of this.waiting.splice(0)) w();
  }

  /** The engine is loaded only here, when the page itself runs the controller (a Worker loads its own copy). */
  private async onMainThread(why: string): Promise<void> {
    const generation = this.generation;
    this.current = this.options.notStarted(this.host, this.events);
    this.thread = `starting on the main thread: ${why}`;
    this.host.requestUpdate();
    let c: T & ServedController;
    try {
      c = await this.options.local(this.host, this.events);
    } catch (e) {
      this.thread = `could not start on the main thread either (${why}): ${(e as Error).message}`;
      this.events.error(this.thread);
      this.settled();
      return;
    }
    if (generation !== this.generation) return;
    this.local = c;
    this.current = c;
    this.thread = `training on the main thread: ${why}`;
    c.hostConnected();
    this.host.requestUpdate();
    await c.ready;
    if (generation === this.generation) this.settled();
  }
}

export interface TrainerThreadOptions {
  /** Read at each connection: train on the main thread instead of in a Worker. */
  mainThread(): boolean;
  /** Where the main-thread controller keeps models (a Worker opens IndexedDB itself). */
  shelf(): ModelShelf | null;
}

/** <lstm-trainer>'s thread. */
export class TrainerThread extends ControllerThread<Trainer, TrainerEvents> {
  constructor(host: ReactiveControllerHost, events: TrainerEvents, options: TrainerThreadOptions) {
    super(host, events, {
      kind: 'lstm-trainer',
      mainThread: options.mainThread,
      remote: (port, h, e) => new RemoteTrainer(port, h, e),
      notStarted: (h, e) => RemoteTrainer.notStarted(h, e),
      local: async (h, e) => {
        const { TrainerController } = await import('./trainer-controller');
        return new TrainerController(h, e, undefined, options.shelf());
      },
    });
  }
}
