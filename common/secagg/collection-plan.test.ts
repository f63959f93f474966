import { collectionGraph, collectionPlan, type SecureAggregationSpec } from './collection-plan';

const settings: SecureAggregationSpec = { clippingRange: 4, maxWeight: 100000, phaseTimeoutSeconds: 30 };

describe('collectionPlan', () => {
  test('the complete graph and ⌊2n/3⌋+1 up to 20 members, SecAgg+ degrees beyond, and the spec\'s own values when it sets them', () => {
    expect([2, 3, 5, 20, 100].map((n) => collectionGraph(settings, n))).toEqual([
      { degree: 1, threshold: 2 },
      { degree: 2, threshold: 3 },
      { degree: 4, threshold: 4 },
      { degree: 19, threshold: 14 },
      { degree: 28, threshold: 20 },
    ]);
    expect(collectionGraph({ threshold: 3, neighbours: 6 }, 5)).toEqual({ degree: 4, threshold: 3 });
  });

  test('model updates are quantised with room for 8 noise stds, their weight as one extra element; sums are exact', () => {
    const update = collectionPlan(settings, 120, { kind: 'update', elementCount: 1313, clipNorm: 1, noiseStd: 0.5, weighting: 'uniform' }, 5);
    const plain = collectionPlan(settings, 120, { kind: 'update', elementCount: 1313, clipNorm: 0, noiseStd: 0, weighting: 'examples' }, 5);
    const sums = collectionPlan(settings, 120, { kind: 'sums', elementCount: 47 }, 5);

    expect(update).toEqual({ degree: 4, threshold: 4, encoding: { kind: 'quantized', clippingRange: 5, maxWeight: 0, cohortSize: 5 }, encodedElementCount: 1314, phaseTimeoutMs: 30_000 });
    expect(plain.encoding).toEqual({ kind: 'quantized', clippingRange: 4, maxWeight: 100000, cohortSize: 5 });
    expect(sums.encoding).toEqual({ kind: 'exact' });
    expect(sums.encodedElementCount).toBeGreaterThan(47);
    // Key phases leave most of a short round for training.
    expect(collectionPlan(settings, 60, { kind: 'sums', elementCount: 3 }, 5).phaseTimeoutMs).toBe(15_000);
  });
});
