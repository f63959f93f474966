/**
 * Log-space arithmetic for the privacy accountant. The moments it sums span
 * hundreds of orders of magnitude (terms like exp(i²/2σ²) for i up to 512),
 * so everything is carried as a logarithm. Internal to common/privacy.
 */
import type { BigNumber, MathJsInstance } from 'mathjs';

/**
 * mathjs, loaded on first use. It takes about half a second of CPU to load,
 * and every process that touches secure aggregation imports this file (the
 * Skellam granularity is part of a collection's plan) while only the
 * accountant's rare paths need it; a participant must not pay that at start.
 */
let mathjs: typeof import('mathjs') | undefined;
function loadMathjs(): typeof import('mathjs') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  mathjs ??= require('mathjs') as typeof import('mathjs');
  return mathjs;
}

/** log(exp(a) + exp(b)) without overflow; -Infinity is log(0). */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const high = Math.max(a, b);
  if (high === Infinity) return Infinity;
  return high + Math.log1p(Math.exp(Math.min(a, b) - high));
}

/** log(Σ exp(values[i])), shifting by the largest term so nothing overflows. */
export function logSumExp(values: readonly number[]): number {
  let high = -Infinity;
  for (const value of values) if (value > high) high = value;
  if (high === -Infinity || high === Infinity) return high;
  let sum = 0;
  for (const value of values) sum += Math.exp(value - high);
  return high + Math.log(sum);
}

/**
 * log(exp(a) − exp(b)) for a ≥ b. Returns NaN when b > a: the caller's series
 * has lost its precision, which it must report rather than hide.
 */
export function logSubExp(a: number, b: number): number {
  if (b === -Infinity) return a;
  if (b > a) return NaN;
  if (a === b) return -Infinity;
  return a + Math.log(-Math.expm1(b - a));
}

const LOG_SQRT_PI = 0.5 * Math.log(Math.PI);

/** erfc(x)·exp(x²)·√π for x ≥ 2, by the Laplace continued fraction 1/(x + ½/(x + 1/(x + 3⁄2/(x + …)))) (modified Lentz). */
function scaledErfcTail(x: number): number {
  const tiny = 1e-300;
  let value = x;
  let c = x;
  let d = 0;
  for (let n = 1; n <= 1000; n++) {
    const a = n / 2;
    d = x + a * d;
    if (d === 0) d = tiny;
    d = 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const step = c * d;
    value *= step;
    if (Math.abs(step - 1) < 1e-16) break;
  }
  return 1 / value;
}

/**
 * log(erfc(x)), accurate in the far tail where erfc underflows (x ≫ 27).
 * mathjs's erf covers the middle, where 1 − erf(x) keeps its precision;
 * the continued fraction covers x ≥ 2 and, by symmetry, x ≤ −2.
 */
export function logErfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= 2) {
    if (x === Infinity) return -Infinity;
    return -x * x - LOG_SQRT_PI + Math.log(scaledErfcTail(x));
  }
  if (x <= -2) return Math.log(2 - Math.exp(logErfc(-x)));
  return Math.log(1 - (loadMathjs().erf(x) as number));
}

/** A 40-digit mathjs instance, used once per factorial to build an exact table. */
let bigMath: MathJsInstance | undefined;
const logFactorials: number[] = [0];
let runningLogFactorial: BigNumber | undefined;

/** log(n!) for a whole n ≥ 0, exact to double precision (summed in 40-digit bignumbers, then cached). */
export function logFactorial(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`logFactorial needs a whole number >= 0, got ${n}`);
  if (n < logFactorials.length) return logFactorials[n];
  bigMath ??= loadMathjs().create(loadMathjs().all, { number: 'BigNumber', precision: 40 });
  let total = runningLogFactorial ?? bigMath.bignumber(0);
  for (let k = logFactorials.length; k <= n; k++) {
    total = bigMath.add(total, bigMath.log(bigMath.bignumber(k))) as BigNumber;
    logFactorials.push(total.toNumber());
  }
  runningLogFactorial = total;
  return logFactorials[n];
}

/** log C(n, k) for whole 0 ≤ k ≤ n. */
export function logBinomial(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}
