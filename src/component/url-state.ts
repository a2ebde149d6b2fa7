/**
 * The element's configuration in the page's URL hash (as TensorFlow Playground does), so that a link
 * reproduces it: `#dataset=data/reviews.zip&epochs=3&units=64&cleaning=ascii`. A ReactiveController:
 * it reads the hash when the host connects and rewrites it (history.replaceState, no new history entry)
 * after every update. Only for hosts that opt in (`url-state`): an embedded element must not take over
 * its page's hash. A value that does not parse is reported through `onInvalid`, never silently dropped.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Hash key → [host property, kind]. */
export const URL_KEYS = {
  dataset: ['datasetUrl', 'string'],
  text: ['textColumn', 'string'],
  label: ['labelColumn', 'string'],
  drop: ['dropLabels', 'string'],
  epochs: ['epochs', 'int'],
  batch: ['batchSize', 'int'],
  units: ['units', 'int'],
  embed: ['embedDim', 'int'],
  vocab: ['vocabSize', 'int'],
  maxlen: ['maxLen', 'int'],
  lr: ['learningRate', 'number'],
  seed: ['seed', 'int'],
  bucketing: ['bucketing', 'boolean'],
  patience: ['earlyStopping', 'int'],
  cleaning: ['cleaning', ['unicode', 'ascii', 'all']],
  labelcase: ['labelCase', ['keep', 'fold']],
  cell: ['cell', ['lstm', 'gru', 'rnn']],
} as const;

type Host = ReactiveControllerHost & HTMLElement & Record<string, unknown> & { urlState: boolean };

export class UrlStateController implements ReactiveController {
  constructor(
    private readonly host: Host,
    private readonly onInvalid: (message: string) => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    if (!this.host.urlState) return;
    const params = new URLSearchParams(location.hash.replace(/^#/, ''));
    const bad: string[] = [];
    for (const [key, raw] of params) {
      const entry = URL_KEYS[key as keyof typeof URL_KEYS];
      if (!entry) {
        bad.push(`${key} (not a setting)`);
        continue;
      }
      const [prop, kind] = entry;
      if (kind === 'string') this.host[prop] = raw;
      else if (kind === 'boolean') {
        if (raw !== '1' && raw !== '0') bad.push(`${key}=${raw} (use 1 or 0)`);
        else this.host[prop] = raw === '1';
      } else if (Array.isArray(kind)) {
        if (!(kind as readonly string[]).includes(raw)) bad.push(`${key}=${raw} (one of ${kind.join(', ')})`);
        else this.host[prop] = raw;
      } else {
        const n = raw.trim() === '' ? NaN : Number(raw);
        if (!Number.isFinite(n) || n < 0 || (kind === 'int' && !Number.isInteger(n))) bad.push(`${key}=${raw} (not ${kind === 'int' ? 'a whole number' : 'a number'})`);
        else this.host[prop] = n;
      }
    }
    if (bad.length) this.onInvalid(`the link's settings were not all understood: ${bad.join('; ')}`);
  }

  hostUpdated(): void {
    if (!this.host.urlState) return;
    const params = new URLSearchParams();
    for (const [key, [prop, kind]] of Object.entries(URL_KEYS)) {
      const v = this.host[prop];
      if (kind === 'string' && (v === '' || v === undefined)) continue;
      params.set(key, kind === 'boolean' ? (v ? '1' : '0') : String(v));
    }
    const hash = `#${params.toString()}`;
    if (location.hash !== hash) history.replaceState(history.state, '', hash);
  }
}
