/**
 * The messages between the page and the Worker that runs <lstm-trainer>'s TrainerController: the page
 * calls (RemoteTrainer, trainer-remote.ts); the Worker (serveTrainer, trainer-serve.ts) answers each
 * call with its result, sends the controller's state (TrainerView, plain data; at most one message per
 * STATE_INTERVAL_MS while it changes, and always before a result or an event, so the page never sees a
 * result ahead of the state it produced) and its events. Errors travel as their messages.
 */
import type { TrainerActions, TrainerEvents, TrainerView } from './trainer-types';

/** The least time between two state messages while training (a render per frame or two is plenty). */
export const STATE_INTERVAL_MS = 33;

/** What both ends post through (a Worker, the Worker's global scope, a MessagePort). */
export interface TrainerPort {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
  start?(): void;
}

export type Method = keyof TrainerActions | 'start' | 'close';

export type ToWorker = { kind: 'call'; id: number; method: Method; args: unknown[] };

export type FromWorker =
  | { kind: 'state'; view: TrainerView }
  | { kind: 'event'; name: keyof TrainerEvents; arg: unknown }
  | { kind: 'result'; id: number; ok: true; value: unknown }
  | { kind: 'result'; id: number; ok: false; error: string };

