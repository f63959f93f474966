import { createRng } from '../random';
import { thrownShoalError } from '../testing/thrown-shoal-error';
import { MAX_POISSON_MEAN } from './poisson';
import { ROUNDING_MARGIN, assertRoundable, skellamParameters, skellamPrivatize, skellamStepOf } from './skellam';

const norm = (v: ArrayLike<number>): number => Math.sqrt(Array.from(v).reduce((sum, x) => sum + x * x, 0));

describe('skellamParameters', () => {
  test('the roster\'s worst-case sum plus 8 std of its noise fits a signed 32-bit integer, and no Poisson mean passes 2^50', () => {
    for (const [members, memberNoiseStd] of [[5, 1], [100, 0.58], [1000, 0.08], [3, 40]]) {
      const p = skellamParameters({ clipNorm: 1, memberNoiseStd, members });
      const worst = members * p.l2Bound + 8 * Math.sqrt(members * p.memberVariance);
      expect(worst).toBeLessThanOrEqual(2 ** 31 - 1 + 1e-3);
      expect(p.memberVariance / 2).toBeLessThanOrEqual(MAX_POISSON_MEAN * (1 + 1e-12));
      expect(p.l2Bound).toBeCloseTo(((1 + ROUNDING_MARGIN) * 1) / p.scale, 6);
      expect(Math.sqrt(p.memberVariance) * p.scale).toBeCloseTo(memberNoiseStd, 9);
    }
  });

  test('the same public inputs give the same granularity (coordinator and participants agree)', () => {
    expect(skellamParameters({ clipNorm: 0.5, memberNoiseStd: 0.3, members: 9 })).toEqual(skellamParameters({ clipNorm: 0.5, memberNoiseStd: 0.3, members: 9 }));
  });

  test('a round\'s step counts only the honest members\' noise, and none at all when no honest member is left', () => {
    const p = skellamParameters({ clipNorm: 1, memberNoiseStd: 0.5, members: 10 });
    expect(skellamStepOf(p, 4)).toEqual({ mechanism: 'skellam', l2Sensitivity: p.l2Bound, l1Sensitivity: p.l2Bound ** 2, variance: 4 * p.memberVariance });
    expect(skellamStepOf(p, -1).variance).toBe(0);
  });

  test('a model too large for the rounding margin is refused before anything is drawn', () => {
    const p = skellamParameters({ clipNorm: 1, memberNoiseStd: 0.5, members: 10 });
    expect(() => assertRoundable(p, 1e8)).not.toThrow();
    thrownShoalError(() => assertRoundable(p, 1e15), 'PRIVACY_INVALID_SETTING');
  });
});

describe('skellamPrivatize', () => {
  const parameters = skellamParameters({ clipNorm: 1, memberNoiseStd: 0.25, members: 4 });

  test('integers within Δ2 of the scaled update before noise; the noise has the member variance', () => {
    const random = createRng('privatize');
    const d = 20_000;
    const update = Float64Array.from({ length: d }, (_, i) => Math.sin(i) / 50);
    const noiseless = skellamPrivatize(update, { ...parameters, memberVariance: 0 }, random);
    expect(noiseless.every(Number.isSafeInteger)).toBe(true);
    expect(norm(noiseless)).toBeLessThanOrEqual(parameters.l2Bound);
    const noisy = skellamPrivatize(update, parameters, random);
    let squares = 0;
    for (let i = 0; i < d; i++) squares += (noisy[i] - update[i] * (Math.min(1, 1 / norm(update)) / parameters.scale)) ** 2;
    // Rounding adds at most 1/4 per coordinate; the noise dominates by far.
    expect(squares / d / parameters.memberVariance).toBeCloseTo(1, 1);
  });

  test('an update above the clip norm is clipped again before rounding: Δ2 holds whatever the caller did', () => {
    const random = createRng('privatize-clip');
    const big = Float64Array.from({ length: 1000 }, () => 5);
    const out = skellamPrivatize(big, { ...parameters, memberVariance: 0 }, random);
    expect(norm(out)).toBeLessThanOrEqual(parameters.l2Bound);
    expect(norm(out)).toBeGreaterThan(0.99 / parameters.scale);
  });

  test('a source that always rounds up exceeds Δ2 every time: PRIVACY_ROUNDING_FAILED after the bounded draws', () => {
    // C/s = 100050 on 10^4 coordinates of 1000.5: rounding all of them up adds 1.0e7 to the squared norm, past Δ2² (margin 2.0e6),
    // while the fair source's rounding (about d/4 plus a few √ terms) fits.
    const tight = { scale: 1, clipNorm: 100_050, l2Bound: (1 + ROUNDING_MARGIN) * 100_050, memberVariance: 0 };
    const update = new Float64Array(10_000).fill(1000.5);
    thrownShoalError(() => skellamPrivatize(update, tight, () => 0), 'PRIVACY_ROUNDING_FAILED');
    expect(norm(skellamPrivatize(update, tight, createRng('fair')))).toBeLessThanOrEqual(tight.l2Bound);
  });

  test('a non-finite update is refused', () => {
    thrownShoalError(() => skellamPrivatize(Float64Array.from([1, Number.NaN]), parameters, Math.random), 'PRIVACY_INVALID_VECTOR');
  });
});
