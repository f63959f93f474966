/**
 * Real vectors in and out of Z_{2^32}, the ring secure aggregation sums in.
 *
 * (a) Model updates: unbiased stochastic quantisation of weightFraction·v,
 *     clipped to [−c, c], onto L + 1 levels with L = floor((2^32 − 1) /
 *     maxParticipants), so the sum of up to maxParticipants inputs never
 *     wraps. The weight fraction travels as a last element quantised on [0, 1].
 *
 * (b) Statistics and evaluation sums: exact two's-complement fixed point.
 *     A value is rounded to the nearest multiple of 2^-24 and held as a
 *     96-bit integer in 4 limbs of 24 bits, one limb per uint32. Up to 256
 *     participants' limbs add without overflowing a uint32, so the carries
 *     are resolved only after unmasking and the sum is exact.
 *     Limits: |value| <= 2^62 (about 4.6e18) per participant, resolution
 *     2^-24 (about 6e-8), at most 256 participants; the decoded sum is the
 *     exact fixed-point sum rounded once to the nearest double.
 */
import { SecAggError } from './errors';

export interface QuantizationSettings {
  /** c: each weighted value is clipped to [−c, c]. */
  clippingRange: number;
  /** Most inputs ever summed; fixes the levels so the sum never wraps modulo 2^32. */
  maxParticipants: number;
}

const MAX_QUANTIZED_PARTICIPANTS = 2 ** 24;

function badValue(message: string, details: Record<string, unknown>): SecAggError {
  return new SecAggError('SECAGG_BAD_MESSAGE', message, { phase: 'encoding', ...details });
}

/** L: the top level of one participant's element. */
function levels(settings: QuantizationSettings): number {
  const { clippingRange, maxParticipants } = settings;
  if (!Number.isFinite(clippingRange) || clippingRange <= 0) {
    throw badValue(`clippingRange must be a finite number > 0, got ${clippingRange}`, { clippingRange });
  }
  if (!Number.isSafeInteger(maxParticipants) || maxParticipants < 1 || maxParticipants > MAX_QUANTIZED_PARTICIPANTS) {
    throw badValue(`maxParticipants must be a whole number in [1, ${MAX_QUANTIZED_PARTICIPANTS}], got ${maxParticipants}`, { maxParticipants });
  }
  return Math.floor((2 ** 32 - 1) / maxParticipants);
}

/**
 * The spacing of levels, 2c / L: the most one participant's rounding moves
 * one element of its weighted update. The weighted mean of k contributors
 * with total weight W is within k · 1.5 · step / W of the exact one (the
 * weight's own rounding adds the half step).
 */
export function quantizationStep(settings: QuantizationSettings): number {
  return (2 * settings.clippingRange) / levels(settings);
}

function stochasticRound(value: number, top: number, random: () => number): number {
  const low = Math.floor(value);
  return Math.min(top, low + (random() < value - low ? 1 : 0));
}

/** weightFraction·v clipped and stochastically rounded (unbiased), plus the quantised weight: d + 1 elements. */
export function quantizeWeighted(
  vector: Float32Array | Float64Array,
  weightFraction: number,
  settings: QuantizationSettings,
  random: () => number,
): Uint32Array {
  const top = levels(settings);
  if (!Number.isFinite(weightFraction) || weightFraction < 0 || weightFraction > 1) {
    throw badValue(`weightFraction must be in [0, 1], got ${weightFraction}`, { weightFraction });
  }
  const c = settings.clippingRange;
  const scale = top / (2 * c);
  const out = new Uint32Array(vector.length + 1);
  for (let i = 0; i < vector.length; i++) {
    const v = vector[i];
    if (!Number.isFinite(v)) throw badValue(`update element ${i} is not finite`, { index: i });
    const clipped = Math.max(-c, Math.min(c, weightFraction * v));
    out[i] = stochasticRound((clipped + c) * scale, top, random);
  }
  out[vector.length] = stochasticRound(weightFraction * top, top, random);
  return out;
}

