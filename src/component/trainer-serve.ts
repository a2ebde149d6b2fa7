/**
 * The Worker's end of the trainer protocol (trainer-protocol.ts): runs each call on the controller and
 * answers with its result, preceded by the state it left; forwards the controller's events.
 */
import { trainerView, type TrainerController, type TrainerHost } from './trainer-controller';
import { STATE_INTERVAL_MS, type FromWorker, type Method, type ToWorker, type TrainerPort } from './trainer-protocol';
import type { TrainerEvents } from './trainer-types';

/** The Worker's end: `make` builds the controller around the host and events this end provides. */
export function serveTrainer(port: TrainerPort, make: (host: TrainerHost, events: TrainerEvents) => TrainerController): void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let dirty = false;
  let last = -Infinity;
  const post = (m: FromWorker) => port.postMessage(m);
  const sendState = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    dirty = false;
    last = performance.now();
    post({ kind: 'state', view: trainerView(controller) });
  };
  const flush = () => {
    if (dirty) sendState();
  };
  const host: TrainerHost = {
    requestUpdate() {
      dirty = true;
      timer ??= setTimeout(sendState, Math.max(0, last + STATE_INTERVAL_MS - performance.now()));
    },
  };
  const event =
    <K extends keyof TrainerEvents>(name: K) =>
    (arg: Parameters<TrainerEvents[K]>[0]) => {
      flush();
      post({ kind: 'event', name, arg });
    };
  const controller = make(host, {
    datasetLoaded: event('datasetLoaded'),
    epochEnd: event('epochEnd'),
    trainEnd: event('trainEnd'),
    error: event('error'),
  });
  const run = async (method: Method, args: unknown[]): Promise<unknown> => {
    if (method === 'start') {
      controller.hostConnected();
      return controller.ready;
    }
    if (method === 'close') return controller.hostDisconnected();
    const fn = controller[method] as (...a: unknown[]) => unknown;
    return fn.apply(controller, args);
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

