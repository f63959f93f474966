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
import { skellamParameters } from '../privacy';
import { adversaryParameters, DEFAULT_EXPOSURE_BOUND, noSafeThreshold, safeThreshold } from './adversary-parameters';
import { exposureProbability, isCompleteGraph } from './exposure';
import { minimumThreshold } from './secagg-config';

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

/** What the collection carries: a model update (quantised, or the Skellam mechanism's integers when noiseStd > 0) or exact sums (statistics, evaluation). */
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

type GraphSettings = Pick<SecureAggregationSpec, 'threshold' | 'neighbours' | 'collusionFraction' | 'dropoutRate'>;

/**
 * Neighbours of each member and the shares needed, for a roster of
 * `rosterSize`: what the spec states, and otherwise what the stated adversary
 * implies (adversaryParameters; for a stated degree alone, its smallest
 * exposure-safe threshold). A stated degree with no exposure-safe threshold
 * throws; compileJobSpec refuses such specs (collectionGraphProblem), so a
 * compiled spec never gets here with one.
 */
export function collectionGraph(settings: GraphSettings, rosterSize: number): { degree: number; threshold: number } {
  const collusionFraction = settings.collusionFraction ?? DEFAULT_COLLUSION_FRACTION;
  if (settings.neighbours === undefined) {
    const derived = adversaryParameters({ participants: rosterSize, collusionFraction, dropoutRate: settings.dropoutRate ?? DEFAULT_DROPOUT_RATE });
    return { degree: derived.degree, threshold: settings.threshold ?? derived.threshold };
  }
  const degree = Math.min(rosterSize - 1, settings.neighbours);
  if (settings.threshold !== undefined) return { degree, threshold: settings.threshold };
  const threshold = safeThreshold(rosterSize, degree, collusionFraction);
  if (threshold === undefined) throw noSafeThreshold(rosterSize, degree, collusionFraction, DEFAULT_EXPOSURE_BOUND, 'neighbours');
  return { degree, threshold };
}

/**
 * Why the spec's graph over a roster of `rosterSize` is unsafe, as a job-spec
 * field problem, or undefined when it is safe: a threshold below a strict
 * majority, below k/2 + 2 on the sparse ring, or an exposure probability
 * (exposure.ts) not below DEFAULT_EXPOSURE_BOUND. Derived values always pass;
 * stated ones are checked, since the agent must refuse what it cannot trust.
 */
export function collectionGraphProblem(settings: GraphSettings, rosterSize: number): { path: string; expected: string; found: string } | undefined {
  const collusionFraction = settings.collusionFraction ?? DEFAULT_COLLUSION_FRACTION;
  // Blame the field the spec states: the threshold if it names one, else the degree that allows no safe threshold.
  const path = settings.threshold !== undefined ? 'secureAggregation.threshold' : 'secureAggregation.neighbours';
  let graph: { degree: number; threshold: number };
  try {
    graph = collectionGraph(settings, rosterSize);
  } catch (err) {
    return { path, expected: `a degree with an exposure-safe threshold for a roster of ${rosterSize} at collusion fraction ${collusionFraction}`, found: (err as Error).message };
  }
  const { degree, threshold } = graph;
  const complete = isCompleteGraph(rosterSize, degree);
  const size = complete ? rosterSize : degree + 1;
  const majority = minimumThreshold(size);
  if (threshold < majority) {
    return { path, expected: `at least ${majority}, a strict majority of the neighbourhood of ${size} for a roster of ${rosterSize}`, found: String(threshold) };
  }
  const ringMinimum = minimumThreshold(size, !complete);
  if (threshold < ringMinimum) {
    return { path, expected: `at least ${ringMinimum} (degree ${degree} / 2 + 2) on the sparse ring of a roster of ${rosterSize}`, found: String(threshold) };
  }
  const exposure = exposureProbability({ participants: rosterSize, degree, threshold, collusionFraction });
  if (exposure >= DEFAULT_EXPOSURE_BOUND) {
    return {
      path,
      expected: `an exposure probability below 2^-40 with collusion fraction ${collusionFraction} for a roster of ${rosterSize}`,
      found: `exposure probability ${exposure.toPrecision(3)} at degree ${degree}, threshold ${threshold}`,
    };
  }
  return undefined;
}

/**
 * Model updates are quantised, their weight travelling as one extra element;
 * statistics and evaluation sums are encoded exactly.
 */
export function collectionEncoding(settings: SecureAggregationSpec, contribution: CollectedContribution, rosterSize: number): ContributionEncoding {
  if (contribution.kind === 'sums') return { kind: 'exact' };
  const { clipNorm, noiseStd, weighting } = contribution;
  // Distributed DP: the Skellam mechanism's integers, at the granularity every member derives from the same public values.
  if (noiseStd > 0) return { kind: 'skellam', scale: skellamParameters({ clipNorm, memberNoiseStd: noiseStd, members: rosterSize }).scale };
  // Central DP clips to clipNorm, which must pass quantisation unclipped.
  const clippingRange = Math.max(settings.clippingRange, clipNorm);
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
