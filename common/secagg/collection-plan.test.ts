import { skellamParameters } from '../privacy/skellam';
import { thrownShoalError } from '../testing/thrown-shoal-error';
import { collectionGraph, collectionGraphProblem, collectionPlan, type SecureAggregationSpec } from './collection-plan';

const settings: SecureAggregationSpec = { clippingRange: 4, maxWeight: 100000, phaseTimeoutSeconds: 30 };

describe('collectionPlan', () => {
  test('degree and threshold from the stated adversary (γ = ρ = 0.1 by default), and the spec\'s own values when it sets them', () => {
    expect([2, 3, 5, 20, 100].map((n) => collectionGraph(settings, n))).toEqual([
      { degree: 1, threshold: 2 },
      { degree: 2, threshold: 2 },
      { degree: 4, threshold: 3 },
      { degree: 19, threshold: 12 },
      { degree: 34, threshold: 24 },
    ]);
    // A larger γ needs a larger threshold on the same complete graph.
    expect(collectionGraph({ ...settings, collusionFraction: 0.4 }, 10)).toEqual({ degree: 9, threshold: 8 });
    expect(collectionGraph({ threshold: 3, neighbours: 6 }, 5)).toEqual({ degree: 4, threshold: 3 });
    // A stated degree alone gets its smallest exposure-safe threshold: at degree 6 over 20, 6 of a neighbourhood of 7 (2 colluders cannot fill two runs of 3 with 2 each).
    expect(collectionGraph({ neighbours: 6 }, 20)).toEqual({ degree: 6, threshold: 6 });
  });

  test('a stated degree that no threshold makes safe is refused, naming the degree, roster and γ', () => {
    const err = thrownShoalError(() => collectionGraph({ neighbours: 8 }, 100), 'CONFIG_INVALID');
    expect(err.message).toBe('secure aggregation: no threshold keeps the exposure probability below 2^-40 at degree 8 for a roster of 100 with collusion fraction 0.1 (10 colluders)');
    expect(err.details).toMatchObject({ field: 'neighbours' });
  });

  test('collectionGraphProblem refuses stated values below a majority, below the ring minimum, or exposed, and passes derived ones', () => {
    for (const n of [2, 5, 10, 21, 30, 100, 256]) expect(collectionGraphProblem(settings, n)).toBeUndefined();
    expect(collectionGraphProblem({ threshold: 5 }, 10)).toEqual({ path: 'secureAggregation.threshold', expected: 'at least 6, a strict majority of the neighbourhood of 10 for a roster of 10', found: '5' });
    expect(collectionGraphProblem({ neighbours: 10, threshold: 6 }, 30)).toMatchObject({ path: 'secureAggregation.threshold', expected: 'at least 7 (degree 10 / 2 + 2) on the sparse ring of a roster of 30' });
    // A majority on the complete graph, but 3 colluders of 10 (γ = 0.3) reach 2t − n = 2.
    expect(collectionGraphProblem({ threshold: 6, collusionFraction: 0.3 }, 10)).toEqual({
      path: 'secureAggregation.threshold',
      expected: 'an exposure probability below 2^-40 with collusion fraction 0.3 for a roster of 10',
      found: 'exposure probability 1.00 at degree 9, threshold 6',
    });
    // Degree 10 with t = 7 on 30: the ring minimum holds, but 3 colluders bridging a split ring (one in each of two runs of 5) are too likely.
    expect(collectionGraphProblem({ neighbours: 10, threshold: 7 }, 30)).toMatchObject({ path: 'secureAggregation.threshold', found: expect.stringMatching(/^exposure probability (1\.00|0\.\d+) at degree 10, threshold 7$/) });
    expect(collectionGraphProblem({ neighbours: 8 }, 100)).toMatchObject({ path: 'secureAggregation.neighbours' });
  });

  test('noisy updates use the Skellam encoding at the granularity the mechanism derives, plain ones are quantised with their weight as one extra element; sums are exact', () => {
    const update = collectionPlan(settings, 120, { kind: 'update', elementCount: 1313, clipNorm: 1, noiseStd: 0.5, weighting: 'uniform' }, 5);
    const plain = collectionPlan(settings, 120, { kind: 'update', elementCount: 1313, clipNorm: 0, noiseStd: 0, weighting: 'examples' }, 5);
    const sums = collectionPlan(settings, 120, { kind: 'sums', elementCount: 47 }, 5);

    expect(update).toEqual({ degree: 4, threshold: 3, encoding: { kind: 'skellam', scale: skellamParameters({ clipNorm: 1, memberNoiseStd: 0.5, members: 5 }).scale }, encodedElementCount: 1314, phaseTimeoutMs: 30_000 });
    expect(plain.encoding).toEqual({ kind: 'quantized', clippingRange: 4, maxWeight: 100000, cohortSize: 5 });
    expect(sums.encoding).toEqual({ kind: 'exact' });
    expect(sums.encodedElementCount).toBeGreaterThan(47);
    // Key phases leave most of a short round for training.
    expect(collectionPlan(settings, 60, { kind: 'sums', elementCount: 3 }, 5).phaseTimeoutMs).toBe(15_000);
  });
});
