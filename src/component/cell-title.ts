/** How the elements name a cell (LSTM, GRU, SimpleRNN): no DOM, so a Worker's controller can use it too. */
import type { CellName } from '../layers/specs';

export const CELL_TITLES: Readonly<Record<CellName, string>> = { lstm: 'LSTM', gru: 'GRU', rnn: 'SimpleRNN' };

/** How an element names a cell ("LSTM units", "GRU units", …). */
export const cellTitle = (cell: CellName): string => CELL_TITLES[cell] ?? cell;
