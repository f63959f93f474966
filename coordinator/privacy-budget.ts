/**
 * The job's differential-privacy budget: the noise multiplier it runs with
 * (given, or the smallest that fits every planned round), the accountant
 * that turns rounds into ε at the job's δ, and the check that ends the job
 * before a round could take ε past the budget.
 *
 * Distributed noise comes from common/round-plan, the derivation every
 * participant repeats to check (and add) its own share: it depends on the
 * round's roster, is calibrated at sampling rate 1 (a roster is no secret,
 * so sampling amplifies nothing), and is raised so that even the fewest
 * survivors the roster allows carry the calibrated noise. Each round is
 * admitted only if ε stays within budget with that few survivors, and is
 * recorded with the noise of the survivors actually present.
 */
import { effectiveNoiseMultiplier, noiseMultiplierForBudget, PrivacyAccountant, PrivacyError } from '../common/privacy';
import type { JobSpec } from '../common/job-spec';
import { distributedNoiseOf, fewestSurvivorsOf } from '../common/round-plan';

type DpSpec = NonNullable<JobSpec['differentialPrivacy']>;
type PlanSpec = Pick<JobSpec, 'secureAggregation' | 'minParticipants' | 'roundDeadlineSeconds' | 'training'> & { differentialPrivacy: DpSpec };

export interface PrivacySummary {
  mode: DpSpec['mode'];
  epsilonBudget: number;
  delta: number;
  clipNorm: number;
  /** The multiplier for the first round's roster (distributed noise follows each round's roster). */
  noiseMultiplier: number;
  /** ε spent so far at delta. */
  epsilonSpent: number;
  roundsAccounted: number;
}

export class PrivacyBudget {
  readonly noiseMultiplier: number;
  private readonly dp: DpSpec;
  private readonly accountant: PrivacyAccountant;
  private readonly samplingRate: number;

  /**
   * @param samplingRate central mode: the share of the admitted participants asked each round (distributed mode accounts at 1).
   * @param plannedRoster participants asked in the first round.
   */
  constructor(private readonly spec: PlanSpec, samplingRate: number, plannedRoster: number) {
    this.dp = spec.differentialPrivacy;
    this.accountant = new PrivacyAccountant({ delta: this.dp.delta });
    this.samplingRate = this.dp.mode === 'distributed' ? 1 : samplingRate;
    this.noiseMultiplier = this.dp.mode === 'distributed'
      ? this.noiseMultiplierFor(plannedRoster)
      : this.dp.noiseMultiplier ?? noiseMultiplierForBudget({ epsilon: this.dp.epsilon, delta: this.dp.delta, rounds: spec.training.rounds, samplingRate });
  }

  /** z of the sum when a roster of `rosterSize` all contribute. */
  noiseMultiplierFor(rosterSize: number): number {
    return this.dp.mode === 'distributed' ? this.distributed(rosterSize).noiseMultiplier : this.noiseMultiplier;
  }

  /** Distributed mode: the std each of the roster's members adds; 0 in central mode (the coordinator adds the noise). */
  noiseStdFor(rosterSize: number): number {
    return this.dp.mode === 'distributed' ? this.distributed(rosterSize).noiseStd : 0;
  }

  /** True if one more round over a roster of `rosterSize` stays within the budget whoever drops out. */
  allowsAnotherRound(rosterSize: number): boolean {
    const worst = this.effectiveMultiplier(this.worstCaseSurvivors(rosterSize), rosterSize);
    return this.accountant.epsilonAfter({ samplingRate: this.samplingRate, noiseMultiplier: worst }) <= this.dp.epsilon;
  }

  /** Records a round over a roster of `rosterSize` that was aggregated from `contributors` of them. */
  recordRound(contributors: number, rosterSize: number): void {
    this.accountant.recordRound({ samplingRate: this.samplingRate, noiseMultiplier: this.effectiveMultiplier(contributors, rosterSize) });
  }

  get epsilonSpent(): number {
    return this.accountant.epsilon;
  }

  summary(): PrivacySummary {
    return {
      mode: this.dp.mode,
      epsilonBudget: this.dp.epsilon,
      delta: this.dp.delta,
      clipNorm: this.dp.clipNorm,
      noiseMultiplier: this.noiseMultiplier,
      epsilonSpent: this.accountant.epsilon,
      roundsAccounted: this.accountant.rounds,
    };
  }

  private distributed(rosterSize: number): { noiseMultiplier: number; noiseStd: number } {
    const noise = distributedNoiseOf(this.spec, rosterSize);
    if (!noise) throw new PrivacyError('PRIVACY_INVALID_SETTING', 'distributed noise was asked of a job without distributed differential privacy', { mode: this.dp.mode });
    return noise;
  }

  /** The fewest of the roster that may survive; central noise does not depend on it. */
  private worstCaseSurvivors(rosterSize: number): number {
    return Math.min(rosterSize, fewestSurvivorsOf(this.spec, rosterSize));
  }

  /** z of a round's sum when `contributors` of the roster added their distributed share; central noise is always whole. */
  private effectiveMultiplier(contributors: number, rosterSize: number): number {
    if (this.dp.mode !== 'distributed') return this.noiseMultiplier;
    return effectiveNoiseMultiplier({ noiseMultiplier: this.noiseMultiplierFor(rosterSize), plannedParticipants: rosterSize, actualParticipants: contributors });
  }
}
