/**
 * <lstm-race>'s end of the protocol (trainer-protocol.ts): the state the Worker's RaceController sent
 * last (the curves grow there while a race runs), and its actions as calls (a failure becomes the error,
 * shown, with the action's neutral answer).
 */
import type { Race, RaceEvents, RaceSettings, RaceView, SweepSettings } from './race-controller';
import type { TrainerPort } from './trainer-protocol';
import { NOWHERE, RemoteEnd, type RemoteHost } from './trainer-remote';

export class RemoteRace extends RemoteEnd implements Race {
  status: Race['status'] = 'starting';
  gpuDescription = '';
  error: string | null = null;
  run: RaceView['run'] = null;
  curves: RaceView['curves'] = {};
  table: RaceView['table'] = null;
  note = '';
  gpuBytes = 0;

  constructor(port: TrainerPort, host: RemoteHost, events: RaceEvents) {
    super(port, host, events, 'lstm-race', 'race');
  }

  static notStarted(host: RemoteHost, events: RaceEvents): RemoteRace {
    return new RemoteRace(NOWHERE, host, events).notStarted();
  }

  race(settings: RaceSettings): Promise<void> {
    return this.act('race', [settings], undefined);
  }

  sweep(settings: SweepSettings): Promise<void> {
    return this.act('sweep', [settings], undefined);
  }
}
