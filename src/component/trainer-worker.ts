/**
 * The dedicated Worker behind <lstm-trainer>: the element's TrainerController (dataset parsing, the
 * engine, training, evaluation, predictions, the model shelf in IndexedDB) runs here, so the page's main
 * thread only renders. The page talks to it through RemoteTrainer (trainer-remote.ts).
 */
import { createEngine } from '../ops/create-engine';
import { indexedDbShelf } from './model-shelf';
import { TrainerController } from './trainer-controller';
import type { TrainerPort } from './trainer-protocol';
import { serveTrainer } from './trainer-serve';

serveTrainer(self as unknown as TrainerPort, (host, events) => new TrainerController(host, events, () => createEngine(), indexedDbShelf()));
