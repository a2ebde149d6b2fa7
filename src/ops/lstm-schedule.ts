/**
 * How the gpu-tuned LSTM runs its recurrence: one dispatch per timestep (lstm_*_step_wide: each
 * timestep spread over the whole GPU) or one dispatch per layer and direction (lstm_sequence_*: each
 * workgroup owns a block of batch rows for every timestep). The choice is a small table (autoRows),
 * measured on a real GPU by bench/real-gpu.sh (the README's real-GPU section has the run behind it).
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
export function sequenceFits(H: number, rows: SequenceRows, whOffset: number, workgroupStorage: number): boolean {
  return H % 4 === 0 && whOffset % 4 === 0 && H / 4 <= THREADS && rows * H <= FORWARD_HW_FLOATS && rows * 4 * H <= BACKWARD_DG_FLOATS && workgroupStorage >= SEQUENCE_WORKGROUP_BYTES;
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
const AUTO_ROWS: readonly SequenceRows[] = [1, 2];

/**
 * The table 'auto' follows (gpu tuning): rows per workgroup for the whole-sequence kernels, or null for
 * one dispatch per timestep. Measured on an NVIDIA H100 (bench/real-gpu.sh, 2026-11-26, cuDNN-comparable
 * reference model, ms per training step; timestep / whole-sequence with 1, 2, 4 rows per workgroup):
 *
 *   batch 8 / 32 / 128 (H 196, T 28):   1.60 / 1.09 / 1.30 / 1.97,  2.28 / 1.83 / 1.91 / 2.54,  5.11 / 4.66 / 5.19 / 5.18
 *   hidden 64 / 128 / 256 / 512:         1.93 / 1.31,  1.98 / 1.46,  2.20 / 2.01,  3.80 / 4.41 / 4.28 (×4 cannot run)
 *   sequence length 16 / 32 / 64 / 128:  1.66 / 1.35,  2.32 / 1.84,  4.00 / 3.02,  7.28 / 5.22
 *   inference, sequences/s at batch 32:  44 866 / 63 047 / 59 424 / 31 179;  at batch 512: 278 374 / 302 040 / 376 341 / 346 781
 *
 * So: one row per workgroup wherever the batch gives a workgroup to every row's worth of GPU; two from
 * batch 256 on (fewer reads of Wh per row; between 128, where one is better, and 512, where two are);
 * one dispatch per timestep from hidden 384 on (at 512 a batch of 32 keeps only 32 workgroups busy for
 * a recurrence four times as long as at 256, where the whole-sequence kernels still win).
 */
export function autoRows(B: number, H: number): SequenceRows | null {
  if (H >= 384) return null;
  return B >= 256 ? 2 : 1;
}

/**
 * The plan for one layer: null runs one dispatch per timestep. A forced sequence schedule that this
 * layer cannot run is an error, never a quiet switch.
 */
export function planSequence(schedule: LstmSchedule, tuning: 'cpu' | 'gpu', B: number, H: number, whOffset: number, workgroupStorage: number, name: string): SequencePlan | null {
  if (schedule === 'timestep') return null;
  if (schedule === 'auto') {
    if (tuning !== 'gpu') return null;
    const rows = autoRows(B, H);
    return rows !== null && sequenceFits(H, rows, whOffset, workgroupStorage) ? plan(H, rows) : null;
  }
  const rows = schedule.sequenceRows;
  if (tuning !== 'gpu') throw new Error(`${name}: the whole-sequence LSTM kernels are part of the gpu tuning; this engine is ${tuning}-tuned`);
  if (!sequenceFits(H, rows, whOffset, workgroupStorage)) {
    throw new Error(
      `${name}: the whole-sequence LSTM kernels cannot run ${H} units with ${rows} rows per workgroup (they need units divisible by 4, ` +
        `at most ${Math.min(4 * THREADS, FORWARD_HW_FLOATS / rows)} units, and ${SEQUENCE_WORKGROUP_BYTES} bytes of workgroup memory; this device offers ${workgroupStorage})`,
    );
  }
  return plan(H, rows);
}
