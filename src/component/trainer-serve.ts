/**
 * The Worker's end of the protocol (trainer-protocol.ts): the `start` call names the element, whose
 * controller is made then; each later call runs on that controller and is answered with its result,
 * preceded by the state it left; the controller's events are forwarded.
 */
import { trainerView, type TrainerController, type TrainerHost } from './trainer-controller';
import { STATE_INTERVAL_MS, type ElementKind, type FromWorker, type Method, type ToWorker, type TrainerPort } from './trainer-protocol';
import type { TrainerEvents } from './trainer-types';

/** What a controller's host offers: a way to be told that the state changed. */
export interface ControllerHost {
  requestUpdate(): void;
}

/** What every element's controller does: acquire the GPU when started, release everything when stopped. */
export interface ServedController {
  hostConnected(): void;
  hostDisconnected(): void;
  /** Settles when the GPU has been acquired (or found missing) after hostConnected. */
  readonly ready: Promise<void>;
}

/** How the Worker serves one kind of element. */
export interface ServedKind<C extends ServedController = ServedController> {
  /** Build the controller around the host and events this end provides (events: one function per name). */
  make(host: ControllerHost, events: Record<string, (arg: unknown) => void>): C;
  /** The controller's state as plain data (what crosses to the page). */
  view(c: C): object;
  /** The names of the controller's events. */
  events: readonly string[];
}

/** A kind's entry with its types checked: `make` receives the events object the controller expects. */
export function servedKind<C extends ServedController, E extends object>(kind: {
  make(host: ControllerHost, events: E): C;
  view(c: NoInfer<C>): object;
  events: ReadonlyArray<keyof E & string>;
}): ServedKind {
  return kind as unknown as ServedKind;
}

export const TRAINER_EVENTS = ['datasetLoaded', 'epochEnd', 'trainEnd', 'error'] as const satisfies ReadonlyArray<keyof TrainerEvents>;

/** The Worker's end: `kinds` says how each element's controller is made and seen. */
export function serveControllers(port: TrainerPort, kinds: Partial<Record<ElementKind, ServedKind>>): void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let dirty = false;
  let last = -Infinity;
  let served: { kind: ServedKind; controller: ServedController } | null = null;
  const post = (m: FromWorker) => port.postMessage(m);
  const sendState = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    dirty = false;
    last = performance.now();
    if (served) post({ kind: 'state', view: served.kind.view(served.controller) });
  };
  const flush = () => {
    if (dirty) sendState();
  };
  const host: ControllerHost = {
    requestUpdate() {
      dirty = true;
      timer ??= setTimeout(sendState, Math.max(0, last + STATE_INTERVAL_MS - performance.now()));
    },
  };
  const start = (name: unknown) => {
    if (served) throw new Error('this Worker has started its controller already');
    const kind = kinds[name as ElementKind];
    if (!kind) throw new Error(`this Worker serves ${Object.keys(kinds).join(', ')}, not ${String(name)}`);
    const events: Record<string, (arg: unknown) => void> = {};
    for (const e of kind.events) {
      events[e] = (arg) => {
        flush();
        post({ kind: 'event', name: e, arg });
      };
    }
    const controller = kind.make(host, events);
    served = { kind, controller };
    controller.hostConnected();
    return controller.ready;
  };
  const run = async (method: Method, args: unknown[]): Promise<unknown> => {
    if (method === 'start') return start(args[0]);
    if (!served) throw new Error(`"${method}" before the controller was started`);
    if (method === 'close') return served.controller.hostDisconnected();
    const fn = (served.controller as unknown as Record<string, unknown>)[method];
    if (typeof fn !== 'function') throw new Error(`the controller has no method "${method}"`);
    return (fn as (...a: unknown[]) => unknown).apply(served.controller, args);
  };
  port.addEventListener('message', (e: MessageEvent) => {
    const m = e.data as ToWorker;
    if (m?.kind !== 'call') return;
    run(m.method, m.args).then(
      (value) => {
        dirty = true; // a call's result comes with the state as it left it
        flush();
        post({ kind: 'result', id: m.id, ok: true, value });
      },
      (err: unknown) => {
        dirty = true;
        flush();
        post({ kind: 'result', id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) });
      },
    );
  });
  port.start?.();
}

/** <lstm-trainer>'s entry: `make` builds the controller around the host and events this end provides. */
export function trainerKind(make: (host: TrainerHost, events: TrainerEvents) => TrainerController): ServedKind {
  return servedKind({ make, view: trainerView, events: TRAINER_EVENTS });
}

/** A Worker end that serves <lstm-trainer> only. */
export function serveTrainer(port: TrainerPort, make: (host: TrainerHost, events: TrainerEvents) => TrainerController): void {
  serveControllers(port, { 'lstm-trainer': trainerKind(make) });
}
