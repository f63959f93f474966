/**
 * Differential privacy for user-level DP-FedAvg: clipping, Gaussian noise
 * (central or distributed), and Rényi-DP accounting of the sampled Gaussian
 * mechanism. Pure computation; the only outside input is OS randomness for
 * the secure noise source.
 */
export { PrivacyError } from './errors';
export type { PrivacyErrorCode } from './errors';
export { DEFAULT_ORDERS, PrivacyAccountant, epsilonFromRdp, rdpOfSampledGaussian } from './rdp-accountant';
export type { PrivacyAccountantJson, PrivacyAccountantOptions, PrivacyStep, RdpConversion } from './rdp-accountant';
export { noiseMultiplierForBudget } from './noise-calibration';
export type { NoiseBudget } from './noise-calibration';
export { distributedNoise } from './noise-plan';
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
