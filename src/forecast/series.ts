/**
 * A numeric series from a table: the named column, or the only numeric one (a row counter such as an id
 * column does not count). Cells that are not numbers (a gap, a typo such as "?0.2") are skipped and
 * reported, never turned into zeros.
 */
import { DatasetError } from '../data/errors';
import type { Table } from '../data/table';

export interface NumericSeries {
  column: string;
  values: number[];
  /** Rows (1-based, as in a spreadsheet after the header) whose cell was not a number, skipped. */
  skippedRows: number[];
}

const parse = (cell: string) => {
  const t = cell.trim();
  return t === '' ? NaN : Number(t);
};

/** A column is numeric when at least 95% of its non-empty cells are numbers. */
function numericShare(cells: readonly string[]): number {
  let filled = 0, numbers = 0;
  for (const c of cells) {
    if (c.trim() === '') continue;
    filled++;
    if (Number.isFinite(parse(c))) numbers++;
  }
  return filled === 0 ? 0 : numbers / filled;
}

/** A row counter (1, 2, 3, … or any strictly increasing integers): a numeric column, but not a series to forecast. */
function isIndex(cells: readonly string[]): boolean {
  let prev = -Infinity;
  for (const c of cells) {
    const v = parse(c);
    if (!Number.isInteger(v) || v <= prev) return false;
    prev = v;
  }
  return cells.length > 1;
}

/** The columns whose non-empty cells are (almost all) numbers, in file order, row counters (id, index) left out. */
export function numericColumns(table: Table): string[] {
  return table.columns.filter((_, i) => numericShare(table.data[i]!) >= 0.95 && !isIndex(table.data[i]!));
}

export function numericSeries(table: Table, column?: string): NumericSeries {
  let index: number;
  if (column !== undefined) {
    index = table.columns.indexOf(column);
    if (index < 0) throw new DatasetError(`no column "${column}" in ${table.fileName} (columns: ${table.columns.join(', ')})`);
  } else {
    const numeric = numericColumns(table);
    if (numeric.length === 0) throw new DatasetError(`${table.fileName} has no numeric column (columns: ${table.columns.join(', ')})`);
    if (numeric.length > 1) throw new DatasetError(`${table.fileName} has several numeric columns (${numeric.join(', ')}): choose one with --column`);
    index = table.columns.indexOf(numeric[0]!);
  }
  const name = table.columns[index]!;
  const values: number[] = [];
  const skippedRows: number[] = [];
  table.data[index]!.forEach((cell, r) => {
    const v = parse(cell);
    if (Number.isFinite(v)) values.push(v);
    else skippedRows.push(r + 1);
  });
  if (values.length === 0) throw new DatasetError(`column "${name}" of ${table.fileName} holds no numbers`);
  return { column: name, values, skippedRows };
}
