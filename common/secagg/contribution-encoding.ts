/**
 * Which encoding a secure collection uses, and the one place where a
 * participant's float contribution becomes the Z_{2^32} vector it masks, and
 * the unmasked sum becomes floats again. Model updates are quantised
 * stochastically (their weight travels as one extra element); statistics and
 * evaluation sums use exact fixed point, because they hold counts and sums of
 * squares far outside any sensible clipping range. Under distributed DP the
 * update is already the Skellam mechanism's integer vector
 * (common/privacy/skellam.ts, applied by the participant with its own
 * randomness): the 'skellam' encoding only takes it modulo 2^32, and the
 * server reads the signed sum times the granularity `scale`.
 */
import { SecAggError } from './errors';
import { decodeExactSum, decodeSignedIntegerSum, dequantizeSum, encodeExact, encodeSignedIntegers, exactEncodedLength, quantizeWeighted } from './encoding';

export type ContributionEncoding =
  | { kind: 'quantized'; clippingRange: number; maxWeight: number; cohortSize: number }
  | { kind: 'exact' }
  /** Distributed DP: the integers of the Skellam mechanism; one integer step is `scale` in the model's units. */
  | { kind: 'skellam'; scale: number };

export function encodedLength(encoding: ContributionEncoding, elementCount: number): number {
  return encoding.kind === 'exact' ? exactEncodedLength(elementCount) : elementCount + 1;
}

/** The share of the weight a participant claims: examples / maxWeight, capped at 1; 0 maxWeight (and skellam) means weights of 1. */
export function weightFraction(encoding: ContributionEncoding, weight: number): number {
  if (encoding.kind !== 'quantized' || encoding.maxWeight <= 0) return 1;
  return Math.min(1, weight / encoding.maxWeight);
}

/** `random` drives only the quantised encoding's rounding; the skellam encoding is deterministic (its randomness was the mechanism's). */
export function encodeContribution(encoding: ContributionEncoding, vector: Float32Array | Float64Array, weight: number, random: () => number): Uint32Array {
  if (encoding.kind === 'exact') return encodeExact(vector instanceof Float64Array ? vector : Float64Array.from(vector), weight);
  if (encoding.kind === 'skellam') return encodeSignedIntegers(vector);
  return quantizeWeighted(vector, weightFraction(encoding, weight), { clippingRange: encoding.clippingRange, maxParticipants: encoding.cohortSize }, random);
}

export function decodeAggregate(encoding: ContributionEncoding, sum: Uint32Array, contributors: number): { weightedSum: Float64Array; totalWeight: number } {
  if (encoding.kind === 'exact') return decodeExactSum(sum, contributors);
  if (encoding.kind === 'skellam') return decodeSignedIntegerSum(sum, contributors, encoding.scale);
  if (contributors > encoding.cohortSize) {
    throw new SecAggError('SECAGG_BAD_MESSAGE', `a sum of ${contributors} quantised inputs exceeds the cohort of ${encoding.cohortSize} it was sized for`, { phase: 'encoding' });
  }
  const decoded = dequantizeSum(sum, contributors, { clippingRange: encoding.clippingRange, maxParticipants: encoding.cohortSize });
  if (encoding.maxWeight <= 0) return decoded;
  // Back from weight fractions to example counts, so the total weight reads as examples again.
  for (let i = 0; i < decoded.weightedSum.length; i++) decoded.weightedSum[i] *= encoding.maxWeight;
  return { weightedSum: decoded.weightedSum, totalWeight: decoded.totalWeight * encoding.maxWeight };
}
