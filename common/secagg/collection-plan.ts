/**
 * The settings of one secure collection as they follow from the job spec and
 * the roster's size alone: the neighbour graph's degree and threshold, the
 * encoding and its length, and the phase timeout. The coordinator builds its
 * collections with these functions and each participant recomputes them to
 * check what the coordinator sent, so the two can only agree if both derive
 * every value the same way, here.
 */
import type { ContributionEncoding } from './contribution-encoding';
import { encodedLength } from './contribution-encoding';
import { defaultDegree, defaultThreshold } from './secagg-config';

/** The job spec's `secureAggregation` section, compiled (every default filled in). */
export interface SecureAggregationSpec {
  threshold?: number;
  neighbours?: number;
  clippingRange: number;
  maxWeight: number;
  phaseTimeoutSeconds: number;
  /** γ, the tolerated fraction of colluding participants; absent: DEFAULT_COLLUSION_FRACTION. */
  collusionFraction?: number;
  /** Expected fraction of dropouts per collection; absent: DEFAULT_DROPOUT_RATE. */
  dropoutRate?: number;
}

/** The adversary a job states unless it says otherwise: a tenth of the participants collude, a tenth drop out. */
export const DEFAULT_COLLUSION_FRACTION = 0.1;
export const DEFAULT_DROPOUT_RATE = 0.1;

/** What the collection carries: a model update (quantised) or exact sums (statistics, evaluation). */
export type CollectedContribution =
  | { kind: 'update'; elementCount: number; clipNorm: number; noiseStd: number; weighting: 'examples' | 'uniform' }
  | { kind: 'sums'; elementCount: number };

export interface CollectionPlan {
  degree: number;
  threshold: number;
  encoding: ContributionEncoding;
  encodedElementCount: number;
  phaseTimeoutMs: number;
}

/** Neighbours of each member and the shares needed, for a roster of `rosterSize`. */
export function collectionGraph(settings: Pick<SecureAggregationSpec, 'threshold' | 'neighbours'>, rosterSize: number): { degree: number; threshold: number } {
  const degree = Math.min(rosterSize - 1, settings.neighbours ?? defaultDegree(rosterSize));
  return { degree, threshold: settings.threshold ?? defaultThreshold(degree + 1) };
}

/**
 * Model updates are quantised, their weight travelling as one extra element;
 * statistics and evaluation sums are encoded exactly.
 */
export function collectionEncoding(settings: SecureAggregationSpec, contribution: CollectedContribution, rosterSize: number): ContributionEncoding {
  if (contribution.kind === 'sums') return { kind: 'exact' };
  const { clipNorm, noiseStd, weighting } = contribution;
  // Distributed DP noise must pass quantisation unclipped: leave room for 8 standard deviations.
  const clippingRange = Math.max(settings.clippingRange, clipNorm > 0 ? clipNorm + 8 * noiseStd : 0);
  return { kind: 'quantized', clippingRange, maxWeight: weighting === 'uniform' ? 0 : settings.maxWeight, cohortSize: rosterSize };
}

/** How long each key and unmasking phase waits: the key phases must leave most of the round for training. */
export function collectionPhaseTimeoutMs(settings: Pick<SecureAggregationSpec, 'phaseTimeoutSeconds'>, roundDeadlineSeconds: number): number {
  return Math.min(settings.phaseTimeoutSeconds, roundDeadlineSeconds / 4) * 1000;
}

/** Every setting of a secure collection over a roster of `rosterSize` but the identity keys. */
export function collectionPlan(settings: SecureAggregationSpec, roundDeadlineSeconds: number, contribution: CollectedContribution, rosterSize: number): CollectionPlan {
  const encoding = collectionEncoding(settings, contribution, rosterSize);
  return {
    ...collectionGraph(settings, rosterSize),
    encoding,
    encodedElementCount: encodedLength(encoding, contribution.elementCount),
    phaseTimeoutMs: collectionPhaseTimeoutMs(settings, roundDeadlineSeconds),
  };
}
