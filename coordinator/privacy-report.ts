/**
 * report.json's privacy section: which protections ran, and exactly what
 * the reported ε covers and what it does not. A reader should not have to
 * know the code to learn that ε is about model updates only, that no
 * sampling amplification was credited, and which adversary the secure
 * aggregation parameters were chosen for.
 */
import type { JobSpec } from '../common/job-spec';
import { secureGraphOf } from '../common/round-plan';
import { SAMPLING_RATE, type PrivacySummary } from './privacy-budget';

type ReportSpec = Pick<JobSpec, 'secureAggregation' | 'minParticipants' | 'roundDeadlineSeconds' | 'differentialPrivacy' | 'training'>;

/** The adversary the secure-aggregation parameters of the first round's roster withstand. */
export interface SecureAggregationAdversary {
  /** The roster the figures are computed for: the first round's (later rosters may differ). */
  rosterSize: number;
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
  // An odd degree, or one reaching every other member, gives the complete graph (common/secagg's ring rule).
  const complete = degree >= rosterSize - 1 || degree % 2 === 1;
  const neighbourhoodSize = complete ? rosterSize : degree + 1;
  // A hostile aggregator exposes an input once c colluding neighbours reach 2t − m (Bonawitz et al.'s 2t > n + n_C, per neighbourhood).
  const toleratesColludingNeighbours = Math.max(0, 2 * threshold - neighbourhoodSize - 1);
  const bound = 2 * threshold - neighbourhoodSize;
  const figures = `degree ${degree}, threshold t = ${threshold}, neighbourhood m = ${neighbourhoodSize}, roster ${rosterSize} in the first round`;
  const statement = bound > 0
    ? `chosen for an active, hostile aggregator colluding with fewer than 2t - m = ${bound} of any participant's neighbours (${figures})`
    : `withstands no colluding neighbour of an active, hostile aggregator, since 2t - m = ${bound} (${figures})`;
  return { rosterSize, degree, threshold, neighbourhoodSize, toleratesColludingNeighbours, statement };
}
