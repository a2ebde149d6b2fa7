/**
 * The LSTM weight layout, written down once.
 *
 * Gate order is Keras's: i (input), f (forget), c (cell candidate, "g"), o (output). Weights are packed
 * along columns: Wx [in, 4H], Wh [H, 4H], b [4H], gate k of unit j at column k·H + j — exactly the
 * Keras/TF.js `kernel`, `recurrent_kernel`, `bias` of an LSTM cell, so export is a plain copy.
 * shaders/lib/lstm_gates.wgsl declares GATE_I … GATE_O with these values for every LSTM step kernel
 * (lstm_{forward,backward}_step, _vec4 and _wide all include it), the float64 reference uses GATE, the
 * model file records GATE_ORDER, and a test checks that all of them agree.
 */
export const GATE_ORDER = ['i', 'f', 'c', 'o'] as const;
export type Gate = (typeof GATE_ORDER)[number];
export const GATE: Readonly<Record<Gate, number>> = { i: 0, f: 1, c: 2, o: 3 };

/** Column of gate `g` for unit `j` in a packed [*, 4H] matrix. */
export function gateColumn(g: Gate, j: number, H: number): number {
  return GATE[g] * H + j;
}
