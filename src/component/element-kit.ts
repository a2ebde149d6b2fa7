/**
 * What the elements share: events in one shape (bubbling, composed, data in `detail`), files fetched
 * with a sentence on failure, downloads, and the panel's look.
 */
import { css, html, LitElement } from 'lit';
import { CELL_NAMES, type CellName } from '../layers/specs';

export function emit(el: HTMLElement, type: string, detail: unknown): void {
  el.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}

/** A file's bytes and its name from a URL (relative to the page). */
export async function fetchFile(url: string): Promise<{ bytes: Uint8Array; name: string }> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not download ${url}: HTTP ${res.status}`);
  return { bytes: new Uint8Array(await res.arrayBuffer()), name: new URL(url, document.baseURI).pathname.split('/').pop() || 'file' };
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

const CELL_TITLES: Readonly<Record<CellName, string>> = { lstm: 'LSTM', gru: 'GRU', rnn: 'SimpleRNN' };

/** How an element names a cell ("LSTM units", "GRU units", …). */
export const cellTitle = (cell: CellName): string => CELL_TITLES[cell] ?? cell;

/** The Cell select every training element shows (attribute `cell`: lstm, gru or rnn). */
export function cellSelect(cell: CellName, disabled: boolean, set: (cell: CellName) => void) {
  return html`<label
    >Cell
    <select data-testid="cell" ?disabled=${disabled} @change=${(e: Event) => set((e.target as HTMLSelectElement).value as CellName)}>
      ${CELL_NAMES.map((c) => html`<option value=${c} .selected=${cell === c}>${CELL_TITLES[c]}</option>`)}
    </select></label
  >`;
}

/** The panel, rows of controls, buttons, errors and charts of the smaller elements. */
export const panelStyles = css`
  :host { display: block; color: var(--lstm-fg, #111827); font: 14px/1.5 system-ui, sans-serif; }
  .panel { border: 1px solid var(--lstm-border, #e5e7eb); border-radius: 8px; padding: 12px 16px; background: var(--lstm-bg, white); }
  .row { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin: 6px 0; }
  input[type='number'] { width: 5em; }
  button { background: var(--lstm-accent, #2563eb); color: white; border: 0; border-radius: 6px; padding: 6px 14px; cursor: pointer; }
  button:disabled { opacity: 0.5; cursor: default; }
  .error { color: #b91c1c; }
  .chart svg { width: 100%; height: auto; }
  .legend span { margin-right: 12px; font-size: 12px; }
  .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; border-radius: 2px; }
  figcaption { font-size: 13px; color: #374151; }
`;

/**
 * The life of an element that loads a file and trains on it: at connection it loads its default file
 * (unless something was loaded already), a failure becomes `status = 'error'`, a message and an `error`
 * event, and leaving the page stops training. Subclasses declare `status` and `message` as reactive.
 */
export abstract class FileTrainingElement extends LitElement {
  declare status: string;
  declare message: string;
  protected stop: AbortController | null = null;

  /** The file loaded at connection. */
  protected abstract defaultUrl(): string;
  abstract loadBytes(bytes: Uint8Array, name: string): void | Promise<void>;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.status === 'idle') void this.loadUrl(this.defaultUrl());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop?.abort();
  }

  protected fail(e: unknown): void {
    this.status = 'error';
    this.message = (e as Error).message;
    emit(this, 'error', { message: this.message });
  }

  /** Load a file from a URL (relative to the page). */
  async loadUrl(url: string): Promise<void> {
    this.status = 'loading';
    try {
      const { bytes, name } = await fetchFile(url);
      await this.loadBytes(bytes, name);
    } catch (e) {
      this.fail(e);
    }
  }
}
