/**
 * Differential privacy for user-level DP-FedAvg: clipping, Gaussian noise
 * (central), the Skellam mechanism (distributed), and Rényi-DP accounting
 * of both. Pure computation; the only outside input is OS randomness for
 * the secure noise source.
 */
export { PrivacyError } from './errors';
export type { PrivacyErrorCode } from './errors';
export { DEFAULT_ORDERS, PrivacyAccountant, epsilonFromRdp, rdpOfSampledGaussian } from './rdp-accountant';
export type { GaussianStep, PrivacyAccountantJson, PrivacyAccountantOptions, PrivacyStep, RdpConversion } from './rdp-accountant';
export { integerL1Bound, rdpOfSkellam } from './skellam-rdp';
export type { SkellamStep } from './skellam-rdp';
export { assertRoundable, skellamParameters, skellamPrivatize, skellamStepOf } from './skellam';
export type { SkellamParameters } from './skellam';
export { MAX_POISSON_MEAN, poissonDraw, skellamDraw } from './poisson';
export { secureUniformSource } from './secure-uniform';
export { noiseMultiplierForBudget } from './noise-calibration';
export type { NoiseBudget } from './noise-calibration';
export { distributedNoise, skellamAccountingDelta, skellamEpsilon } from './noise-plan';
export type { DistributedNoise, DistributedNoiseInput } from './noise-plan';
export { clipL2 } from './clipping';
export type { ClipResult } from './clipping';
export {
  addGaussianNoise,
  distributedNoiseStd,
  effectiveNoiseMultiplier,
  secureGaussianSource,
  seededGaussianSource,
} from './gaussian-noise';
export type { GaussianSource } from './gaussian-noise';
