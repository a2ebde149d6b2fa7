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

/** What the whole-sequence kernels need to know of a device: its workgroup limits and its subgroups. */
export interface SequenceDevice {
  workgroupStorage: number;
  invocations: number;
  /** The adapter's smallest subgroup where the device has the `subgroups` feature; 0 where it has not. */
  subgroupMinSize: number;
}

/** A device's limits never change: read once per device (each read of `device.limits` is a binding call, and an LSTM op asks at every step). */
const sequenceDevices = new WeakMap<GPUDevice, SequenceDevice>();

export function sequenceDevice(device: GPUDevice): SequenceDevice {
  let d = sequenceDevices.get(device);
  if (!d) sequenceDevices.set(device, (d = readSequenceDevice(device)));
  return d;
}

function readSequenceDevice(device: GPUDevice): SequenceDevice {
  const info = (device as GPUDevice & { adapterInfo?: { subgroupMinSize?: number } }).adapterInfo;
  return {
    workgroupStorage: device.limits.maxComputeWorkgroupStorageSize,
    invocations: device.limits.maxComputeInvocationsPerWorkgroup,
    // WebGPU's subgroups are never smaller than 4 invocations (a browser may not report the size).
    subgroupMinSize: device.features.has('subgroups') ? Math.max(4, info?.subgroupMinSize ?? 4) : 0,
  };
}

/**
 * The workgroup shapes of the subgroup forward (lstm_sequence_forward_subgroups: THREADS invocations,
 * HW_VEC4 vec4s of workgroup memory, both override constants). 'standard' fits every device with the
 * feature (WebGPU's default limits, 256 invocations and 16 KiB); 'wide' is for adapters that offer 1,024
 * invocations and 48 KiB (the H100 and H200 do): 4× the lanes per unit quad and up to 8 rows at 768 units.
 */
export interface SubgroupShape {
  name: 'standard' | 'wide';
  THREADS: number;
  HW_VEC4: number;
}
export const SUBGROUP_SHAPES: readonly SubgroupShape[] = [
  { name: 'standard', THREADS: 256, HW_VEC4: 1024 },
  { name: 'wide', THREADS: 1024, HW_VEC4: 3072 },
];
const SUBGROUP_ROWS: readonly SequenceRows[] = [1, 2, 4, 8];

/** The widest subgroup shape this device's limits allow, or null without the `subgroups` feature. */
export function subgroupShape(d: SequenceDevice): SubgroupShape | null {
  if (d.subgroupMinSize === 0) return null;
  const fit = SUBGROUP_SHAPES.filter((s) => s.THREADS <= d.invocations && 16 * s.HW_VEC4 <= d.workgroupStorage);
  return fit.at(-1) ?? null;
}

/** The subgroup forward's variant for these rows and shape (declared `only: 'gpu'`, needing the feature). */
function subgroupKernel(ROWS: SequenceRows, shape: SubgroupShape): TunedVariant {
  return { ...kernel('lstm_sequence_forward_subgroups', 'gpu', { ROWS, THREADS: shape.THREADS, HW_VEC4: shape.HW_VEC4 }), workgroupBytes: 16 * shape.HW_VEC4, feature: 'subgroups' };
}

/** Every variant of the subgroup forward (each shape, each rows choice): an engine keeps what its schedule and device allow. */
export function subgroupSequenceKernels(): TunedVariant[] {
  return SUBGROUP_SHAPES.flatMap((shape) => SUBGROUP_ROWS.map((rows) => subgroupKernel(rows, shape)));
}

/**
 * The whole-sequence forwards that read Wh as float16 or bfloat16 (the shader suffix; prediction with
 * weightPrecision 'float16' or 'bfloat16'): the
 * workgroup-reduction one for these rows choices and the subgroup one in every shape, as the f32 forwards.
 */
export function halfSequenceKernels(rows: readonly SequenceRows[], suffix: '_f16' | '_bf16'): TunedVariant[] {
  return [
    ...rows.map((ROWS) => sized(kernel(`lstm_sequence_forward${suffix}`, 'gpu', { ROWS }))),
    ...subgroupSequenceKernels().map((v) => ({ ...v, shader: `lstm_sequence_forward_subgroups${suffix}` as const })),
  ];
}

/**
 * Whether an engine of this tuning and schedule, on this device, compiles variant `v`: whole-sequence
 * variants (a ROWS override) only for the rows its schedule may dispatch; the subgroup forward only with
 * the 'subgroups' reduction, in the device's shape (never on a device without the feature: a module with
 * `enable subgroups;` does not even compile there), and then in place of the workgroup-reduction forward.
 * A 'subgroups' schedule on a device without the feature is an error, not a switch to the other kernels.
 */
export function scheduledVariant(v: TunedVariant, tuning: 'cpu' | 'gpu', schedule: LstmSchedule, device: SequenceDevice | undefined): boolean {
  if (v.overrides?.ROWS === undefined) return true;
  if (!(scheduledRows(schedule, tuning) as number[]).includes(Number(v.overrides.ROWS))) return false;
  const subgroups = typeof schedule === 'object' && schedule.reduction === 'subgroups';
  // The f32 forwards and their float16 and bfloat16 forms alike.
  if (v.shader.startsWith('lstm_sequence_forward_subgroups')) {
    const shape = subgroups && device ? subgroupShape(device) : null;
    return shape !== null && v.overrides.THREADS === shape.THREADS && v.overrides.HW_VEC4 === shape.HW_VEC4;
  }
  return !(subgroups && v.shader.startsWith('lstm_sequence_forward'));
}

