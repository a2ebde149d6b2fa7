/**
 * The LSTM's whole-sequence forward with subgroup sums (lstm_sequence_forward_subgroups) against the
 * float64 reference, and the rules that keep it off devices without the `subgroups` feature.
 *
 * On SwiftShader (subgroups of 4, 256 invocations, 32 KiB) the kernel runs in its 'standard' shape; the
 * 'wide' shape (1,024 invocations, 48 KiB: the H100 and H200) is the same code with other override
 * values and more lanes per quad, measured and checked by bench/real-gpu.sh on such a device.
 * Tolerances as tests/lstm.test.ts: forward 1e-5 relative (+1e-6 absolute), gradients 1e-4 (+1e-5).
 */
import { describe, expect, it } from 'vitest';
import type { GpuContext } from '../src/gpu/device';
import type { LstmSchedule, SequenceRows } from '../src/kernels/variants';
import { createEngine } from '../src/ops/create-engine';
import { opKernels } from '../src/ops/kernels';
import { describePlan, LSTM_SEQUENCE, planLstmSequence, planSequence, type SequenceDevice } from '../src/ops/lstm-schedule';
import { lstmBackwardRef, lstmForwardRef, lstmOutputsRef, type LstmRefParams } from '../src/reference/reference';
import { expectClose, getEngine, getTunedEngine, rng } from './helpers/gpu';
import { lengthMask, randomProblem, runGpuLstm, runGpuLstmInference, type LstmProblem } from './helpers/lstm';

const FWD = [1e-5, 1e-6] as const;
const GRAD = [1e-4, 1e-5] as const;
const subgroups = (rows: SequenceRows): LstmSchedule => ({ sequenceRows: rows, reduction: 'subgroups' });

function reference(p: LstmProblem) {
  const params: LstmRefParams = { wx: p.wx, wh: p.wh, b: p.b, In: p.In, H: p.H };
  const cache = lstmForwardRef(params, p.x, p.B, p.T, p.mask, p.rmask);
  return { ...lstmOutputsRef(cache, p.H), ...lstmBackwardRef(params, cache, p.dSeq, p.dLast) };
}

/** Devices as the kernel lists see them. */
const NO_SUBGROUPS: SequenceDevice = { workgroupStorage: 32768, invocations: 256, subgroupMinSize: 0 };
const SWIFTSHADER: SequenceDevice = { workgroupStorage: 32768, invocations: 256, subgroupMinSize: 4 };
const H200: SequenceDevice = { workgroupStorage: 49152, invocations: 1024, subgroupMinSize: 32 };
const layer = (B: number, H: number, training: boolean) => ({ B, H, whOffset: 0, bOffset: 0, training });

