import { thrownShoalError } from '../testing/thrown-shoal-error';
import { decodeExactSum, dequantizeSum, encodeExact, EXACT_MAX_MAGNITUDE, exactEncodedLength, quantizationStep, quantizeWeighted } from './encoding';
import { seededRandom } from './test-support';

function addAll(vectors: Uint32Array[]): Uint32Array {
  const sum = new Uint32Array(vectors[0].length);
  for (const v of vectors) for (let k = 0; k < sum.length; k++) sum[k] += v[k];
  return sum;
}

describe('stochastic quantisation', () => {
  const settings = { clippingRange: 2, maxParticipants: 10 };

  it('keeps one input and a full cohort below 2^32', () => {
    const top = Math.floor((2 ** 32 - 1) / 10);
    const q = quantizeWeighted(new Float64Array([5, -5, 0]), 1, settings, () => 0.5);
    expect(Array.from(q)).toEqual([top, 0, Math.floor(top / 2), top]);
    expect(top * 10).toBeLessThanOrEqual(2 ** 32 - 1);
    expect(quantizationStep(settings)).toBeCloseTo(4 / top, 15);
  });

  it('recovers the weighted mean within the rounding bound', () => {
    const random = seededRandom('quantise');
    const d = 2000;
    const weights = [0.1, 0.3, 0.25, 0.05, 0.3];
    const vectors = weights.map(() => Float32Array.from({ length: d }, () => random() * 2 - 1));
    const encoded = vectors.map((v, i) => quantizeWeighted(v, weights[i], settings, random));
    const { weightedSum, totalWeight } = dequantizeSum(addAll(encoded), 5, settings);
    const step = quantizationStep(settings);
    expect(Math.abs(totalWeight - 1)).toBeLessThanOrEqual(5 / Math.floor((2 ** 32 - 1) / 10));
    let worst = 0;
    for (let k = 0; k < d; k++) {
      const exact = vectors.reduce((acc, v, i) => acc + weights[i] * v[k], 0);
      worst = Math.max(worst, Math.abs(weightedSum[k] / totalWeight - exact));
    }
    expect(worst).toBeLessThanOrEqual((5 * 1.5 * step) / totalWeight);
  });

  it('is unbiased: the mean of many roundings of one value converges to it', () => {
    const random = seededRandom('unbiased');
    const coarse = { clippingRange: 1, maxParticipants: 2 ** 24 };
    const value = 0.123456;
    const samples = quantizeWeighted(new Float64Array(100_000).fill(value), 1, coarse, random);
    const { weightedSum } = dequantizeSum(samples, 1, coarse);
    const mean = weightedSum.reduce((a, b) => a + b, 0) / 100_000;
    expect(Math.abs(mean - value)).toBeLessThan(quantizationStep(coarse) / 50);
  });

  it('refuses non-finite values, bad weights and too many contributors', () => {
    thrownShoalError(() => quantizeWeighted(new Float32Array([NaN]), 1, settings, Math.random), 'SECAGG_BAD_MESSAGE');
    thrownShoalError(() => quantizeWeighted(new Float32Array([1]), 1.5, settings, Math.random), 'SECAGG_BAD_MESSAGE');
    thrownShoalError(() => dequantizeSum(new Uint32Array(3), 11, settings), 'SECAGG_BAD_MESSAGE');
    thrownShoalError(() => quantizationStep({ clippingRange: 0, maxParticipants: 3 }), 'SECAGG_BAD_MESSAGE');
  });
});

describe('exact fixed-point encoding', () => {
  it('sums exactly, negative values and values near 1e15 included', () => {
    const inputs = [
      new Float64Array([1e15, -3.5, 2 ** -24, -(2 ** -24), 123456.75, -1e15, 0]),
      new Float64Array([999_999_999_999_999, 1.25, 3 * 2 ** -24, -5 * 2 ** -24, -0.5, -999_999_999_999_999, -0]),
      new Float64Array([-2e15, -100.125, -(2 ** -24), 0, 7, 1, 2 ** 20]),
    ];
    const weights = [10, 20.5, 1e12];
    const encoded = inputs.map((v, i) => encodeExact(v, weights[i]));
    expect(encoded[0]).toHaveLength(exactEncodedLength(7));
    const { weightedSum, totalWeight } = decodeExactSum(addAll(encoded), 3);
    const expected = inputs[0].map((_, k) => inputs[0][k] + inputs[1][k] + inputs[2][k]);
    expect(Array.from(weightedSum)).toEqual(Array.from(expected));
    expect(Array.from(weightedSum)).toEqual([-1, -102.375, 3 * 2 ** -24, -6 * 2 ** -24, 123463.25, -1_999_999_999_999_998, 2 ** 20]);
    expect(totalWeight).toBe(1e12 + 30.5);
  });

  it('holds 256 participants at the largest magnitude without wrapping', () => {
    const one = encodeExact(new Float64Array([-EXACT_MAX_MAGNITUDE, EXACT_MAX_MAGNITUDE]), 1);
    const { weightedSum, totalWeight } = decodeExactSum(addAll(Array.from({ length: 256 }, () => one)), 256);
    expect(Array.from(weightedSum)).toEqual([-256 * EXACT_MAX_MAGNITUDE, 256 * EXACT_MAX_MAGNITUDE]);
    expect(totalWeight).toBe(256);
  });

  it('rounds to the nearest 2^-24', () => {
    const { weightedSum } = decodeExactSum(encodeExact(new Float64Array([0.1]), 0), 1);
    expect(weightedSum[0]).toBe(Math.round(0.1 * 2 ** 24) / 2 ** 24);
  });

  it('refuses values out of range and impossible sums', () => {
    const err = thrownShoalError(() => encodeExact(new Float64Array([1, 2 ** 63]), 1), 'SECAGG_BAD_MESSAGE');
    expect(err.message).toContain('value 1');
    thrownShoalError(() => encodeExact(new Float64Array([Infinity]), 1), 'SECAGG_BAD_MESSAGE');
    thrownShoalError(() => encodeExact(new Float64Array([1]), NaN), 'SECAGG_BAD_MESSAGE');
    thrownShoalError(() => decodeExactSum(new Uint32Array(8), 257), 'SECAGG_BAD_MESSAGE');
    thrownShoalError(() => decodeExactSum(new Uint32Array(7), 1), 'SECAGG_BAD_MESSAGE');
    thrownShoalError(() => decodeExactSum(new Uint32Array([2 ** 25, 0, 0, 0]), 1), 'SECAGG_BAD_MESSAGE');
  });
});
