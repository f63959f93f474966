/**
 * The participant's side of the distributed Skellam mechanism (Agarwal,
 * Kairouz & Liu 2021), run inside the organisation before masking:
 *   1. clip the update to L2 norm C;
 *   2. scale by 1/s, s the granularity of skellamParameters;
 *   3. round each coordinate randomly to a neighbouring integer, unbiased,
 *      and draw again until the rounded vector's L2 norm is at most Δ2
 *      (conditional randomized rounding, Kairouz, Liu & Steinke 2021), so
 *      Δ2 holds for every vector that leaves, not only with high probability;
 *   4. add symmetric Skellam noise of the member's variance to every
 *      coordinate (two exact Poisson draws, see poisson.ts).
 * Every draw comes from the OS CSPRNG unless a test passes its own source.
 * The result is an integer vector; the secure sum adds these modulo 2^32
 * and the server reads the signed sum times s.
 *
 * The granularity depends only on C, the member's noise std σ (in the
 * model's units) and the roster's size n, all public and recomputed by
 * every participant, so the coordinator, the aggregator and each member
 * derive the same s. It is the finest s at which a sum of n members rarely
 * wraps at 32 bits: n·Δ2 (every member's whole norm on one coordinate) plus
 * 8 standard deviations of the summed noise fits in ±(2^31 − 1). A wrap only
 * spoils that coordinate of the model (reducing modulo 2^32 is
 * post-processing of the noisy integer sum), never the privacy. s is also
 * never so fine that a Poisson mean exceeds MAX_POISSON_MEAN.
 *
 * Δ2 is (1 + 10^-4)·C/s. Rounding adds at most d/4 + √(2·ln(1/β))·(C/s + √d/2)
 * to the squared norm except with probability β (Kairouz, Liu & Steinke
 * 2021, Theorem 1 / Prop. 22); the margin 2·10^-4·(C/s)² leaves room for it
 * at β = 2^-20 for the models this system trains (d up to ~10^9 for rosters
 * up to 1000 while each member's noise std is at most 10·C; more noise per
 * member lowers that limit), and assertRoundable says so, or refuses with
 * a clear error, for a given d before anything is drawn. So
 * one draw is almost always accepted and ROUNDING_ATTEMPTS draws fail
 * together with probability below 2^-160, the only residual event, which
 * noise-plan counts in δ.
 */
import { PrivacyError, invalidSetting } from './errors';
import { MAX_POISSON_MEAN, skellamDraw } from './poisson';
import { secureUniformSource } from './secure-uniform';
import type { SkellamStep } from './skellam-rdp';
import { integerL1Bound } from './skellam-rdp';

/** The most the sum of a roster may reach on one coordinate: a signed 32-bit integer. */
const SIGNED_RANGE = 2 ** 31 - 1;
/** Standard deviations of the summed noise kept inside the range. */
const NOISE_TAIL_DEVIATIONS = 8;
/** Δ2 = (1 + margin)·C/s: the room rounding may take. */
export const ROUNDING_MARGIN = 1e-4;
/** β of one rounding draw: each is accepted with probability at least 1 − 2^-20. */
const ROUNDING_FAILURE_PER_DRAW = 2 ** -20;
export const ROUNDING_ATTEMPTS = 8;
/** The probability that all ROUNDING_ATTEMPTS draws of one member fail: (2^-20)^8. */
export const ROUNDING_FAILURE_PROBABILITY = ROUNDING_FAILURE_PER_DRAW ** ROUNDING_ATTEMPTS;

export interface SkellamParameters {
  /** s: one integer step is s in the model's units. */
  scale: number;
  /** C, in the model's units. */
  clipNorm: number;
  /** Δ2, in integer units: the L2 bound every rounded, scaled update meets. */
  l2Bound: number;
  /** Variance of the Skellam noise one member adds to each coordinate, in integer units. */
  memberVariance: number;
}