describe('which devices compile the subgroup forward', () => {
  const sg = (d: SequenceDevice, s: LstmSchedule) => opKernels('gpu', s, d).filter((v) => v.shader === 'lstm_sequence_forward_subgroups');

  it('a device without the feature never gets the subgroup module in its kernel list, whatever the schedule', () => {
    for (const s of ['auto', 'timestep', { sequenceRows: 2 }, subgroups(2), subgroups(8)] as LstmSchedule[]) expect(sg(NO_SUBGROUPS, s)).toEqual([]);
    // ...and a schedule that asks for it there is an error at engine creation, not the other kernels.
    const gpu = { device: { features: new Set<string>(), limits: { maxComputeWorkgroupStorageSize: 32768, maxComputeInvocationsPerWorkgroup: 256 } } } as unknown as GpuContext;
    return expect(createEngine({ gpu, tuning: 'gpu', lstmSchedule: subgroups(2) })).rejects.toThrow(/'subgroups' reduction needs the adapter's `subgroups` feature/);
  });

  it('with the feature, only a subgroups schedule compiles it: in the widest shape the limits allow, in place of the workgroup forward', () => {
    expect(sg(SWIFTSHADER, 'auto')).toEqual([]);
    expect(sg(SWIFTSHADER, { sequenceRows: 2 })).toEqual([]);
    const list = opKernels('gpu', subgroups(2), SWIFTSHADER);
    expect(list.filter((v) => v.shader === 'lstm_sequence_forward_subgroups').map((v) => v.overrides)).toEqual([{ ROWS: 2, THREADS: 256, HW_VEC4: 1024 }]);
    expect(list.some((v) => v.shader === 'lstm_sequence_forward')).toBe(false);
    expect(list.filter((v) => v.shader === 'lstm_sequence_backward').map((v) => v.overrides)).toEqual([{ ROWS: 2 }]);
    expect(sg(H200, subgroups(8)).map((v) => [v.overrides, v.workgroupBytes])).toEqual([[{ ROWS: 8, THREADS: 1024, HW_VEC4: 3072 }, 49152]]);
    expect(opKernels('cpu', subgroups(2), SWIFTSHADER).some((v) => v.shader.startsWith('lstm_sequence'))).toBe(false);
  });

  it('plans: lanes per quad within the smallest subgroup; 8 rows for inference only; other cells and tunings refuse it', () => {
    const std = planLstmSequence(subgroups(8), 'gpu', layer(512, 196, false), SWIFTSHADER, 'lstm')!;
    expect(std.subgroups).toMatchObject({ name: 'standard', THREADS: 256, slices: 4 });
    expect(describePlan(std)).toBe('whole sequence, 8 rows per workgroup, subgroup sums (standard: 256 invocations, 16 KiB, 4 lanes per unit quad)');
    expect(planLstmSequence(subgroups(8), 'gpu', layer(512, 196, false), H200, 'lstm')!.subgroups).toMatchObject({ name: 'wide', THREADS: 1024, slices: 16 });
    expect(planLstmSequence(subgroups(8), 'gpu', layer(512, 768, false), H200, 'lstm')!.subgroups).toMatchObject({ name: 'wide', slices: 4 });
    const training = planLstmSequence(subgroups(2), 'gpu', layer(32, 196, true), SWIFTSHADER, 'lstm')!;
    expect(training).toMatchObject({ rows: 2, subgroups: { slices: 4 } });
    expect(training.backwardSlices).toBeGreaterThan(0);
    expect(() => planLstmSequence(subgroups(8), 'gpu', layer(32, 196, true), SWIFTSHADER, 'lstm')).toThrow(/8 rows per workgroup need .* an inference step/);
    expect(() => planLstmSequence(subgroups(8), 'gpu', layer(32, 260, false), SWIFTSHADER, 'lstm')).toThrow(/cannot run 260 units with 8 rows/);
    expect(() => planLstmSequence(subgroups(2), 'gpu', layer(32, 196, false), NO_SUBGROUPS, 'lstm')).toThrow(/`subgroups` feature/);
    expect(() => planLstmSequence(subgroups(2), 'cpu', layer(32, 196, false), SWIFTSHADER, 'lstm')).toThrow(/gpu tuning/);
    expect(() => planSequence(subgroups(2), 'gpu', layer(32, 196, false), 32768, 'gru', { ...LSTM_SEQUENCE, cell: 'GRU' })).toThrow(/LSTM's whole-sequence forward only/);
    expect(() => planSequence({ sequenceRows: 8 }, 'gpu', layer(32, 64, false), 32768, 'lstm')).toThrow(/8 rows per workgroup need the LSTM's 'subgroups' reduction/);
    // 'auto' keeps the measured table (the workgroup kernels) until a device run says otherwise.
    expect(planLstmSequence('auto', 'gpu', layer(512, 196, false), H200, 'lstm')?.subgroups).toBeUndefined();
  });
});

describe('subgroup whole-sequence forward on this device, against float64', () => {
  const cases: Array<{ name: string; d: { B: number; T: number; In: number; H: number }; mask?: Uint8Array; rmaskRate?: number }> = [
    // 49 unit quads × 4 lanes: the last subgroup's quad is alone, and B = 20 leaves a partial block of rows.
    { name: 'H = 196, B = 20, T = 3', d: { B: 20, T: 3, In: 8, H: 196 } },
    // 3 quads: most lanes of a quad find no k quad of their own and add zeros into the shuffles.
    { name: 'H = 12, B = 7, mixed padding, recurrent dropout', d: { B: 7, T: 6, In: 5, H: 12 }, mask: lengthMask([6, 1, 3, 6, 2, 5, 4], 6, 'pre'), rmaskRate: 0.3 },
    { name: 'H = 8, B = 1, post-padded', d: { B: 1, T: 5, In: 3, H: 8 }, mask: lengthMask([3], 5, 'post') },
    { name: 'H = 64, B = 9, padding mid-run and at the end, recurrent dropout', d: { B: 9, T: 6, In: 7, H: 64 }, mask: lengthMask([6, 1, 4, 6, 2, 5, 3, 6, 1], 6, 'pre'), rmaskRate: 0.2 },
  ];

  for (const rows of [2, 8] as const) {
    for (const c of cases) {
      it(`inference: ${c.name} (${rows} rows per workgroup)`, async (ctx) => {
        if (!(await getEngine()).device.features.has('subgroups')) return ctx.skip();
        const engine = await getTunedEngine('gpu', subgroups(rows));
        expect(engine.kernels.has('lstm_sequence_forward_subgroups', { ROWS: rows, THREADS: 256, HW_VEC4: 1024 })).toBe(true);
        const p = randomProblem(rng(`sg-${c.name}`), c.d, { mask: c.mask ?? null, rmaskRate: c.rmaskRate ?? 0, withSeqGrad: true });
        const gpu = await runGpuLstmInference(engine, p);
        const ref = reference(p);
        expectClose(gpu.seq, ref.seq, ...FWD, 'h sequence');
        expectClose(gpu.last, ref.last, ...FWD, 'final h');
      });
    }
  }

  // Training: the subgroup forward stores c and the gates for the usual whole-sequence backward.
  for (const c of [cases[0]!, cases[3]!]) {
    it(`training forward and gradients: ${c.name} (2 rows per workgroup)`, async (ctx) => {
      if (!(await getEngine()).device.features.has('subgroups')) return ctx.skip();
      const engine = await getTunedEngine('gpu', subgroups(2));
      const p = randomProblem(rng(`sg-train-${c.name}`), c.d, { mask: c.mask ?? null, rmaskRate: c.rmaskRate ?? 0, withSeqGrad: true });
      const kernels: string[] = [];
      const gpu = await runGpuLstm(engine, p, { kernels });
      expect(kernels).toContain('lstm_sequence_forward_subgroups');
      expect(kernels).not.toContain('lstm_sequence_forward');
      expect(kernels).toContain('lstm_sequence_backward');
      const ref = reference(p);
      expectClose(gpu.seq!, ref.seq, ...FWD, 'h sequence');
      expectClose(gpu.last, ref.last, ...FWD, 'final h');
      expectClose(gpu.dWx, ref.dWx, ...GRAD, 'dWx');
      expectClose(gpu.dWh, ref.dWh, ...GRAD, 'dWh');
      expectClose(gpu.db, ref.db, ...GRAD, 'db');
      expectClose(gpu.dX, ref.dX, ...GRAD, 'dX');
    });
  }
});
