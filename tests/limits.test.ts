/** Sizes against the device's limits, computed before any GPU work; the default sequence length. */
import { describe, expect, it } from 'vitest';
import { withDefaults, networkConfig } from '../src/model/config';
import { checkFitsDevice, defaultMaxLen, maxRowsPerStep } from '../src/model/limits';

const LIMITS = { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 30, maxComputeWorkgroupsPerDimension: 65535 };
const net = (over: Parameters<typeof withDefaults>[0]) => networkConfig(withDefaults(over), 2);

describe('device limits', () => {
  it('the notebook recipe fits; huge units, a huge vocabulary or a huge sequence length are refused with the size, the limit and what to lower', () => {
    expect(() => checkFitsDevice(net({}), LIMITS, { T: 28, B: 256 })).not.toThrow();
    expect(() => checkFitsDevice(net({ units: 100_000 }), LIMITS)).toThrow(
      /^the model does not fit this GPU: the parameters \(one of their four arenas: values, gradients, Adam m and v\) needs 149\.2 GiB, over its 1\.0 GiB buffer limit; lower vocabSize, embedDim, units or layers$/,
    );
    expect(() => checkFitsDevice(net({ vocabSize: 5_000_000 }), LIMITS)).toThrow(/the embedding matrix needs 2\.4 GiB, over its 1\.0 GiB buffer limit; lower vocabSize or embedDim/);
    expect(() => checkFitsDevice(net({}), LIMITS, { T: 5_000_000, B: 1 })).toThrow(
      /the LSTM gates of one batch \(T 5,000,000 × B 1 × 4·196\) needs 14\.6 GiB, over its 1\.0 GiB buffer limit; lower maxLen or batchSize/,
    );
    expect(() => checkFitsDevice(net({ units: 4, embedDim: 4 }), { ...LIMITS, maxComputeWorkgroupsPerDimension: 1000 }, { T: 1000, B: 32 })).toThrow(
      /the input projection over T·B = 32,000 rows need 2,000 workgroups in one dimension, over its limit of 1,000; lower maxLen or batchSize/,
    );
  });

  it('evaluation chunks shrink for long sequences so every step fits', () => {
    expect(maxRowsPerStep(net({}), LIMITS, 28)).toBeGreaterThan(256);
    const rows = maxRowsPerStep(net({}), LIMITS, 100_000); // 1 GiB / ((T + 1) · 4·196 · 4 bytes)
    expect(rows).toBe(3);
    expect(() => checkFitsDevice(net({}), LIMITS, { T: 100_000, B: rows })).not.toThrow();
    expect(() => checkFitsDevice(net({}), LIMITS, { T: 100_000, B: rows + 1 })).toThrow(/does not fit/);
  });

  it('the default sequence length is the longest text unless one is over 4 times the 99th percentile', () => {
    const normal = Array.from({ length: 1000 }, (_, i) => 5 + (i % 24)); // 5 … 28, like Sentiment.zip
    expect(defaultMaxLen(normal)).toEqual({ maxLen: 28, longest: 28, p99: 28, capped: false });
    const outlier = [...normal, 1_048_576]; // one 5 MiB cell
    expect(defaultMaxLen(outlier)).toEqual({ maxLen: 28, longest: 1_048_576, p99: 28, capped: true });
    expect(defaultMaxLen([])).toEqual({ maxLen: 1, longest: 1, p99: 1, capped: false });
  });
});
