/**
 * The messages between an element's page and the Worker that runs its controller (TrainerController for
 * <lstm-trainer>, ForecasterController for <lstm-forecaster>, WriterController for <lstm-writer>): the
 * page calls (RemoteEnd and its subclasses, trainer-remote.ts); the Worker (serveControllers,
 * trainer-serve.ts) answers each call with its result, sends the controller's state (its view: plain
 * data; at most one message per STATE_INTERVAL_MS while it changes, and always before a result or an
 * event, so the page never sees a result ahead of the state it produced) and its events. Errors travel
 * as their messages.
 *
 * The first call is `start` with the element's kind (which controller the Worker makes); the last is
 * `close` (the controller stops and releases its GPU buffers and device).
 */
/** The least time between two state messages while training (a render per frame or two is plenty). */
export const STATE_INTERVAL_MS = 33;

/** What both ends post through (a Worker, the Worker's global scope, a MessagePort). */
export interface TrainerPort {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
  start?(): void;
}

/** The elements a Worker can serve (its controller is chosen by the `start` call). */
export type ElementKind = 'lstm-trainer' | 'lstm-forecaster' | 'lstm-writer' | 'lstm-race';

/** A call's method: one of the controller's actions, or the protocol's own start and close. */
export type Method = string;

export type ToWorker = { kind: 'call'; id: number; method: Method; args: unknown[] };

export type FromWorker =
  | { kind: 'state'; view: object }
  | { kind: 'event'; name: string; arg: unknown }
  | { kind: 'result'; id: number; ok: true; value: unknown }
  | { kind: 'result'; id: number; ok: false; error: string };