/** The granularity and bounds for members of a roster of `members` each adding noise of std `memberNoiseStd` (model units). */
export function skellamParameters(options: { clipNorm: number; memberNoiseStd: number; members: number }): SkellamParameters {
  const { clipNorm, memberNoiseStd, members } = options;
  if (!Number.isFinite(clipNorm) || clipNorm <= 0) throw invalidSetting(`clipNorm must be a finite number > 0, got ${clipNorm}`, { clipNorm });
  if (!Number.isFinite(memberNoiseStd) || memberNoiseStd <= 0) throw invalidSetting(`memberNoiseStd must be a finite number > 0, got ${memberNoiseStd}`, { memberNoiseStd });
  if (!Number.isInteger(members) || members < 1) throw invalidSetting(`members must be a whole number >= 1, got ${members}`, { members });
  const rangeScale = (members * (1 + ROUNDING_MARGIN) * clipNorm + NOISE_TAIL_DEVIATIONS * Math.sqrt(members) * memberNoiseStd) / SIGNED_RANGE;
  // Each member's noise is two Poisson(λ) draws with 2λ = (σ/s)²: s ≥ σ/√(2·MAX_POISSON_MEAN) bounds λ.
  // (A hair coarser, so that the float rounding of (σ/s)²/2 can never land above the sampler's limit.)
  const poissonScale = (memberNoiseStd / Math.sqrt(2 * MAX_POISSON_MEAN)) * (1 + 1e-9);
  const scale = Math.max(rangeScale, poissonScale);
  return { scale, clipNorm, l2Bound: ((1 + ROUNDING_MARGIN) * clipNorm) / scale, memberVariance: (memberNoiseStd / scale) ** 2 };
}

/** The round's Skellam step when `honestMembers` members added their noise (≤ 0: no noise counted at all). */
export function skellamStepOf(parameters: SkellamParameters, honestMembers: number): SkellamStep {
  const { l2Bound } = parameters;
  return { mechanism: 'skellam', l2Sensitivity: l2Bound, l1Sensitivity: integerL1Bound(l2Bound), variance: Math.max(0, honestMembers) * parameters.memberVariance };
}

/** The squared-norm bound rounding meets with probability ≥ 1 − β for a vector of scaled norm ≤ c in d dimensions. */
function roundedSquaredBound(c: number, dimension: number, beta: number): number {
  return c * c + dimension / 4 + Math.sqrt(2 * Math.log(1 / beta)) * (c + Math.sqrt(dimension) / 2);
}

/** Refuses a model too large for the rounding margin at this granularity (PRIVACY_INVALID_SETTING). */
export function assertRoundable(parameters: SkellamParameters, dimension: number): void {
  const scaledClip = parameters.clipNorm / parameters.scale;
  if (roundedSquaredBound(scaledClip, dimension, ROUNDING_FAILURE_PER_DRAW) > parameters.l2Bound ** 2) {
    throw invalidSetting(
      `a model of ${dimension} parameters cannot be rounded within the Skellam sensitivity bound at granularity ${parameters.scale}: the roster is too large or the noise too high for 32-bit sums of a model this size`,
      { dimension, scale: parameters.scale },
    );
  }
}

/**
 * The Skellam mechanism on one update (see the module comment); returns the
 * integer vector to encode. `uniform` defaults to the OS CSPRNG.
 */
export function skellamPrivatize(update: Float32Array | Float64Array, parameters: SkellamParameters, uniform: () => number = secureUniformSource()): Float64Array {
  const d = update.length;
  assertRoundable(parameters, d);
  const { scale, clipNorm, l2Bound } = parameters;
  let squaredNorm = 0;
  for (let i = 0; i < d; i++) {
    const value = update[i];
    if (!Number.isFinite(value)) throw new PrivacyError('PRIVACY_INVALID_VECTOR', `update element ${i} is not finite`, { index: i });
    squaredNorm += value * value;
  }
  const norm = Math.sqrt(squaredNorm);
  // Clipped again here (the caller clips too) so that no path reaches rounding with a norm above C.
  const factor = (norm > clipNorm ? clipNorm / norm : 1) / scale;
  const scaled = new Float64Array(d);
  for (let i = 0; i < d; i++) scaled[i] = update[i] * factor;
  // A hair below Δ2², so that rounding in the norm's own float sum can never admit a vector above Δ2.
  const limit = l2Bound * l2Bound * (1 - 1e-12);
  const out = new Float64Array(d);
  for (let attempt = 0; attempt < ROUNDING_ATTEMPTS; attempt++) {
    let rounded = 0;
    for (let i = 0; i < d; i++) {
      const low = Math.floor(scaled[i]);
      const value = low + (uniform() < scaled[i] - low ? 1 : 0);
      out[i] = value;
      rounded += value * value;
    }
    if (rounded <= limit) {
      const lambda = parameters.memberVariance / 2;
      for (let i = 0; i < d; i++) out[i] += skellamDraw(lambda, uniform);
      return out;
    }
  }
  throw new PrivacyError('PRIVACY_ROUNDING_FAILED', `no rounding of the update within the sensitivity bound in ${ROUNDING_ATTEMPTS} draws`, { attempts: ROUNDING_ATTEMPTS });
}
