/**
 * Where <lstm-trainer> trains: in a dedicated Worker (trainer-worker.ts) by default, so the page's main
 * thread only renders; on the main thread when the element asks for it (`main-thread`), when the browser
 * offers no module Workers, when the Worker does not start, or when WebGPU is not available inside it.
 * The reason is kept in `thread` for the GPU line — never a silent switch.
 *
 * A Lit ReactiveController: the Worker (or the main-thread controller) starts when the element connects
 * and is stopped, with every GPU buffer released, when it disconnects.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ModelShelf } from './model-shelf';
import type { TrainerController } from './trainer-controller';
import { RemoteTrainer } from './trainer-remote';
import type { Trainer, TrainerEvents } from './trainer-types';

export interface TrainerThreadOptions {
  /** Read at each connection: train on the main thread instead of in a Worker. */
  mainThread(): boolean;
  /** Where the main-thread controller keeps models (a Worker opens IndexedDB itself). */
  shelf(): ModelShelf | null;
}

export class TrainerThread implements ReactiveController {
  /** What the element renders and drives. */
  current: Trainer;
  /** Where training runs, and why there (shown in the GPU line). */
  thread = '';

  private worker: Worker | null = null;
  private local: TrainerController | null = null;
  /** Bumped on every connection and disconnection: a late answer from an older Worker is ignored. */
  private generation = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly events: TrainerEvents,
    private readonly options: TrainerThreadOptions,
  ) {
    this.current = RemoteTrainer.notStarted(host, events);
    host.addController(this);
  }

  hostConnected(): void {
    const generation = ++this.generation;
    if (this.options.mainThread()) return void this.onMainThread('the element has main-thread set');
    if (typeof Worker === 'undefined') return void this.onMainThread('this browser offers no Workers');
    let worker: Worker;
    try {
      worker = new Worker(new URL('./trainer-worker.ts', import.meta.url), { type: 'module', name: 'lstm-trainer' });
    } catch (e) {
      return void this.onMainThread(`the Worker could not be created: ${(e as Error).message}`);
    }
    const remote = new RemoteTrainer(worker, this.host, this.events);
    this.worker = worker;
    this.current = remote;
    this.thread = 'starting a Worker';
    // Once per Worker: its error event and its rejected start() can both report the same failure.
    const failed = (why: string) => {
      if (generation !== this.generation || this.worker !== worker) return;
      remote.failAll(new Error(`the training Worker stopped: ${why}`));
      worker.terminate();
      this.worker = null;
      void this.onMainThread(why);
    };
    // A module that does not load (a bundler that did not emit it, a content security policy) shows up here.
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      const why = e.message || 'its script could not be loaded';
      failed(this.thread === 'training in a Worker' ? `the Worker stopped (${why}); its model and dataset are gone: load them again` : `the Worker did not start (${why})`);
    });
    remote.start().then(
      () => {
        if (generation !== this.generation) return;
        if (remote.status === 'no-webgpu') failed(`WebGPU is not available in a Worker here: ${remote.error ?? 'no adapter'}`);
        else {
          this.thread = 'training in a Worker';
          this.host.requestUpdate();
        }
      },
      (e: Error) => failed(`the Worker did not start (${e.message})`),
    );
  }

  hostDisconnected(): void {
    this.generation++;
    if (this.worker) {
      const worker = this.worker;
      this.worker = null;
      // Let the Worker release its GPU buffers and device, then end it (at once if it does not answer).
      const end = () => worker.terminate();
      void (this.current as RemoteTrainer).close().then(end, end);
      setTimeout(end, 2000);
    }
    this.local?.hostDisconnected();
    this.local = null;
  }

  /** The engine is loaded only here, when the page itself trains (a Worker loads its own copy). */
  private async onMainThread(why: string): Promise<void> {
    const generation = this.generation;
    this.current = RemoteTrainer.notStarted(this.host, this.events);
    this.thread = `starting on the main thread: ${why}`;
    this.host.requestUpdate();
    let modules;
    try {
      modules = await import('./trainer-controller');
    } catch (e) {
      this.thread = `could not start on the main thread either (${why}): ${(e as Error).message}`;
      this.events.error(this.thread);
      this.host.requestUpdate();
      return;
    }
    if (generation !== this.generation) return;
    const c = new modules.TrainerController(this.host, this.events, undefined, this.options.shelf());
    this.local = c;
    this.current = c;
    this.thread = `training on the main thread: ${why}`;
    c.hostConnected();
    this.host.requestUpdate();
  }
}
