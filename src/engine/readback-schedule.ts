/**
 * When to start reading a step's results back, for a GPU that runs on the same CPU cores as this thread
 * under a runtime that polls while a GPU promise is pending. Dawn in Node resolves `mapAsync` by
 * re-arming `setImmediate` on the JS thread for as long as any GPU promise is outstanding: with
 * SwiftShader that loop takes one of the cores the shaders run on (the reference training step measured
 * about 1.4× slower with the readback mapped at submit than mapped near the step's end).
 *
 * So a step's readbacks start mapping shortly before the step is expected to finish. The schedule keeps
 * the time at which the queue should drain and, per kind of step (the engine passes its label and
 * dispatch count), the GPU time it last took. The estimate corrects itself: a mapping started before
 * the step ends resolves as it ends, measuring it; one started after the end resolves at once, measuring
 * less than the estimate, which therefore shrinks until mapping starts before the end again.
 */
export class ReadbackSchedule {
  private drainsAt = 0;
  private readonly took = new Map<string, number>();

  /** `lead`: the share of a step's expected time left to poll through (a margin for a faster step). */
  constructor(private readonly lead = 0.15) {}

  /**
   * A step of `kind` was submitted at `now`: when its GPU work should start and end, and how long to wait
   * before mapping its readbacks (0 for a kind not seen yet: it is measured by polling through it).
   */
  submitted(kind: string, now: number): { startsAt: number; endsAt: number; waitMs: number } {
    const startsAt = Math.max(now, this.drainsAt);
    const expected = this.took.get(kind) ?? 0;
    const endsAt = startsAt + expected;
    this.drainsAt = endsAt;
    return { startsAt, endsAt, waitMs: Math.max(0, startsAt + expected * (1 - this.lead) - now) };
  }

  /** The step planned by `submitted` had its first readback resolved at `now`. */
  finished(kind: string, plan: { startsAt: number; endsAt: number }, now: number): void {
    this.took.set(kind, Math.max(0, now - plan.startsAt));
    // Steps queued behind this one start when it really ended, not when it was expected to.
    this.drainsAt = Math.max(now, this.drainsAt + (now - plan.endsAt));
  }
}