/** Σ weightFraction·v (clipped) and Σ weightFraction over `contributors` inputs. */
export function dequantizeSum(sum: Uint32Array, contributors: number, settings: QuantizationSettings): { weightedSum: Float64Array; totalWeight: number } {
  const top = levels(settings);
  if (!Number.isSafeInteger(contributors) || contributors < 1 || contributors > settings.maxParticipants) {
    throw badValue(`contributors must be a whole number in [1, ${settings.maxParticipants}] (maxParticipants), got ${contributors}`, { contributors });
  }
  if (sum.length < 1) throw badValue('a quantised sum has at least the weight element', { length: sum.length });
  const c = settings.clippingRange;
  const step = (2 * c) / top;
  const d = sum.length - 1;
  const weightedSum = new Float64Array(d);
  const offset = contributors * c;
  for (let i = 0; i < d; i++) weightedSum[i] = sum[i] * step - offset;
  return { weightedSum, totalWeight: sum[d] / top };
}

export const EXACT_FRACTION_BITS = 24;
export const EXACT_LIMBS = 4;
export const EXACT_MAX_PARTICIPANTS = 256;
export const EXACT_MAX_MAGNITUDE = 2 ** 62;
const LIMB = 2 ** 24;
const LIMB_MASK = LIMB - 1;
const SCALE = 2 ** EXACT_FRACTION_BITS;

/** Elements of an exact encoding: 4 limbs per value and 4 for the weight. */
export function exactEncodedLength(valueCount: number): number {
  return (valueCount + 1) * EXACT_LIMBS;
}

/** Two's complement of 4 limbs modulo 2^96, in place. */
function negateLimbs(limbs: number[]): void {
  let carry = 1;
  for (let k = 0; k < EXACT_LIMBS; k++) {
    const flipped = LIMB_MASK - limbs[k] + carry;
    limbs[k] = flipped & LIMB_MASK;
    carry = flipped >= LIMB ? 1 : 0;
  }
}

function encodeOne(value: number, index: number, out: Uint32Array, at: number): void {
  if (!Number.isFinite(value) || Math.abs(value) > EXACT_MAX_MAGNITUDE) {
    throw badValue(`value ${index} (${value}) is outside the exact encoding's range: finite, |value| <= 2^62`, { index, max: EXACT_MAX_MAGNITUDE });
  }
  // Scaling by a power of two is exact; |scaled| <= 2^86 is an integer-valued double.
  const scaled = Math.round(value * SCALE);
  let magnitude = Math.abs(scaled);
  const limbs: number[] = [];
  for (let k = 0; k < EXACT_LIMBS; k++) {
    const limb = magnitude % LIMB;
    limbs.push(limb);
    magnitude = (magnitude - limb) / LIMB;
  }
  if (scaled < 0) negateLimbs(limbs);
  for (let k = 0; k < EXACT_LIMBS; k++) out[at + k] = limbs[k];
}

/** Each value (already a sum, e.g. Σx or Σx²) and the weight (e.g. a count) as exact fixed point. */
export function encodeExact(vector: Float64Array, weight: number): Uint32Array {
  const out = new Uint32Array(exactEncodedLength(vector.length));
  for (let i = 0; i < vector.length; i++) encodeOne(vector[i], i, out, i * EXACT_LIMBS);
  encodeOne(weight, vector.length, out, vector.length * EXACT_LIMBS);
  return out;
}

