/** Every recurrent cell's record (recurrent.ts) by class name: what a wrapper or a tool looks a layer's cell up in. */
import type { RecurrentLayer } from '../specs';
import { GRU_CELL } from './gru';
import { LSTM_CELL } from './lstm';
import type { CellKind } from './recurrent';
import { SIMPLE_RNN_CELL } from './simple-rnn';

const CELLS: { [K in RecurrentLayer['className']]: CellKind<Extract<RecurrentLayer, { className: K }>> } = { LSTM: LSTM_CELL, GRU: GRU_CELL, SimpleRNN: SIMPLE_RNN_CELL };

/** A recurrent layer's cell record (typed loosely: a layer and its record always match). */
export const cellOf = (l: { className: RecurrentLayer['className'] }): CellKind<RecurrentLayer> => CELLS[l.className] as unknown as CellKind<RecurrentLayer>;
