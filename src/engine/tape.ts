/**
 * The autodiff tape: a flat list of backward closures, replayed in reverse.
 *
 * Each op encodes its forward dispatches and, right beside them, records the closure that encodes its
 * backward dispatches. Closures never compute on the CPU; they add into gradient buffers (which the step
 * clears once, before the replay), so an input used twice receives both contributions. The forward
 * order of an unrolled network is already a topological order, so reversing it is all backprop needs.
 */
export class Tape {
  private closures: Array<{ name: string; backward: () => void }> = [];
  private replayed = false;

  constructor(
    /** False in evaluation/prediction: ops then record nothing and allocate no gradients. */
    readonly recording: boolean,
  ) {}

  record(name: string, backward: () => void): void {
    if (!this.recording) return;
    if (this.replayed) throw new Error(`op "${name}" recorded after the tape was replayed`);
    this.closures.push({ name, backward });
  }

  get length(): number {
    return this.closures.length;
  }

  /** Names of the recorded ops, in forward order (for tests and debugging). */
  get opNames(): string[] {
    return this.closures.map((c) => c.name);
  }

  replay(): void {
    if (this.replayed) throw new Error('the tape was already replayed');
    this.replayed = true;
    for (let i = this.closures.length - 1; i >= 0; i--) this.closures[i]!.backward();
    this.closures = [];
  }
}
