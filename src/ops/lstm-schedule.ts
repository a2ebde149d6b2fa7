/**
 * How the gpu-tuned LSTM runs its recurrence: one dispatch per timestep (lstm_*_step_wide: each
 * timestep spread over the whole GPU) or one dispatch per layer and direction (lstm_sequence_*: each
 * workgroup owns a block of batch rows for every timestep). The choice is a small table (autoRows),
 * measured on a real GPU by bench/real-gpu.sh (bench/RESULTS.md, "On a real GPU", has the run behind it).
 */
import { kernel, type LstmSchedule, type SequenceRows, type TunedVariant } from '../kernels/variants';

/** Workgroup memory the whole-sequence kernels declare (at most 32 KiB): devices offering less never compile them. */
export const SEQUENCE_WORKGROUP_BYTES = 32 * 1024;
const THREADS = 256;
/** Capacities of the kernels' workgroup arrays (see their headers). */
const FORWARD_HW_FLOATS = 1024; // 256 vec4s
const FORWARD_PART_VEC4 = 1792;
const BACKWARD_DG_FLOATS = 4096; // 1024 vec4s
const BACKWARD_PART_VEC4 = 768;

const sized = (v: TunedVariant): TunedVariant => ({ ...v, workgroupBytes: SEQUENCE_WORKGROUP_BYTES });

/** The whole-sequence variants for these rows-per-workgroup choices (one pipeline per choice and direction). */
export function sequenceKernels(rows: readonly SequenceRows[]): { forward: TunedVariant[]; backward: TunedVariant[] } {
  return {
    forward: rows.map((ROWS) => sized(kernel('lstm_sequence_forward', 'gpu', { ROWS }))),
    backward: [kernel('transpose', 'gpu'), ...rows.map((ROWS) => sized(kernel('lstm_sequence_backward', 'gpu', { ROWS })))],
  };
}

/**
 * The rows-per-workgroup choices an engine with this schedule may dispatch, so that it compiles only
 * those (each whole-sequence pipeline takes seconds to compile on a software adapter).
 */
export function scheduledRows(schedule: LstmSchedule, tuning: 'cpu' | 'gpu'): SequenceRows[] {
  if (tuning !== 'gpu' || schedule === 'timestep') return [];
  return schedule === 'auto' ? [...AUTO_ROWS] : [schedule.sequenceRows];
}

export interface SequencePlan {
  rows: SequenceRows;
  /** Ways each kernel splits its dot products (as many as its invocations and workgroup memory allow). */
  forwardSlices: number;
  backwardSlices: number;
}

/** Whether the whole-sequence kernels can run this layer with `rows` rows per workgroup. */
export function sequenceFits(H: number, rows: SequenceRows, offsets: number, workgroupStorage: number): boolean {
  return H % 4 === 0 && offsets % 4 === 0 && H / 4 <= THREADS && rows * H <= FORWARD_HW_FLOATS && rows * 4 * H <= BACKWARD_DG_FLOATS && workgroupStorage >= SEQUENCE_WORKGROUP_BYTES;
}

function plan(H: number, rows: SequenceRows): SequencePlan {
  const Q = H / 4;
  return {
    rows,
    // The forward splits the H/4 quads of k, the backward the H quads of n (4H columns).
    forwardSlices: Math.max(1, Math.min(Math.floor(THREADS / Q), Math.floor(FORWARD_PART_VEC4 / (rows * H)), Q)),
    backwardSlices: Math.max(1, Math.min(Math.floor(THREADS / Q), Math.floor(BACKWARD_PART_VEC4 / (rows * Q)), H)),
  };
}

/** Every rows choice autoRows can return. */
const AUTO_ROWS: readonly SequenceRows[] = [1, 2, 4];