function decodeOne(sum: Uint32Array, at: number, contributors: number): number {
  const limbs: number[] = [];
  let carry = 0;
  for (let k = 0; k < EXACT_LIMBS; k++) {
    const raw = sum[at + k];
    if (raw > contributors * LIMB_MASK) {
      throw badValue(`limb ${at + k} holds ${raw}, more than ${contributors} contributors can add up to`, { index: at + k, contributors });
    }
    const total = raw + carry;
    limbs.push(total % LIMB);
    carry = Math.floor(total / LIMB);
  }
  // The carry out of the top limb is the wrap-around modulo 2^96.
  const negative = limbs[EXACT_LIMBS - 1] >= LIMB / 2;
  if (negative) negateLimbs(limbs);
  let magnitude: number;
  if (limbs[3] === 0 && limbs[2] < 2 ** 5) {
    magnitude = (limbs[2] * LIMB + limbs[1]) * LIMB + limbs[0]; // below 2^53: exact
  } else {
    const big = (((BigInt(limbs[3]) << 24n | BigInt(limbs[2])) << 24n | BigInt(limbs[1])) << 24n) | BigInt(limbs[0]);
    magnitude = Number(big); // one correct rounding
  }
  const value = magnitude / SCALE;
  return negative ? -value : value;
}

/** The exact sums of `contributors` encodings, each rounded once to a double. */
export function decodeExactSum(sum: Uint32Array, contributors: number): { weightedSum: Float64Array; totalWeight: number } {
  if (!Number.isSafeInteger(contributors) || contributors < 1 || contributors > EXACT_MAX_PARTICIPANTS) {
    throw badValue(`an exact sum holds 1 to ${EXACT_MAX_PARTICIPANTS} contributors, got ${contributors}`, { contributors });
  }
  if (sum.length < EXACT_LIMBS || sum.length % EXACT_LIMBS !== 0) {
    throw badValue(`an exact sum has a multiple of ${EXACT_LIMBS} elements (at least ${EXACT_LIMBS}), got ${sum.length}`, { length: sum.length });
  }
  const d = sum.length / EXACT_LIMBS - 1;
  const weightedSum = new Float64Array(d);
  for (let i = 0; i < d; i++) weightedSum[i] = decodeOne(sum, i * EXACT_LIMBS, contributors);
  return { weightedSum, totalWeight: decodeOne(sum, d * EXACT_LIMBS, contributors) };
}

/**
 * (c) The Skellam mechanism's integers (common/privacy/skellam.ts): each
 *     element is taken modulo 2^32 as it is (two's complement), and one last
 *     element of 1 counts the contributor (distributed DP weighs every
 *     member the same). The sum of up to the roster is read back as signed
 *     32-bit integers; the mechanism's granularity is chosen so that this
 *     rarely wraps, and a wrap is post-processing of the noisy sum, which
 *     costs accuracy, never privacy.
 */
const TWO_POW_32 = 2 ** 32;
const TWO_POW_31 = 2 ** 31;

/** An integer vector (the mechanism's output) modulo 2^32, plus the weight element 1: d + 1 elements. */
export function encodeSignedIntegers(vector: Float32Array | Float64Array): Uint32Array {
  const out = new Uint32Array(vector.length + 1);
  for (let i = 0; i < vector.length; i++) {
    const v = vector[i];
    if (!Number.isSafeInteger(v)) throw badValue(`element ${i} is not an integer: the skellam encoding takes the Skellam mechanism's output`, { index: i });
    out[i] = v >>> 0; // ToUint32 is v modulo 2^32, exact for every safe integer
  }
  out[vector.length] = 1;
  return out;
}

/** The signed integer sum times the granularity, and the number of contributors its weight element counted. */
export function decodeSignedIntegerSum(sum: Uint32Array, contributors: number, scale: number): { weightedSum: Float64Array; totalWeight: number } {
  if (!Number.isFinite(scale) || scale <= 0) throw badValue(`the skellam granularity must be a finite number > 0, got ${scale}`, { scale });
  if (sum.length < 1) throw badValue('a skellam sum has at least the weight element', { length: sum.length });
  const d = sum.length - 1;
  if (sum[d] !== contributors) {
    throw badValue(`the weight element of a skellam sum counts ${sum[d]} contributors, but ${contributors} were summed`, { counted: sum[d], contributors });
  }
  const weightedSum = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    const raw = sum[i];
    weightedSum[i] = (raw >= TWO_POW_31 ? raw - TWO_POW_32 : raw) * scale;
  }
  return { weightedSum, totalWeight: contributors };
}
