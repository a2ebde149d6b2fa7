/**
 * Matrix multiply: the low-level `gemm` encoder (used directly by the LSTM for its hoisted projections
 * and weight gradients) and the tape op `matmul` (C = op(A)·op(B)) with its backward.
 */
import { grid1d, type Step } from '../engine/step';
import { Tensor, type Slice } from '../engine/tensor';
import { BOOLS, kernel, type TunedVariant } from '../kernels/variants';

export interface GemmArgs {
  a: Slice;
  b: Slice;
  c: Slice;
  M: number;
  N: number;
  K: number;
  transA?: boolean;
  transB?: boolean;
  /** Row strides; default to the packed value for the (transposed) shapes. */
  lda?: number;
  ldb?: number;
  ldc?: number;
  /** C += … instead of C = … */
  accumulate?: boolean;
  alpha?: number;
  /**
   * Rows listed in a u32 slice (the cpu tuning's vec4 kernels only): on 'm', row m of the product is row
   * `list[m]` of A and of C (A not transposed), and M is the list's length; on 'k', the sum runs over
   * the rows `list[k]` of A and B (Aᵀ·B), and K is its length. A recurrent layer skips its padding rows
   * with it (ops/recurrence.ts). Where no kernel takes a list, an error.
   */
  rows?: RowList;
}

/** GemmArgs.rows: the list, the dimension it replaces, and how many rows the listed slices hold. */
export interface RowList {
  list: Slice;
  on: 'm' | 'k';
  /** Every entry is below this: the rows A and C (on 'm') or A and B (on 'k') hold. */
  within: number;
}

const transposes = (shader: 'matmul' | 'matmul_tiled', only: 'cpu' | 'gpu', extra: Record<string, number> = {}) =>
  BOOLS.flatMap((ta) => BOOLS.map((tb) => kernel(shader, only, { TRANS_A: ta, TRANS_B: tb, ...extra })));

/** Every variant `gemm` may pick (the matmul op's forward and backward, and the LSTM's GEMMs). */
export const GEMM_KERNELS: readonly TunedVariant[] = [
  ...transposes('matmul', 'cpu'),
  ...BOOLS.map((ta) => kernel('matmul_vec4', 'cpu', { TRANS_A: ta, ROW_INDEX: false })),
  kernel('matmul_vec4', 'cpu', { TRANS_A: false, ROW_INDEX: true }),
  ...BOOLS.map((k) => kernel('matmul_tn_vec4', 'cpu', { K_INDEX: k })),
  kernel('matmul_nt_vec4', 'cpu'),
  kernel('transpose_rows', 'cpu'),
  ...[1, 4].flatMap((block) => transposes('matmul_tiled', 'gpu', { BLOCK: block })),
];

/** From this many 64×64 output tiles up, a 'gpu'-tuned engine uses matmul_tiled's 4×4-per-invocation form. */
export const LARGE_GEMM_TILES = 128;

/**
 * Encode C = alpha·op(A)·op(B) (+ C). A 'gpu'-tuned engine runs the workgroup-tiled kernels; a 'cpu'-tuned
 * one the register-tiled kernels: vec4 along N where the shapes and offsets allow (A·Bᵀ through a
 * transposed copy of B; Aᵀ·B reading A as vec4 too when its rows allow), else vec4 along K for A·Bᵀ,
 * else scalar 4×4.
 */
