import { skellamParameters, skellamPrivatize } from '../privacy';
import { decodeAggregate, encodeContribution, encodedLength, type ContributionEncoding } from './contribution-encoding';
import { collectionEncoding } from './collection-plan';
import { makeCohort, orgNames, runRound, seededRandom } from './test-support';

function modularSum(vectors: Uint32Array[]): Uint32Array {
  const sum = new Uint32Array(vectors[0].length);
  for (const v of vectors) for (let i = 0; i < v.length; i++) sum[i] = (sum[i] + v[i]) >>> 0;
  return sum;
}

const settings = { clippingRange: 4, maxWeight: 1000, phaseTimeoutSeconds: 30 };

describe('skellam encoding', () => {
  test('a distributed-DP update collection is encoded as skellam at the granularity every member derives', () => {
    const encoding = collectionEncoding(settings, { kind: 'update', elementCount: 10, clipNorm: 1, noiseStd: 0.3, weighting: 'uniform' }, 7);
    expect(encoding).toEqual({ kind: 'skellam', scale: skellamParameters({ clipNorm: 1, memberNoiseStd: 0.3, members: 7 }).scale });
    expect(encodedLength(encoding, 10)).toBe(11);
    // Central DP (no member noise) stays quantised, clipped at the clip norm.
    expect(collectionEncoding(settings, { kind: 'update', elementCount: 10, clipNorm: 6, noiseStd: 0, weighting: 'uniform' }, 7)).toEqual({ kind: 'quantized', clippingRange: 6, maxWeight: 0, cohortSize: 7 });
  });

  test('round trip: the sum of k encoded mechanism outputs decodes to the sum of the updates within the rounding bound (noise off)', () => {
    const k = 5;
    const d = 2000;
    const parameters = skellamParameters({ clipNorm: 1, memberNoiseStd: 0.2, members: k });
    const noiseless = { ...parameters, memberVariance: 0 };
    const encoding: ContributionEncoding = { kind: 'skellam', scale: parameters.scale };
    const random = seededRandom('skellam-round-trip');
    const updates = Array.from({ length: k }, (_, j) => Float64Array.from({ length: d }, (_, i) => ((((i * 7 + j * 13) % 17) - 8) / 8) * 0.02));
    const encoded = updates.map((u) => encodeContribution(encoding, skellamPrivatize(u, noiseless, random), 1, random));
    const decoded = decodeAggregate(encoding, modularSum(encoded), k);
    expect(decoded.totalWeight).toBe(k);
    for (let i = 0; i < d; i++) {
      const exact = updates.reduce((sum, u) => sum + u[i], 0);
      // Each member's rounding moves a coordinate by less than one step.
      expect(Math.abs(decoded.weightedSum[i] - exact)).toBeLessThan(k * parameters.scale);
    }
  });

  test('negative sums come back signed, and a wrapped coordinate only wraps (mod 2^32 is post-processing)', () => {
    const encoding: ContributionEncoding = { kind: 'skellam', scale: 0.5 };
    const sum = modularSum([encodeContribution(encoding, Float64Array.from([-3, 2 ** 31 - 1]), 1, Math.random), encodeContribution(encoding, Float64Array.from([-4, 1]), 1, Math.random)]);
    const decoded = decodeAggregate(encoding, sum, 2);
    expect(Array.from(decoded.weightedSum)).toEqual([-3.5, -(2 ** 31) * 0.5]);
  });

  test('only integers are taken, and a weight element that does not count the contributors is refused', () => {
    const encoding: ContributionEncoding = { kind: 'skellam', scale: 1 };
    expect(() => encodeContribution(encoding, Float64Array.from([0.5]), 1, Math.random)).toThrow(expect.objectContaining({ code: 'SECAGG_BAD_MESSAGE' }));
    const sum = modularSum([encodeContribution(encoding, Float64Array.from([1]), 1, Math.random)]);
    sum[1] = 5; // a participant claiming a weight of 5
    expect(() => decodeAggregate(encoding, sum, 1)).toThrow(expect.objectContaining({ code: 'SECAGG_BAD_MESSAGE' }));
  });

  test('a full secure round of five members running the Skellam mechanism: the unmasked mean is the updates\' mean plus the summed noise', async () => {
    const n = 5;
    const d = 4000;
    const memberNoiseStd = 0.01;
    const parameters = skellamParameters({ clipNorm: 1, memberNoiseStd, members: n });
    const encoding: ContributionEncoding = { kind: 'skellam', scale: parameters.scale };
    const random = seededRandom('skellam-secure-round');
    const orgs = orgNames(n);
    const updates = new Map(orgs.map((org, j) => [org, Float64Array.from({ length: d }, (_, i) => Math.cos(i + j) * 0.01)]));
    const cohort = makeCohort({ n, elementCount: encodedLength(encoding, d), seed: 'skellam-secure-round' });
    const result = await runRound(cohort, {
      input: (org) => encodeContribution(encoding, skellamPrivatize(updates.get(org) as Float64Array, parameters, random), 1, random),
    });
    expect(result.survivors).toEqual(orgs);
    const { weightedSum, totalWeight } = decodeAggregate(encoding, result.sum, n);
    expect(totalWeight).toBe(n);
    let squares = 0;
    for (let i = 0; i < d; i++) {
      const exact = orgs.reduce((sum, org) => sum + (updates.get(org) as Float64Array)[i], 0);
      squares += (weightedSum[i] - exact) ** 2;
    }
    // The sum's error is the n members' noise: variance n·σ² per coordinate (rounding adds at most n·s²/4, negligible).
    expect(squares / d / (n * memberNoiseStd ** 2)).toBeCloseTo(1, 1);
  });
});
