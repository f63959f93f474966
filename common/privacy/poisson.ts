/**
 * Exact Poisson and symmetric Skellam draws for the distributed mechanism.
 *
 * λ < 10: inversion by sequential search from P(0) = e^−λ.
 * λ ≥ 10: PTRS, the transformed rejection method with squeeze of Hörmann
 * (1993, "The transformed rejection method for generating Poisson random
 * variables", Insurance: Mathematics and Economics 12), O(1) expected
 * uniforms per draw whatever λ. Its acceptance test compares with log P(k);
 * written as k·log λ − λ − log k! that difference of numbers near 10^13
 * would lose the test's last digits at the λ the mechanism uses (up to 10^15), so log P(k)
 * is computed as −stirlerr(k) − bd0(k, λ) − ½·log(2πk) (Loader 2000, "Fast
 * and accurate computation of binomial probabilities"), which keeps full
 * relative precision. Draws are integers below 2^53 (λ ≤ MAX_POISSON_MEAN = 2^50),
 * so they and their differences are exact doubles.
 */
import { invalidSetting } from './errors';
import { logFactorial } from './log-math';

/** The largest mean drawn: at 2^50 every draw (λ + even 10^3·√λ) stays below 2^53, where doubles hold every integer. */
export const MAX_POISSON_MEAN = 2 ** 50;

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** log(n!) − ((n + ½)·log n − n + ½·log 2π): Stirling's error, for whole n ≥ 1. */
function stirlingError(n: number): number {
  if (n <= 15) return logFactorial(n) - (n + 0.5) * Math.log(n) + n - HALF_LOG_TWO_PI;
  const nn = n * n;
  // The asymptotic series 1/12n − 1/360n³ + 1/1260n⁵ − 1/1680n⁷ + 1/1188n⁹, below 1e-17 relative past n = 15.
  return (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / (1188 * nn)) / nn) / nn) / nn) / n;
}

/** x·log(x/m) + m − x without cancellation when x is near m (Loader's bd0). */
function deviance(x: number, m: number): number {
  if (Math.abs(x - m) < 0.1 * (x + m)) {
    let v = (x - m) / (x + m);
    let sum = (x - m) * v;
    let term = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      term *= v;
      const next = sum + term / (2 * j + 1);
      if (next === sum) return next;
      sum = next;
    }
    return sum;
  }
  return x * Math.log(x / m) + m - x;
}

/** log P(K = k) for K ~ Poisson(λ), whole k ≥ 0, λ > 0. */
export function logPoissonProbability(k: number, lambda: number): number {
  if (k === 0) return -lambda;
  return -stirlingError(k) - deviance(k, lambda) - HALF_LOG_TWO_PI - 0.5 * Math.log(k);
}

function checkMean(lambda: number): void {
  if (!Number.isFinite(lambda) || lambda < 0 || lambda > MAX_POISSON_MEAN) {
    throw invalidSetting(`a Poisson mean must be a number in [0, 2^50], got ${lambda}`, { lambda });
  }
}

function inversion(lambda: number, uniform: () => number): number {
  const u = uniform();
  let k = 0;
  let probability = Math.exp(-lambda);
  let cumulative = probability;
  // Past k = 200 the remaining mass for λ < 10 is below 1e-150: the loop ends by then whatever u is.
  while (u > cumulative && k < 200) {
    k += 1;
    probability *= lambda / k;
    cumulative += probability;
  }
  return k;
}

/** Hörmann's PTRS, for λ ≥ 10; the constants are the paper's. */
function transformedRejection(lambda: number, uniform: () => number): number {
  const root = Math.sqrt(lambda);
  const b = 0.931 + 2.53 * root;
  const a = -0.059 + 0.02483 * b;
  const logInverseAlpha = Math.log(1.1239 + 1.1328 / (b - 3.4));
  const acceptAtOnce = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = uniform() - 0.5;
    const v = uniform();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= acceptAtOnce) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + logInverseAlpha - Math.log(a / (us * us) + b) <= logPoissonProbability(k, lambda)) return k;
  }
}

/** One Poisson(λ) draw from a uniform [0, 1) source. */
export function poissonDraw(lambda: number, uniform: () => number): number {
  checkMean(lambda);
  if (lambda === 0) return 0;
  return lambda < 10 ? inversion(lambda, uniform) : transformedRejection(lambda, uniform);
}

/** One symmetric Skellam draw of variance 2λ: the difference of two independent Poisson(λ) draws. */
export function skellamDraw(lambda: number, uniform: () => number): number {
  return poissonDraw(lambda, uniform) - poissonDraw(lambda, uniform);
}
