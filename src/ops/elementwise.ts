/**
 * Small tape ops: add, bias add, scaled accumulate, dropout (its mask drawn in the kernel, or given), time
 * reversal and feature concatenation. Each is one forward dispatch and a backward of one or two.
 */
import { grid1d, rowsGrid, type Step } from '../engine/step';
import { Tensor, type Slice } from '../engine/tensor';
import { kernel, type TunedVariant } from '../kernels/variants';
import { checkRate, drawParams, isDraw, type DropoutMask } from './dropout-key';

export type { DropoutDraw, DropoutKey, DropoutMask } from './dropout-key';

/** The kernels of this file's ops, by op (the op table in kernels.ts lists them per direction). */
export const ELEMENTWISE_KERNELS = {
  addScaled: [kernel('add_scaled')],
  add: [kernel('add')],
  addBias: [kernel('add_bias')],
  columnSum: [kernel('column_sum', 'cpu'), kernel('column_sum_wide', 'gpu')],
  copyStrided: [kernel('copy_strided')],
  dropout: [kernel('dropout'), kernel('dropout_draw')],
  dropoutMask: [kernel('dropout_mask')],
  maskRows: [kernel('mask_rows')],
  reverseTime: [kernel('reverse_time')],
} satisfies Record<string, readonly TunedVariant[]>;

/** Y[i] += alpha·X[i] (no tape entry: the building block of backward closures). */
export function addScaledInto(step: Step, x: Slice, y: Slice, alpha = 1): void {
  if (x.length !== y.length) throw new Error(`addScaledInto: ${x.length} vs ${y.length} elements`);
  step.dispatch('add_scaled', {
    buffers: { X: x, Y: y },
    params: { n: x.length, offX: x.offset, offY: y.offset, alpha },
    workgroups: grid1d(x.length),
  });
}

/** Y = A + B; dA += dY, dB += dY (an input used twice receives both). */
export function add(step: Step, a: Tensor, b: Tensor, name = 'add'): Tensor {
  if (a.size !== b.size) throw new Error(`add: "${a.name}" has ${a.size} elements, "${b.name}" ${b.size}`);
  const out = step.output(a.shape, name, a.requiresGrad || b.requiresGrad);
  step.dispatch('add', {
    buffers: { A: a.data, B: b.data, Y: out.data },
    params: { n: a.size, offA: a.data.offset, offB: b.data.offset, offY: out.data.offset },
    workgroups: grid1d(a.size),
  });
  step.tape.record(name, () => {
    if (a.grad) addScaledInto(step, out.grad!, a.grad);
    if (b.grad) addScaledInto(step, out.grad!, b.grad);
  });
  return out;
}

/** Y[r, c] += bias[c] in place on a slice (no tape entry). */
export function addBiasInto(step: Step, y: Slice, bias: Slice, rows: number, cols: number): void {
  if (bias.length !== cols || y.length < rows * cols) throw new Error(`addBiasInto: bias ${bias.length} / output ${y.length} do not fit ${rows}×${cols}`);
  step.dispatch('add_bias', {
    buffers: { Y: y, bias },
    params: { rows, cols, offY: y.offset, offBias: bias.offset },
    workgroups: rowsGrid(cols, rows),
  });
}

/** out[c] += Σ_r X[r, c] (no tape entry). */
export function columnSumInto(step: Step, x: Slice, out: Slice, rows: number, cols: number): void {
  if (out.length !== cols || x.length < rows * cols) throw new Error(`columnSumInto: ${x.length} / ${out.length} do not fit ${rows}×${cols}`);
  // 'gpu' tuning: rows split across a workgroup; 'cpu': one serial sum per column (see the shaders).
  const wide = step.engine.tuning === 'gpu';
  step.dispatch(wide ? 'column_sum_wide' : 'column_sum', {
    buffers: { X: x, outSum: out },
    params: { rows, cols, offX: x.offset, offOut: out.offset },
    workgroups: [Math.ceil(cols / (wide ? 16 : 64)), 1, 1],
  });
}

/** Strided copy of a rows×cols window (no tape entry). */
export function copyStrided(
  step: Step,
  x: Slice,
  y: Slice,
  w: { rows: number; cols: number; ldX: number; ldY: number; offX?: number; offY?: number; accumulate?: boolean },
): void {
  step.dispatch('copy_strided', {
    buffers: { X: x, Y: y },
    params: {
      rows: w.rows, cols: w.cols, ldX: w.ldX, ldY: w.ldY,
      offX: x.offset + (w.offX ?? 0), offY: y.offset + (w.offY ?? 0),
      accumulate: w.accumulate ? 1 : 0,
    },
    workgroups: grid1d(w.rows * w.cols),
  });
}