export function gemm(step: Step, g: GemmArgs): void {
  if (g.rows) {
    gemmListed(step, g, g.rows);
    return;
  }
  const transA = g.transA ?? false;
  const transB = g.transB ?? false;
  const lda = g.lda ?? (transA ? g.M : g.K);
  const ldb = g.ldb ?? (transB ? g.K : g.N);
  const ldc = g.ldc ?? g.N;
  if (g.M === 0 || g.N === 0) return;
  // Bounds: the last element each operand touches must lie inside its slice.
  const lastA = transA ? (g.K - 1) * lda + g.M - 1 : (g.M - 1) * lda + g.K - 1;
  const lastB = transB ? (g.N - 1) * ldb + g.K - 1 : (g.K - 1) * ldb + g.N - 1;
  const lastC = (g.M - 1) * ldc + g.N - 1;
  if (g.K > 0 && (lastA >= g.a.length || lastB >= g.b.length)) {
    throw new Error(`gemm ${g.M}×${g.K}·${g.K}×${g.N}: operand slices are too small (A ${g.a.length}, B ${g.b.length})`);
  }
  if (lastC >= g.c.length) throw new Error(`gemm: output slice of ${g.c.length} elements is too small for ${g.M}×${g.N}`);
  const params = {
    M: g.M, N: g.N, K: g.K, lda, ldb, ldc,
    offA: g.a.offset, offB: g.b.offset, offC: g.c.offset,
    accumulate: g.accumulate ? 1 : 0,
    alpha: g.alpha ?? 1,
    offI: 0,
  };
  if (step.engine.tuning === 'gpu') {
    // 64×64 tiles (4×4 per invocation) where there are enough of them to fill a GPU, else 16×16 tiles
    // (1 per invocation): more workgroups for the small weight-gradient GEMMs.
    const block = Math.ceil(g.M / 64) * Math.ceil(g.N / 64) >= LARGE_GEMM_TILES ? 4 : 1;
    const tile = 16 * block;
    step.dispatch('matmul_tiled', {
      overrides: { TRANS_A: transA, TRANS_B: transB, BLOCK: block },
      buffers: { A: g.a, B: g.b, C: g.c },
      params,
      workgroups: [Math.ceil(g.N / tile), Math.ceil(g.M / tile), 1],
    });
    return;
  }
  const aligned = (...xs: number[]) => xs.every((x) => x % 4 === 0);
  // C as vec4 (and B, once untransposed) when columns line up in groups of 4 (most of the model's GEMMs).
  const vec4C = aligned(g.N, ldc, g.c.offset);
  if (transB && vec4C) {
    // A·Bᵀ: untranspose B into a scratch [K, N] (a barrier-free copy), then the vec4 kernels below; on
    // SwiftShader 1.2–1.3× faster than matmul_nt_vec4's dot products for dX = dG·Wxᵀ.
    gemm(step, { ...g, b: transposedCopy(step, g.b, g.N, g.K, ldb, 'gemm Bᵀ'), transB: false, ldb: g.N });
    return;
  }
  if (!transB && vec4C && aligned(ldb, g.b.offset)) {
    // Aᵀ·B with A's rows in groups of 4 too: A read as vec4 as well (weight gradients over sequence rows).
    // `rows` is bound to A again: the kernels read it only with a list (gemmListed).
    if (transA && aligned(g.M, lda, g.a.offset)) {
      step.dispatch('matmul_tn_vec4', { overrides: { K_INDEX: false }, buffers: { A: g.a, B: g.b, C: g.c, rows: g.a }, params, workgroups: [Math.ceil(g.N / 64), Math.ceil(g.M / 64), 1] });
      return;
    }
    step.dispatch('matmul_vec4', {
      overrides: { TRANS_A: transA, ROW_INDEX: false },
      buffers: { A: g.a, B: g.b, C: g.c, rows: g.a },
      params,
      workgroups: [Math.ceil(g.N / 64), Math.ceil(g.M / 64), 1],
    });
    return;
  }
  // A·Bᵀ with both operands contiguous along K: vec4 dot products.
  const nt = !transA && transB && g.K % 4 === 0 && lda % 4 === 0 && ldb % 4 === 0 && g.a.offset % 4 === 0 && g.b.offset % 4 === 0;
  if (nt) {
    step.dispatch('matmul_nt_vec4', { buffers: { A: g.a, B: g.b, C: g.c }, params, workgroups: [Math.ceil(g.N / 32), Math.ceil(g.M / 32), 1] });
    return;
  }
  step.dispatch('matmul', {
    overrides: { TRANS_A: transA, TRANS_B: transB },
    buffers: { A: g.a, B: g.b, C: g.c },
    params,
    workgroups: [Math.ceil(g.N / 32), Math.ceil(g.M / 32), 1],
  });
}

/**
 * A GEMM over listed rows (GemmArgs.rows): matmul_vec4 with ROW_INDEX (rows of A and C) or matmul_tn_vec4
 * with K_INDEX (rows of A and B, the sum's terms); A·Bᵀ through a transposed copy of B, as gemm does.
 */
