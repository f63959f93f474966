/**
 * Shamir secret sharing of 32-byte secrets over the prime field
 * p = 2^521 − 1 (a Mersenne prime, so any 32-byte secret is a field element
 * and reduction is cheap). A share is (x, f(x)) with f of degree t − 1 and
 * f(0) = secret; y is 66 bytes, big-endian.
 */
import { SecAggError } from './errors';
import type { RandomBytes } from './key-agreement';

export const FIELD_PRIME = (1n << 521n) - 1n;
export const SHARE_VALUE_BYTES = 66;
export const SECRET_BYTES = 32;
const SECRET_LIMIT = 1n << 256n;
const MAX_X = 2 ** 31 - 1;

export interface Share {
  x: number;
  y: Uint8Array;
}

function mod(value: bigint): bigint {
  const r = value % FIELD_PRIME;
  return r < 0n ? r + FIELD_PRIME : r;
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt('0x' + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex'));
}

function toBytes(value: bigint, length: number): Uint8Array {
  return new Uint8Array(Buffer.from(value.toString(16).padStart(length * 2, '0'), 'hex'));
}

/** Inverse by the extended Euclidean algorithm; value is non-zero mod p. */
function inverse(value: bigint): bigint {
  let [r0, r1] = [FIELD_PRIME, mod(value)];
  let [t0, t1] = [0n, 1n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  return mod(t0);
}

/** A uniform field element: 521 random bits, rejecting the single value p itself. */
function randomFieldElement(randomBytes: RandomBytes): bigint {
  for (;;) {
    const bytes = Buffer.from(randomBytes(SHARE_VALUE_BYTES));
    bytes[0] &= 0x01;
    const value = toBigInt(bytes);
    if (value < FIELD_PRIME) return value;
  }
}

function checkXs(xs: readonly number[]): void {
  const seen = new Set<number>();
  for (const x of xs) {
    if (!Number.isSafeInteger(x) || x < 1 || x > MAX_X) {
      throw new SecAggError('SECAGG_BAD_MESSAGE', `share coordinate ${x} is not a whole number in [1, ${MAX_X}]`, { phase: 'shamir', x });
    }
    if (seen.has(x)) throw new SecAggError('SECAGG_BAD_MESSAGE', `share coordinate ${x} appears twice`, { phase: 'shamir', x });
    seen.add(x);
  }
}

/** Shares of `secret` at each x in `xs`; any `threshold` of them reconstruct it, fewer reveal nothing. */
export function splitSecret(secret: Uint8Array, xs: number[], threshold: number, randomBytes: RandomBytes): Share[] {
  if (secret.length !== SECRET_BYTES) {
    throw new SecAggError('SECAGG_BAD_MESSAGE', `secrets are ${SECRET_BYTES} bytes, got ${secret.length}`, { phase: 'shamir' });
  }
  checkXs(xs);
  if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > xs.length) {
    throw new SecAggError('SECAGG_BAD_MESSAGE', `threshold ${threshold} must be a whole number in [1, ${xs.length}] (the number of shares)`, { phase: 'shamir', threshold });
  }
  // coefficients[0] is the secret; the others are uniform.
  const coefficients = [toBigInt(secret)];
  for (let k = 1; k < threshold; k++) coefficients.push(randomFieldElement(randomBytes));
  return xs.map((x) => {
    const point = BigInt(x);
    let y = 0n;
    for (let k = coefficients.length - 1; k >= 0; k--) y = mod(y * point + coefficients[k]);
    return { x, y: toBytes(y, SHARE_VALUE_BYTES) };
  });
}

/** Lagrange coefficients at 0 for one set of x coordinates; a round reuses the same few sets many times. */
const coefficientCache = new Map<string, bigint[]>();
const MAX_CACHED_SETS = 256;

function lagrangeAtZero(xs: readonly number[]): bigint[] {
  const key = xs.join(',');
  const cached = coefficientCache.get(key);
  if (cached !== undefined) return cached;
  const points = xs.map(BigInt);
  const coefficients = points.map((xj, j) => {
    let numerator = 1n;
    let denominator = 1n;
    points.forEach((xm, m) => {
      if (m === j) return;
      numerator = mod(numerator * xm);
      denominator = mod(denominator * (xm - xj));
    });
    return mod(numerator * inverse(denominator));
  });
  if (coefficientCache.size >= MAX_CACHED_SETS) coefficientCache.delete(coefficientCache.keys().next().value as string);
  coefficientCache.set(key, coefficients);
  return coefficients;
}

/**
 * The secret behind `shares` (Lagrange interpolation at 0), given at least
 * the threshold of consistent shares. With fewer, or shares of different
 * sharings, the result is a near-uniform field element, which almost never
 * fits in 32 bytes: that is refused as SECAGG_UNRECOVERABLE.
 */
export function combineShares(shares: ReadonlyArray<Share>): Uint8Array {
  if (shares.length === 0) throw new SecAggError('SECAGG_UNRECOVERABLE', 'no shares to combine', { phase: 'shamir' });
  const sorted = [...shares].sort((a, b) => a.x - b.x);
  checkXs(sorted.map((s) => s.x));
  const coefficients = lagrangeAtZero(sorted.map((s) => s.x));
  let secret = 0n;
  sorted.forEach((share, j) => {
    if (share.y.length !== SHARE_VALUE_BYTES) {
      throw new SecAggError('SECAGG_BAD_MESSAGE', `share value at x=${share.x} is ${share.y.length} bytes, expected ${SHARE_VALUE_BYTES}`, { phase: 'shamir', x: share.x });
    }
    const y = toBigInt(share.y);
    if (y >= FIELD_PRIME) throw new SecAggError('SECAGG_BAD_MESSAGE', `share value at x=${share.x} is not a field element`, { phase: 'shamir', x: share.x });
    secret = mod(secret + coefficients[j] * y);
  });
  if (secret >= SECRET_LIMIT) {
    throw new SecAggError('SECAGG_UNRECOVERABLE', `${shares.length} shares do not reconstruct a ${SECRET_BYTES}-byte secret (too few, or not from one sharing)`, { phase: 'shamir', shares: shares.length });
  }
  return toBytes(secret, SECRET_BYTES);
}

/** True when `y` is a well-formed share value (66 bytes, below p). */
export function isShareValue(y: Uint8Array): boolean {
  return y.length === SHARE_VALUE_BYTES && toBigInt(y) < FIELD_PRIME;
}

/**
 * f(x) for the polynomial through `shares` (Lagrange at an arbitrary x), as a
 * 66-byte value. The server uses it to check the other holders' shares
 * against a polynomial whose secret matched its commitment.
 */
export function evaluateAt(shares: ReadonlyArray<Share>, x: number): Uint8Array {
  checkXs([...shares.map((s) => s.x), x]);
  const target = BigInt(x);
  const points = shares.map((s) => BigInt(s.x));
  let value = 0n;
  shares.forEach((share, j) => {
    let numerator = 1n;
    let denominator = 1n;
    points.forEach((xm, m) => {
      if (m === j) return;
      numerator = mod(numerator * (target - xm));
      denominator = mod(denominator * (points[j] - xm));
    });
    value = mod(value + toBigInt(share.y) * numerator * inverse(denominator));
  });
  return toBytes(value, SHARE_VALUE_BYTES);
}