/** Y = X + bias (bias broadcast over rows); dX += dY, db += Σ_rows dY. */
export function addBias(step: Step, x: Tensor, bias: Tensor, name = 'add_bias'): Tensor {
  const cols = bias.size;
  const rows = x.size / cols;
  if (!Number.isInteger(rows) || x.shape[x.shape.length - 1] !== cols) throw new Error(`addBias: "${x.name}" last dimension is not ${cols}`);
  const out = step.output(x.shape, name, x.requiresGrad || bias.requiresGrad);
  copyStrided(step, x.data, out.data, { rows, cols, ldX: cols, ldY: cols });
  addBiasInto(step, out.data, bias.data, rows, cols);
  step.tape.record(name, () => {
    if (x.grad) addScaledInto(step, out.grad!, x.grad);
    if (bias.grad) columnSumInto(step, out.grad!, bias.grad, rows, cols);
  });
  return out;
}

/**
 * A dropout mask of `count` elements as a slice the step's kernels read (the recurrent cells' recurrent
 * mask): a draw is filled on the GPU (dropout_mask.wgsl: the elements dropout_draw.wgsl would draw for
 * it), an explicit mask uploaded. No tape entry: the mask is a constant of the step.
 */
export function dropoutMaskSlice(step: Step, mask: DropoutMask, count: number, name = 'dropout mask'): Slice {
  if (!isDraw(mask)) {
    if (mask.length !== count) throw new Error(`${name}: ${mask.length} entries, expected ${count}`);
    return step.upload(mask, name);
  }
  const m = step.scratch(count, name);
  step.dispatch('dropout_mask', { buffers: { M: m }, params: { n: count, offM: m.offset, ...drawParams(mask) }, workgroups: grid1d(count) });
  return m;
}

/**
 * Y[r, c] = X[r, c]·mask[r mod maskRows, c]. With a time-major [T, B, F] tensor and maskRows = B this is
 * SpatialDropout1D / variational dropout: one mask per (sequence, feature), shared by every timestep.
 * Backward: dX += dY ⊙ mask (the same map, accumulating). A draw of a mask per element is computed in the
 * kernel, forward and backward alike (dropout_draw.wgsl); a draw shared across timesteps is filled once on
 * the GPU (dropout_mask.wgsl) and read (dropout.wgsl): nothing drawn on the host, nothing uploaded. An
 * explicit Float32Array (pre-scaled: 0 or 1/(1 − rate)) is uploaded and read (dropout.wgsl).
 */
export function dropout(step: Step, x: Tensor, mask: DropoutMask, maskRows: number, name = 'dropout'): Tensor {
  const cols = x.shape[x.shape.length - 1]!;
  const rows = x.size / cols;
  if (!(Number.isInteger(maskRows) && maskRows > 0 && rows % maskRows === 0) || (!isDraw(mask) && mask.length !== maskRows * cols)) {
    const what = isDraw(mask) ? 'a drawn mask' : `a mask of ${mask.length}`;
    throw new Error(`dropout: ${what} does not tile "${x.name}" [${x.shape.join(', ')}] with ${maskRows} mask rows`);
  }
  const out = step.output(x.shape, name, x.requiresGrad);
  let apply: (src: Slice, dst: Slice, accumulate: boolean) => void;
  if (isDraw(mask)) checkRate(mask.rate);
  if (isDraw(mask) && maskRows === rows) {
    // A mask value per element: drawn where it is applied (no buffer, nothing kept for the backward).
    const key = drawParams(mask);
    apply = (src, dst, accumulate) =>
      step.dispatch('dropout_draw', {
        buffers: { X: src, Y: dst },
        params: { rows, cols, offX: src.offset, offY: dst.offset, accumulate: accumulate ? 1 : 0, ...key },
        workgroups: grid1d(rows * cols),
      });
  } else {
    // An explicit mask is uploaded; a draw shared by every timestep (SpatialDropout1D, variational input
    // dropout: maskRows·cols values reused rows/maskRows times) is filled once on the GPU (dropout_mask.wgsl,
    // the same values dropout_draw.wgsl would draw) rather than drawn again at every element, both ways.
    const maskSlice = dropoutMaskSlice(step, mask, maskRows * cols, `${name} mask`);
    apply = (src, dst, accumulate) =>
      step.dispatch('dropout', {
        buffers: { X: src, mask: maskSlice, Y: dst },
        params: { rows, cols, maskRows, offX: src.offset, offY: dst.offset, accumulate: accumulate ? 1 : 0 },
        workgroups: grid1d(rows * cols),
      });
  }
  apply(x.data, out.data, false);
  step.tape.record(name, () => {
    if (x.grad) apply(out.grad!, x.grad, true);
  });
  return out;
}

