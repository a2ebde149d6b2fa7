/**
 * <lstm-writer>'s end of the protocol (trainer-protocol.ts): the state the Worker's WriterController sent
 * last (`written` grows there while a Write streams), and its actions as calls (a failure becomes the
 * error, shown, with the action's neutral answer).
 */
import type { BatchEndInfo } from '../layers/fit-loop';
import type { LossPoint } from './forecaster-controller';
import type { TrainerPort } from './trainer-protocol';
import { NOWHERE, RemoteEnd, type RemoteHost } from './trainer-remote';
import type { TextActivations, WriteOptions, Writer, WriterEvents, WriterSettings } from './writer-controller';

export class RemoteWriter extends RemoteEnd implements Writer {
  status: Writer['status'] = 'starting';
  gpuDescription = '';
  error: string | null = null;
  summary = '';
  hasText = false;
  progress: BatchEndInfo | null = null;
  stepsPerEpoch = 1;
  batchLosses: number[] = [];
  epochs: LossPoint[] = [];
  samples: Array<{ step: number; text: string }> = [];
  written = '';
  modelInfo: string | null = null;
  note = '';
  gpuBytes = 0;

  constructor(port: TrainerPort, host: RemoteHost, events: WriterEvents) {
    super(port, host, events, 'lstm-writer', 'writer');
  }

  static notStarted(host: RemoteHost, events: WriterEvents): RemoteWriter {
    return new RemoteWriter(NOWHERE, host, events).notStarted();
  }

  loadUrl(url: string): Promise<boolean> {
    return this.act('loadUrl', [url], false);
  }

  /** Bytes are handed over to the Worker (their buffer is transferred, not copied); a Blob is shared, and read there. */
  loadBytes(source: Uint8Array | Blob, name: string): Promise<boolean> {
    return this.act('loadBytes', [source, name], false, source instanceof Uint8Array ? [source.buffer as ArrayBuffer] : []);
  }

  setText(text: string, name: string): Promise<boolean> {
    return this.act('setText', [text, name], false);
  }

  train(settings: WriterSettings): Promise<void> {
    return this.act('train', [settings], undefined);
  }

  write(prompt: string, o: WriteOptions): Promise<string> {
    return this.act('write', [prompt, o], '');
  }

  /** The bytes are handed over to the Worker (their buffer is transferred, not copied). */
  loadModel(bytes: Uint8Array, name: string): Promise<boolean> {
    return this.act('loadModel', [bytes, name], false, [bytes.buffer as ArrayBuffer]);
  }

  saveModel(): Promise<Uint8Array | null> {
    return this.act('saveModel', [], null);
  }

  /** The activations come back as the call's result (copied by the structured clone), not in the state. */
  activations(text: string): Promise<TextActivations | null> {
    return this.act('activations', [text], null);
  }
}
