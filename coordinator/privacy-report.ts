/**
 * report.json's privacy section: which protections ran, and exactly what
 * the reported ε covers and what it does not. A reader should not have to
 * know the code to learn that ε is about model updates only, that no
 * sampling amplification was credited, and which adversary the secure
 * aggregation parameters were chosen for.
 */
import type { JobSpec } from '../common/job-spec';
import { secureGraphOf } from '../common/round-plan';
import { DEFAULT_EXPOSURE_BOUND } from '../common/secagg/adversary-parameters';
import { DEFAULT_COLLUSION_FRACTION, DEFAULT_DROPOUT_RATE } from '../common/secagg/collection-plan';
import { exposureProbability, isCompleteGraph, shortfallProbability } from '../common/secagg/exposure';
import { SAMPLING_RATE, type PrivacySummary } from './privacy-budget';

type ReportSpec = Pick<JobSpec, 'secureAggregation' | 'minParticipants' | 'roundDeadlineSeconds' | 'differentialPrivacy' | 'training'>;

/** The adversary the secure-aggregation parameters of the first round's roster withstand. */
export interface SecureAggregationAdversary {
  /** The roster the figures are computed for: the first round's (later rosters may differ). */
  rosterSize: number;
  /** γ: the fraction of participants assumed to collude with the aggregator. */
  collusionFraction: number;
  /** ρ: the fraction of a collection's members expected to drop out. */
  dropoutRate: number;
  /** The exposure probability every graph of the job must stay below. */
  exposureBound: number;
  /** Upper bound on the probability that the aggregator learns an honest input or a part of the honest sum in one collection (exposure.ts). */
  exposure: number;
  /** Upper bound on the probability that some neighbourhood keeps fewer than t members at the dropout rate. */
  failure: number;
  /** Neighbours of each participant besides itself. */
  degree: number;
  /** Shares needed to reconstruct a secret. */
  threshold: number;
  /** m: a participant and its neighbours (the whole roster on the complete graph). */
  neighbourhoodSize: number;
  /** Colluding neighbours (with an active, hostile aggregator) tolerated: fewer than 2t − m. */
  toleratesColludingNeighbours: number;
  statement: string;
}

export interface PrivacyReport {
  secureAggregation: JobSpec['secureAggregation'] & { adversary: SecureAggregationAdversary | null };
  differentialPrivacy: PrivacySummary | null;
  /** The releases ε covers; empty without differential privacy. */
  covers: string[];
  /** Releases that ε does not cover, each with why. */
  notCovered: Array<{ release: string; reason: string }>;
  /** The sampling rate ε was accounted at; null without differential privacy. */
  samplingRate: typeof SAMPLING_RATE | null;
  samplingRateReason: string | null;
  /** The contributor count each round was charged at; null without differential privacy. */
  accountedAt: string | null;
}

const MODEL_UPDATES = 'model updates of every fit round';

/** Released exactly whatever the DP mode: the noise only ever goes on model updates. */
const EXACT_RELEASES: PrivacyReport['notCovered'] = [
  { release: 'preprocessing statistics (normalisation sums)', reason: 'released exactly, without noise, and never charged to ε' },
  { release: 'evaluation sums of every round', reason: 'released exactly, without noise, and never charged to ε' },
  { release: 'the number of examples per round and the contributors of each round', reason: 'released exactly in the report and the transcript, and never charged to ε' },
];

/**
 * @param firstRosterSize participants asked in the first round; 0 when none were admitted.
 */
export function privacyReportOf(spec: ReportSpec, firstRosterSize: number, dp: PrivacySummary | null): PrivacyReport {
  return {
    secureAggregation: { ...spec.secureAggregation, adversary: adversaryOf(spec, firstRosterSize) },
    differentialPrivacy: dp,
    covers: dp ? [MODEL_UPDATES] : [],
    notCovered: dp ? EXACT_RELEASES : [{ release: MODEL_UPDATES, reason: 'the job runs without differential privacy' }, ...EXACT_RELEASES],
    samplingRate: dp ? SAMPLING_RATE : null,
    samplingRateReason: dp ? 'the cohort is drawn from the job spec\'s public seed and sent to every member as its roster, so sampling is no secret and amplifies nothing' : null,
    accountedAt: dp ? 'the fewest survivors every participant enforces' : null,
  };
}

/** Figures from secureGraphOf, the derivation every participant repeats; null when the job aggregates in the clear. */
function adversaryOf(spec: ReportSpec, rosterSize: number): SecureAggregationAdversary | null {
  if (rosterSize < 1) return null;
  const graph = secureGraphOf(spec, rosterSize);
  if (!graph) return null;
  const { degree, threshold } = graph;
  const collusionFraction = spec.secureAggregation.collusionFraction ?? DEFAULT_COLLUSION_FRACTION;
  const dropoutRate = spec.secureAggregation.dropoutRate ?? DEFAULT_DROPOUT_RATE;
  const neighbourhoodSize = isCompleteGraph(rosterSize, degree) ? rosterSize : degree + 1;
  // A hostile aggregator exposes an input once c colluding neighbours reach 2t − m (Bonawitz et al.'s 2t > n + n_C, per neighbourhood).
  const toleratesColludingNeighbours = Math.max(0, 2 * threshold - neighbourhoodSize - 1);
  const exposure = exposureProbability({ participants: rosterSize, degree, threshold, collusionFraction });
  const failure = shortfallProbability(rosterSize, degree, threshold, dropoutRate);
  const figures = `degree ${degree}, threshold t = ${threshold}, neighbourhood m = ${neighbourhoodSize}, roster ${rosterSize} in the first round`;
  const statement =
    `chosen for an active, hostile aggregator colluding with a fraction ${collusionFraction} of the participants: ` +
    `it learns an honest input or a part of the honest sum with probability at most ${exposure.toPrecision(3)} per collection (bound ${DEFAULT_EXPOSURE_BOUND.toPrecision(3)}), ` +
    `at most ${toleratesColludingNeighbours} colluding neighbours of one participant are harmless, ` +
    `and a collection fails for lack of survivors with probability at most ${failure.toPrecision(3)} at dropout rate ${dropoutRate} (${figures}); ` +
    'the ring graph is fixed by the collection settings, so a coordinator that tries many of them multiplies the exposure by the number tried';
  return { rosterSize, collusionFraction, dropoutRate, exposureBound: DEFAULT_EXPOSURE_BOUND, exposure, failure, degree, threshold, neighbourhoodSize, toleratesColludingNeighbours, statement };
}
