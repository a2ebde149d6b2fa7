/**
 * A tensor is a window of f32 (or u32) elements in a GPU buffer: `offset` and `length` count 4-byte
 * elements. Kernels receive offsets in their uniforms (storage-buffer binding offsets must be 256-byte
 * aligned, which a timestep's rows usually are not), so views into a larger buffer cost nothing.
 */
export interface Slice {
  buffer: GPUBuffer;
  offset: number;
  length: number;
}

export function subSlice(s: Slice, offset: number, length: number): Slice {
  if (offset < 0 || length < 0 || offset + length > s.length) {
    throw new Error(`sub-slice [${offset}, ${offset + length}) is outside a slice of ${s.length} elements`);
  }
  return { buffer: s.buffer, offset: s.offset + offset, length };
}

export class Tensor {
  constructor(
    readonly shape: readonly number[],
    readonly data: Slice,
    /** Where d(loss)/d(this) accumulates; null when no gradient flows to this tensor. */
    public grad: Slice | null,
    readonly name: string,
  ) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (n !== data.length) throw new Error(`tensor "${name}": shape [${shape.join(', ')}] has ${n} elements, slice has ${data.length}`);
    if (grad && grad.length !== n) throw new Error(`tensor "${name}": gradient slice has ${grad.length} elements, expected ${n}`);
  }

  get size(): number {
    return this.data.length;
  }

  get requiresGrad(): boolean {
    return this.grad !== null;
  }

  /** A view of rows [start, start + count) of the leading dimension. */
  rows(start: number, count: number, name = `${this.name}[${start}:${start + count}]`): Tensor {
    const rowLen = this.size / this.shape[0]!;
    return new Tensor(
      [count, ...this.shape.slice(1)],
      subSlice(this.data, start * rowLen, count * rowLen),
      this.grad ? subSlice(this.grad, start * rowLen, count * rowLen) : null,
      name,
    );
  }

  /** The same elements under another shape of equal size. */
  reshape(shape: readonly number[]): Tensor {
    return new Tensor(shape, this.data, this.grad, this.name);
  }
}
