import { type Engine } from '../../src/engine/engine';
import { Tensor, type Slice } from '../../src/engine/tensor';
import { f32 } from './gpu';

/**
 * Leaf tensors for op tests: values uploaded once, gradients zeroed before the step (leaf gradients are
 * not activation gradients, so the step does not clear them). `free()` returns every buffer.
 */
export class Leaves {
  private slices: Slice[] = [];
  constructor(private readonly engine: Engine) {}

  tensor(shape: number[], values: ArrayLike<number>, name: string, grad = true): Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = this.engine.allocate(n, name);
    this.engine.write(data, f32(values));
    this.slices.push(data);
    let g: Slice | null = null;
    if (grad) {
      g = this.engine.allocate(n, `d${name}`);
      this.engine.write(g, new Float32Array(n));
      this.slices.push(g);
    }
    return new Tensor(shape, data, g, name);
  }

  free(): void {
    for (const s of this.slices) this.engine.release(s);
    this.slices = [];
  }
}
