/** The training loop on its own (no GPU): divergence is measured against the loss of an uninformed model. */
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { fitLoop, type FitTarget } from '../src/layers/fit-loop';

/** A target whose steps report the given losses, in order. */
function target(losses: number[]): FitTarget<{ rows: number }> {
  let i = 0;
  return {
    rows: losses.length * 4,
    lengths: new Uint32Array(losses.length * 4).fill(3),
    batchOf: (rows) => ({ rows: rows.length }),
    trainStep: async () => ({ loss: losses[i++]!, correct: 0, finite: true, gradNorm: 1 }),
    validate: null,
    readWeights: async () => new Map(),
    writeWeights: () => {},
    shuffleRng: seedrandom('fit'),
    lossScale: Math.log(2),
  };
}

describe('fit loop', () => {
  it('a well-trained model whose first batch is easy does not look diverged on noisy batches', async () => {
    const h = await fitLoop(target([0.001, 0.3, 0.4, 0.2, 0.5, 0.3]), { epochs: 1, batchSize: 4 });
    expect(h.epochs).toHaveLength(1);
  });

  it('a loss over 100 times max(first batch, ln C), twice in a row, stops training', async () => {
    await expect(fitLoop(target([0.69, 80, 500, 0.7]), { epochs: 1, batchSize: 4 })).rejects.toThrow(
      /batch 3: the loss grew from 0\.693 to 500, more than 100 times, so the training diverged/,
    );
    // Once is a spike, not divergence.
    expect((await fitLoop(target([0.69, 500, 0.7, 0.6]), { epochs: 1, batchSize: 4 })).epochs).toHaveLength(1);
  });

  it('an async onBatchEnd is awaited before further steps are submitted; the step in flight is not', async () => {
    const t = target([0.5, 0.4, 0.3, 0.2, 0.1]);
    const events: string[] = [];
    const step = t.trainStep;
    let submitted = 0;
    t.trainStep = (b) => {
      events.push(`submit ${++submitted}`);
      return step(b);
    };
    await fitLoop(t, {
      epochs: 1,
      batchSize: 4,
      shuffle: false,
      onBatchEnd: async (info) => {
        events.push(`end ${info.batch}`);
        await new Promise((r) => setTimeout(r, 5));
        events.push(`end ${info.batch} done`);
      },
    });
    // Two steps in flight: batch 2 is submitted before batch 1 ends; batch 3 only after batch 1's callback.
    expect(events.slice(0, 6)).toEqual(['submit 1', 'submit 2', 'end 1', 'end 1 done', 'submit 3', 'end 2']);
    expect(events.filter((e) => e.endsWith('done'))).toHaveLength(5);
    expect(events.indexOf('end 5 done')).toBe(events.length - 1);
  });
});
