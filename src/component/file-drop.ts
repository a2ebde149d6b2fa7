/**
 * The file control every element shows: a styled button (the native "Choose File" input stays hidden
 * inside its label) and, around it, a zone that takes a dropped file. Templates, not an element of its
 * own: each element renders them in its shadow root and adds `fileDropStyles` to its styles, so the
 * input is reachable there (tests upload through it) and nothing more needs registering.
 */
import { css, html, nothing, type TemplateResult } from 'lit';

interface FileChoiceBase {
  /** The button's text ("Choose a .zip or .csv"). */
  label: string;
  /** The input's accept list (".csv,.zip,text/csv"). */
  accept: string;
  disabled?: boolean;
  testid?: string;
  /** The button's tooltip. */
  title?: string;
}

/** One file at a time. */
export interface FileChoice extends FileChoiceBase {
  onFile(file: File): void;
}

/** Several files chosen (or dropped) together, e.g. a TF.js model.json with its shards. */
export interface FilesChoice extends FileChoiceBase {
  onFiles(files: File[]): void;
}

/** Hand the chosen files to the choice: all of them, or the first. */
function deliver(o: FileChoice | FilesChoice, list: FileList | null | undefined): void {
  const files = Array.from(list ?? []);
  if (files.length === 0) return;
  if ('onFiles' in o) o.onFiles(files);
  else o.onFile(files[0]!);
}

/** A styled button that opens the file chooser (no drop zone around it). */
export function fileButton(o: FileChoice | FilesChoice): TemplateResult {
  return html`<label class="button file-button" aria-disabled=${o.disabled ? 'true' : 'false'} title=${o.title ?? nothing}
    >${o.label}<input
      type="file"
      accept=${o.accept}
      ?multiple=${'onFiles' in o}
      hidden
      data-testid=${o.testid ?? nothing}
      ?disabled=${o.disabled}
      @change=${(e: Event) => {
        const input = e.target as HTMLInputElement;
        const files = input.files;
        deliver(o, files);
        input.value = ''; // choosing the same file again is a change too
      }}
  /></label>`;
}

/** Mark the zone while a drag is over it (on the zone itself: the templates keep no state). */
const over = (e: DragEvent, on: boolean) => (e.currentTarget as HTMLElement).classList.toggle('over', on);

/**
 * The button inside a zone that also takes a dropped file; `hint` follows the button ("or drop one
 * here"), `extra` closes the row (a URL form, a built-in choice).
 */
export function fileDrop(o: (FileChoice | FilesChoice) & { hint?: string; extra?: TemplateResult }): TemplateResult {
  return html`<div
    class="drop"
    part="drop"
    @dragover=${(e: DragEvent) => {
      e.preventDefault();
      if (!o.disabled) over(e, true);
    }}
    @dragleave=${(e: DragEvent) => over(e, false)}
    @drop=${(e: DragEvent) => {
      e.preventDefault();
      over(e, false);
      if (!o.disabled) deliver(o, e.dataTransfer?.files);
    }}
  >
    ${fileButton(o)}
    <span class="hint">${o.hint ?? 'or drop one here'}</span>
    ${o.extra ?? nothing}
  </div>`;
}

export const fileDropStyles = css`
  .button {
    font: inherit;
    padding: 4px 10px;
    border: 1px solid var(--lstm-border, #d1d5db);
    border-radius: 6px;
    background: #f9fafb;
    color: inherit;
    cursor: pointer;
    display: inline-block;
  }
  .file-button[aria-disabled='true'] { opacity: 0.5; cursor: default; }
  .drop {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
    padding: 8px;
    border: 1px dashed var(--lstm-border, #d1d5db);
    border-radius: 6px;
  }
  .drop.over { border-color: var(--lstm-accent, #2563eb); background: color-mix(in srgb, var(--lstm-accent, #2563eb) 8%, transparent); }
  .drop .hint { opacity: 0.8; }
  .drop form { display: flex; gap: 4px; }
`;