/**
 * The table 'auto' follows (gpu tuning): rows per workgroup for the whole-sequence kernels, or null for
 * one dispatch per timestep. Measured on an NVIDIA H100 (bench/real-gpu.sh, 2026-11-26, cuDNN-comparable
 * reference model; bench/RESULTS.md, "On a real GPU", has the whole run). Training, ms per step, timestep /
 * whole-sequence with 1, 2, 4 rows per workgroup (two runs):
 *
 *   batch 8:                1.60 / 1.09 / 1.30 / 1.97     2.30 / 1.07 / 1.26 / 1.83
 *   batch 32 (H 196, T 28): 2.24 / 1.76 / 1.89 / 2.63     2.26 / 1.72 / 1.89 / 2.33
 *   batch 128:              5.11 / 4.66 / 5.19 / 5.18     5.09 / 4.50 / 4.33 / 4.77
 *   hidden 256:             2.20 / 2.01 / 2.15 / 2.91     3.13 / 2.57 / 2.62 / 3.46
 *   hidden 512:             3.80 / 4.41 / 4.28 / —        3.85 / 4.56 / 4.17 / —
 *   sequence length 128:    7.28 / 5.22 / 5.81 / 8.91     7.32 / 5.20 / 5.52 / 7.58
 *
 * Inference, sequences/s at batch 32 / 512: 44 866 / 278 374, 63 047 / 302 040, 59 424 / 376 341,
 * 31 179 / 346 781 (first run); 33 856 / 241 584, 66 798 / 316 392, 50 886 / 328 407, 43 143 / 436 740.
 *
 * So: one row per workgroup up to a batch of about 100 (every row its own workgroup still leaves SMs
 * free, and more rows per workgroup only lengthen its serial loop); from batch 128, where the workgroups
 * fill the GPU and all read Wh from L2 at every timestep, two rows for training and, from 256, four for
 * inference (nothing stored, so reads of Wh are all that is left to save); one dispatch per timestep
 * from hidden 384 on (at 512 a batch of 32 keeps only 32 workgroups busy for a recurrence four times as
 * long as at 256, where the whole-sequence kernels still win). A later run on an H200 with this table
 * (bench/RESULTS.md, "On a real GPU") agrees, within run-to-run noise of about ±20%.
 */
export function autoRows(B: number, H: number, training: boolean): SequenceRows | null {
  if (H >= 384) return null;
  if (training) return B >= 128 ? 2 : 1;
  return B >= 256 ? 4 : 1;
}

/** One layer as planSequence sees it. */
export interface LayerShape {
  B: number;
  H: number;
  whOffset: number;
  bOffset: number;
  /** Training (gates stored for the backward pass) or inference. */
  training: boolean;
}

/**
 * A cell's whole-sequence kernels as planSequence needs them: whether they can run a layer (H, rows per
 * workgroup, the weights' offsets OR-ed together, the device's workgroup storage), their plan for it, and
 * what they need, in words, for the error when a forced schedule cannot run.
 */
export interface SequenceKernelShape {
  cell: string;
  fits(H: number, rows: SequenceRows, offsets: number, workgroupStorage: number): boolean;
  plan(H: number, rows: SequenceRows): SequencePlan;
  needs(rows: SequenceRows): string;
}

/** The LSTM's whole-sequence kernels (lstm_sequence_forward / lstm_sequence_backward). */
export const LSTM_SEQUENCE: SequenceKernelShape = {
  cell: 'LSTM',
  fits: sequenceFits,
  plan,
  needs: (rows) => `units divisible by 4, at most ${Math.min(4 * THREADS, FORWARD_HW_FLOATS / rows)} units, and ${SEQUENCE_WORKGROUP_BYTES} bytes of workgroup memory`,
};

/**
 * The plan for one layer: null runs one dispatch per timestep. The schedule ('auto' follows autoRows,
 * measured for the LSTM and applied to every cell) is the engine's `lstmSchedule`. A forced sequence
 * schedule that this layer cannot run is an error, never a quiet switch.
 */
export function planSequence(schedule: LstmSchedule, tuning: 'cpu' | 'gpu', l: LayerShape, workgroupStorage: number, name: string, kernels: SequenceKernelShape = LSTM_SEQUENCE): SequencePlan | null {
  if (schedule === 'timestep') return null;
  const offsets = l.whOffset | l.bOffset;
  if (schedule === 'auto') {
    if (tuning !== 'gpu') return null;
    const rows = autoRows(l.B, l.H, l.training);
    return rows !== null && kernels.fits(l.H, rows, offsets, workgroupStorage) ? kernels.plan(l.H, rows) : null;
  }
  const rows = schedule.sequenceRows;
  if (tuning !== 'gpu') throw new Error(`${name}: the whole-sequence ${kernels.cell} kernels are part of the gpu tuning; this engine is ${tuning}-tuned`);
  if (!kernels.fits(l.H, rows, offsets, workgroupStorage)) {
    throw new Error(`${name}: the whole-sequence ${kernels.cell} kernels cannot run ${l.H} units with ${rows} rows per workgroup (they need ${kernels.needs(rows)}; this device offers ${workgroupStorage})`);
  }
  return kernels.plan(l.H, rows);
}