/** Keras go_backwards on a time-major [T, …] tensor: Y[T−1−t] = X[t]; the backward is the same reversal. */
export function reverseTime(step: Step, x: Tensor, name = 'reverse_time'): Tensor {
  const T = x.shape[0]!;
  const rowLen = x.size / T;
  const out = step.output(x.shape, name, x.requiresGrad);
  const apply = (src: Slice, dst: Slice, accumulate: boolean) =>
    step.dispatch('reverse_time', {
      buffers: { X: src, Y: dst },
      params: { T, rowLen, offX: src.offset, offY: dst.offset, accumulate: accumulate ? 1 : 0 },
      workgroups: grid1d(T * rowLen),
    });
  apply(x.data, out.data, false);
  step.tape.record(name, () => {
    if (x.grad) apply(out.grad!, x.grad, true);
  });
  return out;
}

/** Zero the rows of a time-major [T, B, F] tensor where `mask` ([T·B] real-token flags) is 0; backward the same. */
export function maskRows(step: Step, x: Tensor, mask: Uint32Array, name = 'mask_rows'): Tensor {
  const cols = x.shape[x.shape.length - 1]!;
  const rows = x.size / cols;
  if (mask.length !== rows) throw new Error(`maskRows: a mask of ${mask.length} for the ${rows} rows of "${x.name}"`);
  const m = step.upload(mask, `${name} mask`);
  const out = step.output(x.shape, name, x.requiresGrad);
  const apply = (src: Slice, dst: Slice, accumulate: boolean) =>
    step.dispatch('mask_rows', { buffers: { X: src, mask: m, Y: dst }, params: { rows, cols, offX: src.offset, offY: dst.offset, accumulate: accumulate ? 1 : 0 }, workgroups: grid1d(rows * cols) });
  apply(x.data, out.data, false);
  step.tape.record(name, () => {
    if (x.grad) apply(out.grad!, x.grad, true);
  });
  return out;
}

/** Concatenate along the last dimension: [R, F1] ‖ [R, F2] → [R, F1 + F2]; backward splits dY. */
export function concatFeatures(step: Step, a: Tensor, b: Tensor, name = 'concat'): Tensor {
  const fa = a.shape[a.shape.length - 1]!;
  const fb = b.shape[b.shape.length - 1]!;
  const rows = a.size / fa;
  if (b.size / fb !== rows) throw new Error(`concat: "${a.name}" and "${b.name}" have different row counts`);
  const f = fa + fb;
  const out = step.output([...a.shape.slice(0, -1), f], name, a.requiresGrad || b.requiresGrad);
  copyStrided(step, a.data, out.data, { rows, cols: fa, ldX: fa, ldY: f });
  copyStrided(step, b.data, out.data, { rows, cols: fb, ldX: fb, ldY: f, offY: fa });
  step.tape.record(name, () => {
    if (a.grad) copyStrided(step, out.grad!, a.grad, { rows, cols: fa, ldX: f, ldY: fa, accumulate: true });
    if (b.grad) copyStrided(step, out.grad!, b.grad, { rows, cols: fb, ldX: f, ldY: fb, offX: fa, accumulate: true });
  });
  return out;
}

/**
 * Start backpropagation at `t` with a given gradient: records dL/dt += dOut, i.e. the gradient of the
 * scalar L = Σ dOut ⊙ t. Recorded last, it is replayed first, after the step has zeroed the gradients.
 * Used by gradient tests and by input saliency.
 */
export function backpropFrom(step: Step, t: Tensor, dOut: Float32Array): void {
  if (dOut.length !== t.size) throw new Error(`backpropFrom: ${dOut.length} values for "${t.name}" of ${t.size}`);
  if (!t.grad) throw new Error(`backpropFrom: "${t.name}" has no gradient (is the step recording, and does it depend on a parameter?)`);
  const seed = step.upload(dOut, `d${t.name} seed`);
  step.tape.record(`seed d${t.name}`, () => addScaledInto(step, seed, t.grad!));
}
