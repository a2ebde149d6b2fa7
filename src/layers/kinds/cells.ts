/** Every recurrent cell's record (recurrent.ts) by class name: what a wrapper or a tool looks a layer's cell up in. */
import { RECURRENT_CLASSES, type Layer, type RecurrentLayer } from '../specs';
import { GRU_CELL } from './gru';
import { LSTM_CELL } from './lstm';
import type { CellKind } from './recurrent';
import { SIMPLE_RNN_CELL } from './simple-rnn';

const CELLS: { [K in RecurrentLayer['className']]: CellKind<Extract<RecurrentLayer, { className: K }>> } = { LSTM: LSTM_CELL, GRU: GRU_CELL, SimpleRNN: SIMPLE_RNN_CELL };

/** A recurrent layer's cell record (typed loosely: a layer and its record always match). */
export const cellOf = (l: { className: RecurrentLayer['className'] }): CellKind<RecurrentLayer> => CELLS[l.className] as unknown as CellKind<RecurrentLayer>;

/** The layer is a plain recurrent layer (LSTM, GRU, SimpleRNN). */
export const isRecurrentLayer = (l: { className: string }): l is RecurrentLayer => (RECURRENT_CLASSES as readonly string[]).includes(l.className);

/** The recurrent layer a layer runs: itself, or the one a Bidirectional wraps; null for any other kind. */
export const recurrentOf = (l: Layer): RecurrentLayer | null => (l.className === 'Bidirectional' ? l.layer : isRecurrentLayer(l) ? l : null);
