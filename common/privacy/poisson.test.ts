import { createRng } from '../random';
import { logFactorial } from './log-math';
import { MAX_POISSON_MEAN, logPoissonProbability, poissonDraw, skellamDraw } from './poisson';
import { secureUniformSource } from './secure-uniform';
import { thrownShoalError } from '../testing/thrown-shoal-error';

/** Mean and variance, summed about `centre` so that draws near 2^50 do not cancel away the variance. */
function moments(draw: () => number, count: number, centre = 0): { mean: number; variance: number } {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < count; i++) {
    const x = draw() - centre;
    sum += x;
    squares += x * x;
  }
  const shift = sum / count;
  return { mean: centre + shift, variance: squares / count - shift * shift };
}

describe('Poisson and Skellam draws', () => {
  test('log P(k) agrees with k·log λ − λ − log k! where that is still precise, for both branches of Loader\'s deviance', () => {
    for (const [k, lambda] of [[0, 3], [1, 0.5], [7, 3], [12, 12], [40, 25], [100, 150], [1000, 1000]]) {
      expect(logPoissonProbability(k, lambda)).toBeCloseTo(k * Math.log(lambda) - lambda - logFactorial(k), 9);
    }
  });

  test('log P(k) keeps its precision at λ = 10^13, where the naive formula cannot: the pmf sums to 1 over ±8√λ', () => {
    const lambda = 1e13;
    const root = Math.sqrt(lambda);
    let total = 0;
    const step = Math.round(root / 200);
    for (let k = lambda - 8 * root; k <= lambda + 8 * root; k += step) total += Math.exp(logPoissonProbability(Math.round(k), lambda)) * step;
    expect(total).toBeCloseTo(1, 4);
    // The mode's probability is 1/√(2πλ) to first order.
    expect(logPoissonProbability(lambda, lambda)).toBeCloseTo(-0.5 * Math.log(2 * Math.PI * lambda) - 1 / (12 * lambda), 9);
  });

  test.each([0.3, 4, 9.99, 10, 37.5, 1e4, 1e9, MAX_POISSON_MEAN])('λ = %p: mean and variance are λ within five standard errors', (lambda) => {
    const random = createRng(`poisson/${lambda}`);
    const count = 200_000;
    const { mean, variance } = moments(() => poissonDraw(lambda, random), count, Math.round(lambda));
    // se(mean) = √(λ/n); se(variance) ≈ λ·√(2/n) for large λ, √((λ + 2λ²)/n) in general.
    expect(Math.abs(mean - lambda)).toBeLessThan(5 * Math.sqrt(lambda / count));
    expect(Math.abs(variance - lambda)).toBeLessThan(5 * Math.sqrt((lambda + 2 * lambda * lambda) / count));
  });

  test('small λ: the frequencies of 0, 1, 2, 3 match the pmf (chi-square below the 0.1% critical value)', () => {
    const random = createRng('poisson-pmf');
    const lambda = 1.7;
    const count = 100_000;
    const seen = [0, 0, 0, 0, 0];
    for (let i = 0; i < count; i++) seen[Math.min(4, poissonDraw(lambda, random))]++;
    const expected = [0, 1, 2, 3].map((k) => count * Math.exp(logPoissonProbability(k, lambda)));
    expected.push(count - expected.reduce((a, b) => a + b, 0));
    const chiSquare = seen.reduce((sum, observed, k) => sum + (observed - expected[k]) ** 2 / expected[k], 0);
    expect(chiSquare).toBeLessThan(18.47); // 4 degrees of freedom, p = 0.001
  });

  test('a Skellam draw is symmetric with variance 2λ, from the secure source', () => {
    const uniform = secureUniformSource();
    const lambda = 5e11;
    const count = 100_000;
    const { mean, variance } = moments(() => skellamDraw(lambda, uniform), count);
    expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt((2 * lambda) / count));
    expect(Math.abs(variance / (2 * lambda) - 1)).toBeLessThan(5 * Math.sqrt(2 / count));
    for (let i = 0; i < 1000; i++) expect(Number.isSafeInteger(skellamDraw(lambda, uniform))).toBe(true);
  });

  test('a mean outside [0, 2^50] is refused', () => {
    thrownShoalError(() => poissonDraw(-1, Math.random), 'PRIVACY_INVALID_SETTING');
    thrownShoalError(() => poissonDraw(MAX_POISSON_MEAN * 2, Math.random), 'PRIVACY_INVALID_SETTING');
    thrownShoalError(() => poissonDraw(Number.NaN, Math.random), 'PRIVACY_INVALID_SETTING');
    expect(poissonDraw(0, Math.random)).toBe(0);
  });
});
