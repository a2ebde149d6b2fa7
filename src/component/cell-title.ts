/** How the elements name a cell (LSTM, GRU, SimpleRNN): no DOM, so a Worker's controller can use it too. */
import { CELL_TITLES, type CellName } from '../layers/specs';

export { CELL_TITLES };

/** How an element names a cell ("LSTM units", "GRU units", …). */
export const cellTitle = (cell: CellName): string => CELL_TITLES[cell] ?? cell;