function gemmListed(step: Step, g: GemmArgs, rows: RowList): void {
  const transA = g.transA ?? false;
  const fail = (why: string) => new Error(`gemm with a row list on ${rows.on}: ${why}`);
  if (step.engine.tuning !== 'cpu') throw fail('only the cpu tuning has kernels for it');
  const count = rows.on === 'm' ? g.M : g.K;
  if (rows.list.length < count) throw fail(`the list holds ${rows.list.length} rows, ${count} wanted`);
  if (g.transB) {
    gemmListed(step, { ...g, b: transposedCopy(step, g.b, g.N, g.K, g.ldb ?? g.K, 'gemm Bᵀ'), transB: false, ldb: g.N }, rows);
    return;
  }
  const lda = g.lda ?? (transA ? g.M : g.K);
  const ldb = g.ldb ?? g.N;
  const ldc = g.ldc ?? g.N;
  // Bounds: the listed rows lie below `within`, which the slices must hold.
  const R = rows.within;
  const lastA = rows.on === 'm' ? (R - 1) * lda + g.K - 1 : (R - 1) * lda + g.M - 1;
  const lastB = rows.on === 'm' ? (g.K - 1) * ldb + g.N - 1 : (R - 1) * ldb + g.N - 1;
  const lastC = (rows.on === 'm' ? R - 1 : g.M - 1) * ldc + g.N - 1;
  if (lastA >= g.a.length || lastB >= g.b.length || lastC >= g.c.length) throw fail(`operand slices are too small for ${R} rows (A ${g.a.length}, B ${g.b.length}, C ${g.c.length})`);
  const aligned = (...xs: number[]) => xs.every((x) => x % 4 === 0);
  if (!aligned(g.N, ldb, ldc, g.b.offset, g.c.offset)) throw fail('N, ldb, ldc and the B and C offsets must divide by 4');
  if (count === 0) {
    // No rows: nothing to write (on 'm'); an empty sum leaves an accumulated C as it was (on 'k').
    if (rows.on === 'k' && !g.accumulate) throw fail('an empty sum that does not accumulate');
    return;
  }
  const params = {
    M: g.M, N: g.N, K: g.K, lda, ldb, ldc,
    offA: g.a.offset, offB: g.b.offset, offC: g.c.offset,
    accumulate: g.accumulate ? 1 : 0,
    alpha: g.alpha ?? 1,
    offI: rows.list.offset,
  };
  const buffers = { A: g.a, B: g.b, C: g.c, rows: rows.list };
  const workgroups = [Math.ceil(g.N / 64), Math.ceil(g.M / 64), 1] as const;
  if (rows.on === 'm') {
    if (transA) throw fail('A must not be transposed');
    step.dispatch('matmul_vec4', { overrides: { TRANS_A: false, ROW_INDEX: true }, buffers, params, workgroups });
    return;
  }
  if (!transA || !aligned(g.M, lda, g.a.offset)) throw fail("Aᵀ·B with M, lda and A's offset divisible by 4");
  step.dispatch('matmul_tn_vec4', { overrides: { K_INDEX: true }, buffers, params, workgroups });
}

/**
 * A scratch copy of the rows × cols matrix at `x` (row stride ld) transposed to cols × rows, for the
 * cpu-tuned kernels (transpose_rows.wgsl: no workgroup barriers, which a software adapter pays dearly for).
 */
export function transposedCopy(step: Step, x: Slice, rows: number, cols: number, ld: number, label: string): Slice {
  const y = step.scratch(rows * cols, label);
  step.dispatch('transpose_rows', { buffers: { X: x, Y: y }, params: { rows, cols, ldX: ld, offX: x.offset }, workgroups: grid1d(cols) });
  return y;
}

function dims(t: Tensor, trans: boolean): [number, number] {
  if (t.shape.length !== 2) throw new Error(`matmul: "${t.name}" must be 2-D, got [${t.shape.join(', ')}]`);
  const [r, c] = t.shape as [number, number];
  return trans ? [c, r] : [r, c];
}

/** C[M, N] = op(A)[M, K] · op(B)[K, N] as a tape op. */
export function matmul(step: Step, a: Tensor, b: Tensor, opts: { transA?: boolean; transB?: boolean; name?: string } = {}): Tensor {
  const transA = opts.transA ?? false;
  const transB = opts.transB ?? false;
  const [M, K] = dims(a, transA);
  const [K2, N] = dims(b, transB);
  if (K !== K2) throw new Error(`matmul: inner dimensions differ (${K} vs ${K2}) for "${a.name}" and "${b.name}"`);
  const out = step.output([M, N], opts.name ?? 'matmul', a.requiresGrad || b.requiresGrad);
  gemm(step, { a: a.data, b: b.data, c: out.data, M, N, K, transA, transB });
  step.tape.record('matmul', () => matmulBackward(step, a, b, out, transA, transB));
  return out;
}

/**
 * With C = op(A)·op(B):  d op(A) = dC · op(B)ᵀ  and  d op(B) = op(A)ᵀ · dC; a transposed operand gets
 * the transpose of that, which is the same GEMM with its operands swapped and transposed.
 */
export function matmulBackward(step: Step, a: Tensor, b: Tensor, out: Tensor, transA: boolean, transB: boolean): void {
  const dC = out.grad!;
  const [M, K] = dims(a, transA);
  const N = dims(b, transB)[1];
  if (a.grad) {
    if (!transA) gemm(step, { a: dC, b: b.data, c: a.grad, M, N: K, K: N, transA: false, transB: !transB, accumulate: true });
    else gemm(step, { a: b.data, b: dC, c: a.grad, M: K, N: M, K: N, transA: transB, transB: true, accumulate: true });
  }
  if (b.grad) {
    if (!transB) gemm(step, { a: a.data, b: dC, c: b.grad, M: K, N, K: M, transA: !transA, transB: false, accumulate: true });
    else gemm(step, { a: dC, b: a.data, c: b.grad, M: N, N: K, K: M, transA: true, transB: transA, accumulate: true });
  }
}
