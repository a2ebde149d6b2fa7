/**
 * When to start reading a step's results back, for a GPU that runs on the same CPU cores as this thread
 * under a runtime that polls while a GPU promise is pending. Dawn in Node resolves `mapAsync` by
 * re-arming `setImmediate` on the JS thread for as long as any GPU promise is outstanding: with
 * SwiftShader that loop takes one of the cores the shaders run on (the reference training step measured
 * about 1.6× slower with its readback mapped at submit than mapped near the step's end).
 *
 * So a step's readbacks start mapping shortly before the step is expected to finish: steps finish in
 * order, so a step starts when it is submitted or when the step before it is seen to finish, whichever
 * is later, and takes what the same kind of step (the engine passes its label and dispatch count) took
 * last time. The estimate corrects itself: a mapping started before the step ends resolves as it ends,
 * measuring it; one started after the end resolves at once, measuring less than the estimate, which
 * therefore shrinks until mapping starts before the end again. A kind never seen is mapped at once.
 */
export class ReadbackSchedule {
  /** Resolves with the time the latest scheduled step was seen to finish. */
  private last: Promise<number> = Promise.resolve(-Infinity);
  private readonly took = new Map<string, number>();

  /**
   * `lead`: the share of a step's expected time left to poll through (a margin for a faster step);
   * `clock` and `sleep` are the real ones outside tests.
   */
  constructor(
    private readonly lead = 0.15,
    private readonly clock: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /**
   * A step of `kind` with readbacks was submitted just now. `mapWhen` resolves when its mapping should
   * start; `finished` must be called once when its first mapping settles (resolved or not), or every
   * later step would wait for it.
   */
  submitted(kind: string): { mapWhen: Promise<void>; finished: () => void } {
    const submittedAt = this.clock();
    const previous = this.last;
    let started = submittedAt;
    let markFinished!: (t: number) => void;
    this.last = new Promise<number>((resolve) => (markFinished = resolve));
    const mapWhen = previous.then(async (previousEnd) => {
      started = Math.max(submittedAt, previousEnd);
      const expected = this.took.get(kind);
      if (expected === undefined) return;
      const wait = started + expected * (1 - this.lead) - this.clock();
      if (wait > 0) await this.sleep(wait);
    });
    let done = false;
    const finished = () => {
      if (done) return;
      done = true;
      const now = this.clock();
      this.took.set(kind, Math.max(0, now - started));
      markFinished(now);
    };
    return { mapWhen, finished };
  }
}