/** Throws when this schedule cannot run on this device at all (a 'subgroups' reduction without the feature). */
export function checkSchedule(schedule: LstmSchedule, device: SequenceDevice): void {
  if (typeof schedule === 'object' && schedule.reduction === 'subgroups' && !subgroupShape(device)) {
    throw new Error("lstmSchedule: the 'subgroups' reduction needs the adapter's `subgroups` feature, which this device does not offer (use the default 'workgroup' reduction)");
  }
}

export interface SequencePlan {
  rows: SequenceRows;
  /** Ways each kernel splits its dot products (as many as its invocations and workgroup memory allow). */
  forwardSlices: number;
  backwardSlices: number;
  /** The forward runs lstm_sequence_forward_subgroups in this shape, with `slices` lanes per unit quad. */
  subgroups?: SubgroupShape & { slices: number };
}

/** Whether the whole-sequence kernels can run this layer with `rows` rows per workgroup. */
export function sequenceFits(H: number, rows: SequenceRows, offsets: number, workgroupStorage: number): boolean {
  return rows <= 4 && H % 4 === 0 && offsets % 4 === 0 && H / 4 <= THREADS && rows * H <= FORWARD_HW_FLOATS && rows * 4 * H <= BACKWARD_DG_FLOATS && workgroupStorage >= SEQUENCE_WORKGROUP_BYTES;
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
  if (rows > 4) throw new Error(`${name}: ${rows} rows per workgroup need the LSTM's 'subgroups' reduction and an inference step (the other whole-sequence kernels hold at most 4 rows)`);
  if (schedule.reduction === 'subgroups') throw new Error(`${name}: the 'subgroups' reduction exists for the LSTM's whole-sequence forward only, not for the ${kernels.cell} kernels`);
  if (!kernels.fits(l.H, rows, offsets, workgroupStorage)) {
    throw new Error(`${name}: the whole-sequence ${kernels.cell} kernels cannot run ${l.H} units with ${rows} rows per workgroup (they need ${kernels.needs(rows)}; this device offers ${workgroupStorage})`);
  }
  return kernels.plan(l.H, rows);
}

/** Lanes per unit quad of the subgroup forward: a power of two within the smallest subgroup and the workgroup. */
function subgroupSlices(H: number, shape: SubgroupShape, d: SequenceDevice): number {
  const most = Math.min(d.subgroupMinSize, Math.floor(shape.THREADS / (H / 4)));
  return 2 ** Math.floor(Math.log2(Math.max(1, most)));
}

/**
 * planSequence for the LSTM, which also has the subgroup forward: a schedule with the 'subgroups' reduction
 * runs lstm_sequence_forward_subgroups in the device's widest shape (and, when training, the usual
 * whole-sequence backward, which holds at most 4 rows). Whatever cannot run is an error naming what it needs.
 */
export function planLstmSequence(schedule: LstmSchedule, tuning: 'cpu' | 'gpu', l: LayerShape, d: SequenceDevice, name: string): SequencePlan | null {
  if (typeof schedule !== 'object' || schedule.reduction !== 'subgroups') return planSequence(schedule, tuning, l, d.workgroupStorage, name);
  if (tuning !== 'gpu') throw new Error(`${name}: the whole-sequence LSTM kernels are part of the gpu tuning; this engine is ${tuning}-tuned`);
  checkSchedule(schedule, d);
  const shape = subgroupShape(d)!;
  const rows = schedule.sequenceRows;
  const Q = l.H / 4;
  if (l.H % 4 !== 0 || (l.whOffset | l.bOffset) % 4 !== 0 || Q > shape.THREADS || 2 * rows * Q > shape.HW_VEC4) {
    throw new Error(`${name}: the subgroup whole-sequence LSTM forward (${shape.name} shape) cannot run ${l.H} units with ${rows} rows per workgroup (it needs units divisible by 4 and at most ${Math.min(4 * shape.THREADS, (2 * shape.HW_VEC4) / rows)} units)`);
  }
  const backward = l.training ? planSequence({ sequenceRows: rows }, tuning, l, d.workgroupStorage, `${name} (training: the whole-sequence backward)`) : null;
  return { ...(backward ?? { rows, forwardSlices: 0, backwardSlices: 0 }), subgroups: { ...shape, slices: subgroupSlices(l.H, shape, d) } };
}

/** The kernels a plan runs, in words: what benchmarks and engine descriptions print. */
export function describePlan(seq: SequencePlan | null): string {
  if (!seq) return 'one dispatch per timestep';
  const sg = seq.subgroups;
  return `whole sequence, ${seq.rows} row${seq.rows > 1 ? 's' : ''} per workgroup, ` +
    (sg ? `subgroup sums (${sg.name}: ${sg.THREADS} invocations, ${16 * sg.HW_VEC4 / 1024} KiB, ${sg.slices} lanes per unit quad)` : 'workgroup-memory sums');
}
