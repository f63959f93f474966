import { thrownShoalError } from '../testing/thrown-shoal-error';
import {
  addGaussianNoise,
  distributedNoiseStd,
  effectiveNoiseMultiplier,
  secureGaussianSource,
  seededGaussianSource,
} from './gaussian-noise';

function moments(vector: Float64Array): { mean: number; std: number; withinOneStd: number } {
  const mean = vector.reduce((sum, value) => sum + value, 0) / vector.length;
  const variance = vector.reduce((sum, value) => sum + (value - mean) ** 2, 0) / vector.length;
  const std = Math.sqrt(variance);
  const withinOneStd = vector.reduce((count, value) => count + (Math.abs(value - mean) <= std ? 1 : 0), 0) / vector.length;
  return { mean, std, withinOneStd };
}

/**
 * Tolerances are about 5 standard errors for n = 200000: the mean's is σ/√n,
 * the sample std's about σ/√(2n), and P(|X| ≤ σ) = 0.6827 has √(p(1−p)/n) ≈ 0.001.
 */
const N = 200000;

describe('addGaussianNoise', () => {
  it('adds N(0, std²) with the right mean, spread and shape (seeded)', () => {
    const vector = new Float64Array(N);

    addGaussianNoise(vector, 2.5, seededGaussianSource(42));

    const { mean, std, withinOneStd } = moments(vector);
    expect(Math.abs(mean)).toBeLessThan((5 * 2.5) / Math.sqrt(N));
    expect(Math.abs(std / 2.5 - 1)).toBeLessThan(5 / Math.sqrt(2 * N));
    expect(Math.abs(withinOneStd - 0.6827)).toBeLessThan(0.005);
  });

  it('adds to the values already there, in place', () => {
    const vector = Float64Array.from({ length: N }, () => 10);

    addGaussianNoise(vector, 0.1, seededGaussianSource('in-place'));

    expect(Math.abs(moments(vector).mean - 10)).toBeLessThan((5 * 0.1) / Math.sqrt(N));
  });

  it('reproduces the same noise from the same seed, and different noise from another', () => {
    const [a, b, c] = [new Float64Array(16), new Float64Array(16), new Float64Array(16)];

    addGaussianNoise(a, 1, seededGaussianSource(7));
    addGaussianNoise(b, 1, seededGaussianSource(7));
    addGaussianNoise(c, 1, seededGaussianSource(8));

    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('draws fresh secure noise on every call by default', () => {
    const first = new Float64Array(8);
    const second = new Float64Array(8);

    addGaussianNoise(first, 1);
    addGaussianNoise(second, 1);

    expect(new Set([...first, ...second]).size).toBe(16);
    expect(first.every((value) => value !== 0)).toBe(true);
  });

  it('secure noise has the right moments too', () => {
    const vector = new Float64Array(N);

    addGaussianNoise(vector, 3, secureGaussianSource());

    const { mean, std, withinOneStd } = moments(vector);
    expect(Math.abs(mean)).toBeLessThan((5 * 3) / Math.sqrt(N));
    expect(Math.abs(std / 3 - 1)).toBeLessThan(5 / Math.sqrt(2 * N));
    expect(Math.abs(withinOneStd - 0.6827)).toBeLessThan(0.005);
  });

  it('noises a million entries securely in well under a second', () => {
    const vector = new Float64Array(1_000_000);

    const started = process.hrtime.bigint();
    addGaussianNoise(vector, 1);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;

    expect(elapsedMs).toBeLessThan(500);
  });

  it('leaves the vector alone when std is 0 and refuses a negative or non-finite std', () => {
    const vector = Float64Array.from([1, 2, 3]);

    addGaussianNoise(vector, 0);

    expect(Array.from(vector)).toEqual([1, 2, 3]);
    for (const std of [-1, NaN, Infinity]) thrownShoalError(() => addGaussianNoise(vector, std), 'PRIVACY_INVALID_SETTING');
  });
});

describe('distributed noise', () => {
  it('splits std z·C evenly over the planned participants', () => {
    expect(distributedNoiseStd({ noiseMultiplier: 1.2, clipNorm: 0.5, plannedParticipants: 16 })).toBeCloseTo(0.15, 15);
    expect(distributedNoiseStd({ noiseMultiplier: 1, clipNorm: 2, plannedParticipants: 1 })).toBe(2);
  });

  it('the planned participants\u2019 shares sum to noise of std z·C', () => {
    const [noiseMultiplier, clipNorm, plannedParticipants] = [1.1, 0.8, 25];
    const share = distributedNoiseStd({ noiseMultiplier, clipNorm, plannedParticipants });
    const sum = new Float64Array(N);
    for (let participant = 0; participant < plannedParticipants; participant++) {
      addGaussianNoise(sum, share, seededGaussianSource(`participant-${participant}`));
    }

    expect(Math.abs(moments(sum).std / (noiseMultiplier * clipNorm) - 1)).toBeLessThan(5 / Math.sqrt(2 * N));
  });

  it('shrinks the effective noise multiplier by √(actual/planned) when participants drop out', () => {
    expect(effectiveNoiseMultiplier({ noiseMultiplier: 1.3, plannedParticipants: 10, actualParticipants: 10 })).toBe(1.3);
    expect(effectiveNoiseMultiplier({ noiseMultiplier: 1.3, plannedParticipants: 16, actualParticipants: 4 })).toBe(0.65);
    expect(effectiveNoiseMultiplier({ noiseMultiplier: 2, plannedParticipants: 3, actualParticipants: 2 })).toBeCloseTo(2 * Math.sqrt(2 / 3), 15);
  });

  it('refuses impossible participant counts and settings', () => {
    thrownShoalError(() => effectiveNoiseMultiplier({ noiseMultiplier: 1, plannedParticipants: 4, actualParticipants: 5 }), 'PRIVACY_INVALID_SETTING');
    thrownShoalError(() => effectiveNoiseMultiplier({ noiseMultiplier: 1, plannedParticipants: 4, actualParticipants: 0 }), 'PRIVACY_INVALID_SETTING');
    thrownShoalError(() => effectiveNoiseMultiplier({ noiseMultiplier: -1, plannedParticipants: 4, actualParticipants: 2 }), 'PRIVACY_INVALID_SETTING');
    thrownShoalError(() => distributedNoiseStd({ noiseMultiplier: 1, clipNorm: 1, plannedParticipants: 2.5 }), 'PRIVACY_INVALID_SETTING');
    thrownShoalError(() => distributedNoiseStd({ noiseMultiplier: 1, clipNorm: 0, plannedParticipants: 2 }), 'PRIVACY_INVALID_SETTING');
  });
});
