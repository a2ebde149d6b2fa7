/**
 * The dedicated Worker behind every element: the `start` call names the element and its controller is
 * made here — <lstm-trainer>'s TrainerController (dataset parsing, the engine, training, evaluation,
 * predictions, the model shelf in IndexedDB), <lstm-forecaster>'s ForecasterController, <lstm-writer>'s
 * WriterController, <lstm-race>'s RaceController — so the page's main thread only renders. The page
 * talks to it through its element's RemoteEnd (trainer-remote.ts, forecaster-remote.ts,
 * writer-remote.ts, race-remote.ts). One Worker per element.
 */
import { createEngine } from '../ops/create-engine';
import { FORECASTER_EVENTS, ForecasterController, forecasterView, type ForecasterEvents } from './forecaster-controller';
import { indexedDbShelf } from './model-shelf';
import { RACE_EVENTS, RaceController, raceView, type RaceEvents } from './race-controller';
import { TrainerController } from './trainer-controller';
import type { TrainerPort } from './trainer-protocol';
import { serveControllers, servedKind, trainerKind } from './trainer-serve';
import { WRITER_EVENTS, WriterController, writerView, type WriterEvents } from './writer-controller';

serveControllers(self as unknown as TrainerPort, {
  'lstm-trainer': trainerKind((host, events) => new TrainerController(host, events, () => createEngine(), indexedDbShelf())),
  'lstm-forecaster': servedKind<ForecasterController, ForecasterEvents>({ make: (host, events) => new ForecasterController(host, events), view: forecasterView, events: FORECASTER_EVENTS }),
  'lstm-writer': servedKind<WriterController, WriterEvents>({ make: (host, events) => new WriterController(host, events), view: writerView, events: WRITER_EVENTS }),
  'lstm-race': servedKind<RaceController, RaceEvents>({ make: (host, events) => new RaceController(host, events), view: raceView, events: RACE_EVENTS }),
});
