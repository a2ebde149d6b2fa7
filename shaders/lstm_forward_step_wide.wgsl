// One LSTM timestep, fused, shaped for hardware GPUs: the same computation as lstm_forward_step.wgsl
// (read that file's header for the math, gate order i, f, c, o, storage layout and masking), spread
// over many more, lighter invocations. At the sizes this engine trains (B = 32, H = 196) the register-
// tiled kernels run a few hundred invocations, each with a long serial k loop: fine on a CPU adapter,
// but on a GPU that leaves most cores idle and makes every timestep as slow as one thread's loop.
//
// A workgroup owns 8 units × 4 gates (32 gate columns) of 4 batch rows and splits the k sum 8 ways:
// invocation (x = gate column, y = k slice) accumulates the 4 rows of its column over k = y, y + 8, …
// Partial sums meet in workgroup memory; then 32 invocations, one per (row, unit), add them up, apply
// the activations and update the cell. Adjacent invocations read adjacent Wh columns (coalesced) and
// the same h_{t−1} value (a broadcast).
//
// Dispatch: (ceil(H / 8), ceil(B / 4), 1), once per timestep that is not all padding.

override USE_RECURRENT_MASK: bool = false;

#include "lstm_wh"
#include "lstm_step_forward_wide"
