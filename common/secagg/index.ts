/** Secure aggregation (SecAgg / SecAgg+): the whole public surface. */
export type {
  EncryptedShare,
  IdentityKeyPair,
  IdentityRoster,
  KeyAdvertisement,
  RevealedShare,
  SecAggConfig,
  SurvivorSignature,
  UnmaskResponse,
} from './types';
export { SecAggError, type SecAggErrorCode, type SecAggErrorDetails, type SecAggPhase } from './errors';
export {
  compileSecAggConfig,
  configDigest,
  defaultDegree,
  defaultThreshold,
  minimumThreshold,
  neighbourhood,
  MAX_ELEMENT_COUNT,
  type SecAggConfigInput,
} from './secagg-config';
export { generateIdentity, identityFromPem, identityFromSeed, publicKeyFromPem, verifySignature } from './identity';
export { combineShares, splitSecret, type Share } from './shamir';
export {
  createMaskExpander,
  InlineMaskExpander,
  sharedUint32Array,
  WorkerMaskExpander,
  type MaskExpander,
  type MaskJob,
} from './mask-expansion';
export {
  decodeExactSum,
  dequantizeSum,
  encodeExact,
  exactEncodedLength,
  quantizationStep,
  quantizeWeighted,
  EXACT_FRACTION_BITS,
  EXACT_MAX_MAGNITUDE,
  EXACT_MAX_PARTICIPANTS,
  type QuantizationSettings,
} from './encoding';
export { decodeAggregate, encodeContribution, encodedLength, weightFraction, type ContributionEncoding } from './contribution-encoding';
export {
  collectionEncoding,
  collectionGraph,
  collectionPhaseTimeoutMs,
  collectionPlan,
  DEFAULT_COLLUSION_FRACTION,
  DEFAULT_DROPOUT_RATE,
  type CollectedContribution,
  type CollectionPlan,
  type SecureAggregationSpec,
} from './collection-plan';
export { SecAggClient, type SecAggClientOptions } from './secagg-client';
export { SecAggServer, type SecAggServerOptions, type SecAggServerPhase } from './secagg-server';
