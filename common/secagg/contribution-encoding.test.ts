import { decodeAggregate, encodeContribution, encodedLength, weightFraction, type ContributionEncoding } from './contribution-encoding';
import { quantizationStep } from './encoding';

/** Adds encoded vectors mod 2^32, as the unmasked secure sum would. */
function modularSum(vectors: Uint32Array[]): Uint32Array {
  const sum = new Uint32Array(vectors[0].length);
  for (const v of vectors) for (let i = 0; i < v.length; i++) sum[i] += v[i];
  return sum;
}

function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('contribution encoding for secure collections', () => {
  test('exact encoding carries statistics sums (counts and sums of squares) through the modular sum exactly', () => {
    const encoding: ContributionEncoding = { kind: 'exact' };
    const a = new Float64Array([2700, 1.5e12, -3.25]);
    const b = new Float64Array([2650, 2.25e12, 1.125]);

    const sum = modularSum([encodeContribution(encoding, a, 1, Math.random), encodeContribution(encoding, b, 1, Math.random)]);
    const decoded = decodeAggregate(encoding, sum, 2);

    expect(encodedLength(encoding, 3)).toBe(sum.length);
    expect(Array.from(decoded.weightedSum)).toEqual([5350, 3.75e12, -2.125]);
    expect(decoded.totalWeight).toBe(2);
  });

  test('quantised updates come back as example-weighted sums whose mean is within the quantisation bound', () => {
    const encoding: ContributionEncoding = { kind: 'quantized', clippingRange: 4, maxWeight: 10000, cohortSize: 3 };
    const updates = [new Float32Array([0.5, -0.25, 0.01]), new Float32Array([-0.125, 0.75, 0.02]), new Float32Array([0.3, 0.1, -0.03])];
    const examples = [2700, 1200, 4100];
    const random = seededUniform(11);

    const sum = modularSum(updates.map((u, i) => encodeContribution(encoding, u, examples[i], random)));
    const decoded = decodeAggregate(encoding, sum, 3);

    expect(Math.round(decoded.totalWeight)).toBe(8000);
    const step = quantizationStep({ clippingRange: 4, maxParticipants: 3 });
    for (let j = 0; j < 3; j++) {
      const exact = updates.reduce((acc, u, i) => acc + examples[i] * u[j], 0) / 8000;
      // Each participant's value carries at most one quantisation step of error, in units of weight fraction.
      expect(Math.abs(decoded.weightedSum[j] / decoded.totalWeight - exact)).toBeLessThan((3 * 1.5 * step * 10000) / 8000);
    }
  });

  test('weights are example counts capped at maxWeight, or 1 each when maxWeight is 0 (uniform weighting)', () => {
    expect(weightFraction({ kind: 'quantized', clippingRange: 4, maxWeight: 1000, cohortSize: 3 }, 250)).toBe(0.25);
    expect(weightFraction({ kind: 'quantized', clippingRange: 4, maxWeight: 1000, cohortSize: 3 }, 5000)).toBe(1);
    expect(weightFraction({ kind: 'quantized', clippingRange: 4, maxWeight: 0, cohortSize: 3 }, 5000)).toBe(1);
  });
});
