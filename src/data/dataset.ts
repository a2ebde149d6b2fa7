/**
 * Table → labelled texts: column detection (or the user's choice), label filtering and mapping, and a
 * report of everything that was skipped. Invalid input throws one DatasetError and returns nothing.
 */
import { DatasetError } from './errors';
import { detectColumns, type ColumnChoice } from './columns';
import { readTable, type ReadOptions, type Table } from './table';

export { detectColumns } from './columns';

export interface DatasetOptions extends ReadOptions {
  textColumn?: string;
  labelColumn?: string;
  /** Labels whose rows are dropped (the classic recipe drops 'Neutral'). */
  dropLabels?: string[];
  /** Rename labels (applied before dropLabels), e.g. { '0': 'negative', '1': 'positive' }. */
  labelMap?: Record<string, string>;
  /**
   * 'fold': labels that differ only in case are one class, spelt as its most frequent spelling (and
   * dropLabels compare without case). Default 'keep': they stay separate classes (reported in
   * info.caseVariants).
   */
  labelCase?: 'keep' | 'fold';
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
  /** Every label of the label column (after labelMap and labelCase), dropped ones included, sorted. */
  allLabels: string[];
  /** Why each column was chosen (null where the caller named it), and the label column that came second. */
  columnReasons: { text: string | null; label: string | null; labelRunnerUp: ColumnChoice | null };
  /** Groups of labels that differ only in case and were kept apart (see DatasetOptions.labelCase). */
  caseVariants: string[][];
  skippedEmptyText: number;
  skippedEmptyLabel: number;
  droppedByLabel: number;
  replacementChars: number;
  /** The encoding the file was read as (UTF-8, or UTF-16 announced by a byte-order mark). */
  encoding: string;
  /** With replacements: the single-byte encoding the file probably is, or null. */
  likelyEncoding: string | null;
  malformedRows: number;
  /** The first rows, all columns, as text. */
  preview: Array<Record<string, string>>;
}

export interface Dataset extends LabelledTexts {
  info: DatasetInfo;
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
  const fold = opts.labelCase === 'fold';
  const key = (l: string) => (fold ? l.toLowerCase() : l);
  const drop = new Set((opts.dropLabels ?? []).map(key));
  const map = opts.labelMap ?? {};
  // With folding, each class is spelt as its most frequent spelling.
  const spelling = new Map<string, string>();
  if (fold) {
    const counts = new Map<string, number>();
    for (let r = 0; r < table.rows; r++) {
      const l = table.data[li]![r]!.trim();
      const m = map[l] ?? l;
      if (m !== '') counts.set(m, (counts.get(m) ?? 0) + 1);
    }
    for (const [l, n] of counts) {
      const best = spelling.get(key(l));
      if (best === undefined || n > counts.get(best)!) spelling.set(key(l), l);
    }
  }
  const seen = new Set<string>();
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
    if (fold) label = spelling.get(key(label))!;
    seen.add(label);
    if (drop.has(key(label))) {
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
  const labelsSeen = [...seen].sort();
  for (const d of opts.dropLabels ?? []) {
    if (!labelsSeen.some((l) => key(l) === key(d))) {
      const near = labelsSeen.find((l) => l.toLowerCase() === d.toLowerCase());
      throw new DatasetError(
        `cannot drop label "${d}": the label column "${labelColumn}" has no such label (its labels: ${labelsSeen.join(', ')})` +
          (near ? `; labels are compared exactly: did you mean "${near}"?` : ''),
      );
    }
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
  const byFolded = new Map<string, string[]>();
  for (const l of labelNames) byFolded.set(l.toLowerCase(), [...(byFolded.get(l.toLowerCase()) ?? []), l]);
  const caseVariants = [...byFolded.values()].filter((g) => g.length > 1);
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
      allLabels: labelsSeen,
      columnReasons: {
        text: opts.textColumn ? null : (detected.text?.reason ?? null),
        label: opts.labelColumn ? null : (detected.label?.reason ?? null),
        labelRunnerUp: opts.labelColumn ? null : detected.labelRunnerUp,
      },
      caseVariants,
      skippedEmptyText,
      skippedEmptyLabel,
      droppedByLabel,
      replacementChars: table.replacementChars,
      encoding: table.encoding,
      likelyEncoding: table.likelyEncoding,
      malformedRows: table.malformedRows,
      preview,
    },
  };
}

/**
 * A .zip holding a CSV, or a CSV → dataset. From bytes in memory, or from a Blob (a File in browsers,
 * `fs.openAsBlob(path)` in Node), which a CSV is read from piece by piece without holding the file.
 */
export async function loadDataset(source: Uint8Array | ArrayBuffer | Blob, fileName: string, opts: DatasetOptions = {}): Promise<Dataset> {
  return buildDataset(await readTable(source instanceof ArrayBuffer ? new Uint8Array(source) : source, fileName, opts), opts);
}
