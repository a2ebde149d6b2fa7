/**
 * Table → labelled texts: column detection (or the user's choice), label filtering and mapping, and a
 * report of everything that was skipped. Invalid input throws one DatasetError and returns nothing.
 */
import { DatasetError } from './errors';
import { readTable, type ReadOptions, type Table } from './table';

export interface DatasetOptions extends ReadOptions {
  textColumn?: string;
  labelColumn?: string;
  /** Labels whose rows are dropped (the classic recipe drops 'Neutral'). */
  dropLabels?: string[];
  /** Rename labels (applied before dropLabels), e.g. { '0': 'negative', '1': 'positive' }. */
  labelMap?: Record<string, string>;
}

export interface LabelledTexts {
  texts: string[];
  /** Index into labelNames per text. */
  labels: number[];
  labelNames: string[];
}

export interface DatasetInfo {
  fileName: string;
  columns: string[];
  textColumn: string;
  labelColumn: string;
  totalRows: number;
  rows: number;
  classCounts: Record<string, number>;
  skippedEmptyText: number;
  skippedEmptyLabel: number;
  droppedByLabel: number;
  replacementChars: number;
  malformedRows: number;
  /** The first rows, all columns, as text. */
  preview: Array<Record<string, string>>;
}

export interface Dataset extends LabelledTexts {
  info: DatasetInfo;
}

const TEXT_NAMES = ['text', 'sentence', 'review', 'tweet', 'content', 'comment', 'body', 'message'];
const LABEL_NAMES = ['sentiment', 'label', 'class', 'polarity', 'target', 'category', 'labels', 'y'];

function findByName(columns: string[], names: string[]): string | null {
  for (const n of names) {
    const c = columns.find((col) => col.trim().toLowerCase() === n);
    if (c) return c;
  }
  return null;
}

/** Text column: a conventional name, else the column with the longest mean cell. Label: a conventional name, else a low-cardinality column. */
export function detectColumns(table: Table): { textColumn: string | null; labelColumn: string | null } {
  const { columns, data, rows } = table;
  let textColumn = findByName(columns, TEXT_NAMES);
  if (!textColumn) {
    let best = -1;
    columns.forEach((c, i) => {
      const cells = data[i]!;
      const mean = cells.reduce((s, v) => s + v.length, 0) / Math.max(1, rows);
      const numeric = cells.slice(0, 200).every((v) => v === '' || !Number.isNaN(Number(v)));
      if (!numeric && mean > best) {
        best = mean;
        textColumn = c;
      }
    });
  }
  let labelColumn = findByName(columns.filter((c) => c !== textColumn), LABEL_NAMES);
  if (!labelColumn) {
    let bestDistinct = Infinity;
    columns.forEach((c, i) => {
      if (c === textColumn) return;
      const cells = data[i]!;
      const filled = cells.filter((v) => v.trim() !== '').length;
      if (filled < 0.9 * rows) return;
      const distinct = new Set(cells.map((v) => v.trim()).filter((v) => v !== '')).size;
      if (distinct >= 2 && distinct <= 20 && distinct < bestDistinct) {
        bestDistinct = distinct;
        labelColumn = c;
      }
    });
  }
  return { textColumn, labelColumn };
}

export function buildDataset(table: Table, opts: DatasetOptions = {}): Dataset {
  const detected = detectColumns(table);
  const textColumn = opts.textColumn ?? detected.textColumn;
  const labelColumn = opts.labelColumn ?? detected.labelColumn;
  const cols = table.columns.join(', ');
  if (!textColumn) throw new DatasetError(`no text column found in "${table.fileName}" (columns: ${cols}); choose one`);
  if (!labelColumn) throw new DatasetError(`no usable label column found in "${table.fileName}" (columns: ${cols}); choose one`);
  const ti = table.columns.indexOf(textColumn);
  const li = table.columns.indexOf(labelColumn);
  if (ti < 0) throw new DatasetError(`there is no column "${textColumn}" (columns: ${cols})`);
  if (li < 0) throw new DatasetError(`there is no column "${labelColumn}" (columns: ${cols})`);
  if (ti === li) throw new DatasetError(`the text and label columns must differ (both are "${textColumn}")`);
  const drop = new Set(opts.dropLabels ?? []);
  const map = opts.labelMap ?? {};
  const texts: string[] = [];
  const raw: string[] = [];
  let skippedEmptyText = 0;
  let skippedEmptyLabel = 0;
  let droppedByLabel = 0;
  for (let r = 0; r < table.rows; r++) {
    const text = table.data[ti]![r]!;
    let label = table.data[li]![r]!.trim();
    if (label === '') {
      skippedEmptyLabel++;
      continue;
    }
    label = map[label] ?? label;
    if (drop.has(label)) {
      droppedByLabel++;
      continue;
    }
    if (text.trim() === '') {
      skippedEmptyText++;
      continue;
    }
    texts.push(text);
    raw.push(label);
  }
  const classCounts: Record<string, number> = {};
  for (const l of raw) classCounts[l] = (classCounts[l] ?? 0) + 1;
  // Sorted like pandas.get_dummies, so 'Negative' < 'Positive' as in the notebook.
  const labelNames = Object.keys(classCounts).sort();
  if (labelNames.length === 0) throw new DatasetError(`no rows left in "${table.fileName}" after skipping empty texts and labels${drop.size ? ' and dropping labels' : ''}`);
  if (labelNames.length === 1) {
    throw new DatasetError(`the label column "${labelColumn}" has only one class ("${labelNames[0]}")${drop.size ? ' after dropping labels' : ''}; a classifier needs two or more`);
  }
  if (labelNames.length > 100) {
    throw new DatasetError(`the label column "${labelColumn}" has ${labelNames.length} distinct values; is it really a label column?`);
  }
  const index = new Map(labelNames.map((n, i) => [n, i]));
  const preview: Array<Record<string, string>> = [];
  for (let r = 0; r < Math.min(8, table.rows); r++) preview.push(Object.fromEntries(table.columns.map((c, i) => [c, table.data[i]![r]!])));
  return {
    texts,
    labels: raw.map((l) => index.get(l)!),
    labelNames,
    info: {
      fileName: table.fileName,
      columns: table.columns,
      textColumn,
      labelColumn,
      totalRows: table.rows,
      rows: texts.length,
      classCounts,
      skippedEmptyText,
      skippedEmptyLabel,
      droppedByLabel,
      replacementChars: table.replacementChars,
      malformedRows: table.malformedRows,
      preview,
    },
  };
}

/** Bytes (a .zip holding a CSV, or a CSV) → dataset. */
export async function loadDataset(bytes: Uint8Array | ArrayBuffer, fileName: string, opts: DatasetOptions = {}): Promise<Dataset> {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return buildDataset(await readTable(u8, fileName, opts), opts);
}
