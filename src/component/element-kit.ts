/**
 * What the elements share: events in one shape (bubbling, composed, data in `detail`), downloads, the
 * Cell select, the GPU line and the WebGPU-missing notice, one look (panelStyles, with the file control's
 * and the progress's), and the life of an element whose controller runs in a Worker (FileTrainingElement).
 */
import { css, html, LitElement, nothing, type PropertyDeclarations } from 'lit';
import { CELL_NAMES, type CellName } from '../layers/specs';
import { CELL_TITLES } from './cell-title';
import { fileDropStyles } from './file-drop';
import type { ControllerThread } from './trainer-thread';

export { cellTitle } from './cell-title';

export function emit(el: HTMLElement, type: string, detail: unknown): void {
  el.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}

/** Offer `data` to the user as a file download. */
export function download(name: string, data: Uint8Array | string, type: string): void {
  const blob = new Blob([typeof data === 'string' ? data : new Uint8Array(data)], { type });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** A URL relative to the page, made absolute (a Worker resolves against its own script otherwise). */
export const absoluteUrl = (url: string): string => new URL(url, document.baseURI).href;

/** The Cell select every training element shows (attribute `cell`: lstm, gru or rnn). */
export function cellSelect(cell: CellName, disabled: boolean, set: (cell: CellName) => void) {
  return html`<label
    >Cell
    <select data-testid="cell" ?disabled=${disabled} @change=${(e: Event) => set((e.target as HTMLSelectElement).value as CellName)}>
      ${CELL_NAMES.map((c) => html`<option value=${c} .selected=${cell === c}>${CELL_TITLES[c]}</option>`)}
    </select></label
  >`;
}

/** Where the element's work runs: the GPU, the memory its engine holds, the thread (and why there). */
export function gpuLine(c: { gpuDescription: string; gpuBytes: number }, thread: string) {
  return html`<p class="gpu" data-testid="gpu">GPU: ${c.gpuDescription || '…'} · GPU memory held: ${(c.gpuBytes / 2 ** 20).toFixed(1)} MiB · ${thread}</p>`;
}

/** What an element shows without WebGPU (neither in a Worker nor on the page), and its last error. */
export function alerts(c: { status: string; error: string | null; dismissError(): void }) {
  if (c.status === 'no-webgpu') {
    return html`<div class="error" role="alert" data-testid="no-webgpu">
      <strong>WebGPU is not available here.</strong> ${c.error}
      <p>This page trains on your GPU through WebGPU: use a current Chrome or Edge (113+), Safari 18+, or Firefox 141+; on Linux enable chrome://flags/#enable-unsafe-webgpu.</p>
    </div>`;
  }
  return c.error
    ? html`<div class="error" role="alert" data-testid="error">
        ${c.error} <button class="dismiss" aria-label="dismiss" @click=${() => c.dismissError()}>×</button>
      </div>`
    : nothing;
}

/** The elements' one look (<lstm-trainer> has the same rules in its own sheet): panels, controls, progress, charts. */
export const panelStyles = [
  fileDropStyles,
  css`
    :host {
      --lstm-accent: #2563eb;
      --lstm-bg: #ffffff;
      --lstm-fg: #111827;
      --lstm-border: #d1d5db;
      display: block;
      font: 14px/1.45 system-ui, sans-serif;
      color: var(--lstm-fg);
      background: var(--lstm-bg);
    }
    .panel { border: 1px solid var(--lstm-border); border-radius: 8px; padding: 12px 16px; margin: 12px 0; }
    h2 { font-size: 16px; margin: 0 0 8px; }
    .row { display: flex; flex-wrap: wrap; gap: 12px; align-items: end; margin: 8px 0; }
    label { display: inline-flex; flex-direction: column; gap: 2px; }
    label.button { display: inline-block; }
    input[type='number'] { width: 7em; }
    button { font: inherit; padding: 4px 10px; border: 1px solid var(--lstm-border); border-radius: 6px; background: #f9fafb; cursor: pointer; display: inline-block; }
    button.primary { background: var(--lstm-accent); color: white; border-color: var(--lstm-accent); }
    button:disabled { opacity: 0.5; cursor: default; }
    .actions { display: flex; gap: 8px; margin: 8px 0; flex-wrap: wrap; align-items: center; }
    .progress { display: flex; gap: 8px; align-items: center; }
    .progress progress { width: 240px; }
    .charts { display: flex; gap: 16px; flex-wrap: wrap; }
    .chart { margin: 0; width: 340px; }
    .chart.wide { width: min(760px, 100%); }
    .chart svg { width: 100%; height: auto; }
    .legend { display: flex; gap: 10px; font-size: 12px; flex-wrap: wrap; }
    .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
    figcaption { font-size: 13px; }
    .summary.error-line { color: #b91c1c; }
    .error { border: 1px solid #dc2626; background: #fef2f2; color: #7f1d1d; padding: 8px 12px; border-radius: 6px; margin: 8px 0; position: relative; }
    .dismiss { position: absolute; right: 6px; top: 4px; border: none; background: none; }
    .gpu { font-size: 12px; opacity: 0.75; }
  `,
];

/**
 * The life of an element whose controller (in a Worker, or on the main thread) loads a file and trains
 * on it: once the controller has started it loads the element's file (its default, or the last one it
 * was given as a URL — again after the element is added back to a page); leaving the page stops the
 * controller, whose model and engine go with it (the ControllerThread's work). Subclasses make `thread`
 * in their constructor and turn the controller's events into DOM events.
 */
export abstract class FileTrainingElement<T extends { status: string; error: string | null }> extends LitElement {
  static override properties: PropertyDeclarations = {
    mainThread: { type: Boolean, attribute: 'main-thread' },
  };

  /**
   * Run the controller on the page's main thread instead of in a dedicated Worker (default false: a
   * Worker, so the page stays responsive; read when the element connects).
   */
  declare mainThread: boolean;
  /** Where the controller runs (a Worker, or the main thread with the reason) and the controller itself. */
  abstract readonly thread: Pick<ControllerThread<T, { error(message: string): void }>, 'current' | 'ready' | 'thread'>;
  /** The URL loaded when the controller starts (null: the default file). */
  private lastUrl: string | null = null;
  private loadStarted = false;

  constructor() {
    super();
    this.mainThread = false;
  }

  /** The controller the element renders and drives (in the Worker, through messages, or on the main thread). */
  get controller(): T {
    return this.thread.current;
  }

  /** The file loaded when the controller starts. */
  protected abstract defaultUrl(): string;
  /** Load an absolute URL into the started controller. */
  protected abstract load(url: string): Promise<boolean>;

  override connectedCallback(): void {
    super.connectedCallback();
    this.loadStarted = false; // a new controller starts empty
  }

  override updated(): void {
    if (!this.loadStarted && this.controller.status === 'idle') {
      this.loadStarted = true;
      void this.load(this.lastUrl ?? absoluteUrl(this.defaultUrl()));
    }
  }

  /** Load a file from a URL (relative to the page); resolves when loaded (false: the error is shown). */
  async loadUrl(url: string): Promise<boolean> {
    this.loadStarted = true;
    this.lastUrl = absoluteUrl(url);
    await this.thread.ready();
    return this.load(this.lastUrl);
  }
}
