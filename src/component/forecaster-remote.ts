/**
 * <lstm-forecaster>'s end of the protocol (trainer-protocol.ts): the state the Worker's
 * ForecasterController sent last, and its actions as calls (a failure becomes the error, shown, with the
 * action's neutral answer).
 */
import type { BatchEndInfo } from '../layers/fit-loop';
import type { ForecastSettings } from '../forecast/train';
import type { Forecaster, ForecasterEvents, ForecastView, LossPoint } from './forecaster-controller';
import type { TrainerPort } from './trainer-protocol';
import { NOWHERE, RemoteEnd, type RemoteHost } from './trainer-remote';

export class RemoteForecaster extends RemoteEnd implements Forecaster {
  status: Forecaster['status'] = 'starting';
  gpuDescription = '';
  error: string | null = null;
  summary = '';
  columns: string[] = [];
  column = '';
  progress: BatchEndInfo | null = null;
  batchLosses: number[] = [];
  epochs: LossPoint[] = [];
  result: ForecastView | null = null;
  hasModel = false;
  gpuBytes = 0;

  constructor(port: TrainerPort, host: RemoteHost, events: ForecasterEvents) {
    super(port, host, events, 'lstm-forecaster', 'forecaster');
  }

  static notStarted(host: RemoteHost, events: ForecasterEvents): RemoteForecaster {
    return new RemoteForecaster(NOWHERE, host, events).notStarted();
  }

  loadUrl(url: string, column?: string): Promise<boolean> {
    return this.act('loadUrl', [url, column], false);
  }

  /** Bytes are handed over to the Worker (their buffer is transferred, not copied); a Blob is shared, and read there. */
  loadBytes(source: Uint8Array | Blob, name: string, column?: string): Promise<boolean> {
    return this.act('loadBytes', [source, name, column], false, source instanceof Uint8Array ? [source.buffer as ArrayBuffer] : []);
  }

  pickColumn(column: string): Promise<boolean> {
    return this.act('pickColumn', [column], false);
  }

  train(settings: ForecastSettings): Promise<void> {
    return this.act('train', [settings], undefined);
  }

  saveModel(): Promise<Uint8Array | null> {
    return this.act('saveModel', [], null);
  }
}
