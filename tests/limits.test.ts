/** The sentiment preset's sizes against the device's limits, computed before any GPU work; the default sequence length. */
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../src/layers/graph';
import { checkGraphFits, maxGraphRows } from '../src/layers/limits';
import { withDefaults, networkConfig } from '../src/sentiment/config';
import { sentimentLayers } from '../src/sentiment/recipe';
import { defaultMaxLen } from '../src/sentiment/text-encoder';

const LIMITS = { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 30, maxComputeWorkgroupsPerDimension: 65535 };
const graph = (over: Parameters<typeof withDefaults>[0]) => buildGraph(sentimentLayers(networkConfig(withDefaults(over), 2)));

describe('device limits (the sentiment preset, checked as any layers model)', () => {
  it('the notebook recipe fits; huge units, a huge vocabulary or a huge sequence length are refused with the size, the limit and what to lower', () => {
    expect(() => checkGraphFits(graph({}), LIMITS, { T: 28, B: 256 })).not.toThrow();
    expect(() => checkGraphFits(graph({ units: 100_000 }), LIMITS)).toThrow(
      /^the model does not fit this GPU: the parameters \(one of their four arenas: values, gradients, Adam m and v\) needs 149\.\d GiB, over its 1\.0 GiB buffer limit; lower the layer sizes$/,
    );
    expect(() => checkGraphFits(graph({ vocabSize: 5_000_000 }), LIMITS)).toThrow(/the parameters .* needs 2\.4 GiB, over its 1\.0 GiB buffer limit/);
    expect(() => checkGraphFits(graph({}), LIMITS, { T: 5_000_000, B: 1 })).toThrow(/needs [\d.]+ GiB, over its 1\.0 GiB buffer limit; lower the batch size or the sequence length/);
    expect(() => checkGraphFits(graph({ units: 4, embedDim: 4 }), { ...LIMITS, maxComputeWorkgroupsPerDimension: 1000 }, { T: 1000, B: 32 })).toThrow(
      /T·B = 32,000 rows need 2,000 workgroups in one dimension, over its limit of 1,000; lower the batch size or the sequence length/,
    );
  });

  it('evaluation chunks shrink for long sequences so every step fits', () => {
    expect(maxGraphRows(graph({}), LIMITS, 28)).toBeGreaterThan(256);
    const rows = maxGraphRows(graph({}), LIMITS, 100_000); // 1 GiB / (T · 4·196 · 4 bytes of gates)
    expect(rows).toBe(3);
    expect(() => checkGraphFits(graph({}), LIMITS, { T: 100_000, B: rows })).not.toThrow();
    expect(() => checkGraphFits(graph({}), LIMITS, { T: 100_000, B: rows + 1 })).toThrow(/does not fit/);
  });

  it('the default sequence length is the longest text unless one is over 4 times the 99th percentile', () => {
    const normal = Array.from({ length: 1000 }, (_, i) => 5 + (i % 24)); // 5 … 28, like Sentiment.zip
    expect(defaultMaxLen(normal)).toEqual({ maxLen: 28, longest: 28, p99: 28, capped: false });
    const outlier = [...normal, 1_048_576]; // one 5 MiB cell
    expect(defaultMaxLen(outlier)).toEqual({ maxLen: 28, longest: 1_048_576, p99: 28, capped: true });
    expect(defaultMaxLen([])).toEqual({ maxLen: 1, longest: 1, p99: 1, capped: false });
  });
});
