/**
 * The job's differential-privacy budget: the noise multiplier it runs with
 * (given, or the smallest that fits every planned round), the accountant
 * that turns rounds into ε at the job's δ, and the check that ends the job
 * before a round could take ε past the budget.
 *
 * Every mode accounts at sampling rate 1. The cohort is a seeded sample
 * from the job spec's public seed and is sent to every member as its
 * roster, so who was sampled is no secret: amplification by subsampling
 * assumes the sample is hidden and would credit privacy that is not there.
 *
 * Every round is charged at the fewest survivors the participants
 * themselves enforce (fewestSurvivorsOf over the roster), never at the
 * contributor count the aggregator reports: a hostile aggregator could
 * inflate that count to make a round look noisier than it was. Distributed
 * noise is the Skellam mechanism of common/round-plan, the derivation every
 * participant repeats to check (and add) its own share; a round is charged
 * by the Skellam RDP bound (common/privacy/skellam-rdp.ts) for the noise of
 * its honest members only: min(reported, fewest survivors) less the
 * floor(γ·roster) that may collude with the aggregator and add nothing.
 */
import { noiseMultiplierForBudget, PrivacyAccountant, PrivacyError, skellamAccountingDelta, skellamStepOf, type DistributedNoise, type PrivacyStep } from '../common/privacy';
import type { JobSpec } from '../common/job-spec';
import { distributedNoiseOf, fewestSurvivorsOf } from '../common/round-plan';

/** The roster is public (see above), so no round is credited with amplification by subsampling. */
export const SAMPLING_RATE = 1;

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

  /** @param plannedRoster participants asked in the first round. */
  constructor(private readonly spec: PlanSpec, plannedRoster: number) {
    this.dp = spec.differentialPrivacy;
    // Distributed mode sets the rounding-failure event of every member aside from δ (common/privacy/noise-plan.ts).
    const delta = this.dp.mode === 'distributed' ? skellamAccountingDelta(this.dp.delta, spec.training.rounds, plannedRoster) : this.dp.delta;
    this.accountant = new PrivacyAccountant({ delta });
    this.noiseMultiplier = this.dp.mode === 'distributed'
      ? this.noiseMultiplierFor(plannedRoster)
      : this.dp.noiseMultiplier ?? noiseMultiplierForBudget({ epsilon: this.dp.epsilon, delta: this.dp.delta, rounds: spec.training.rounds, samplingRate: SAMPLING_RATE });
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
    return this.accountant.epsilonAfter(this.stepOf(this.worstCaseSurvivors(rosterSize), rosterSize)) <= this.dp.epsilon;
  }

  /**
   * Records a round over a roster of `rosterSize`. `reportedContributors` is
   * the aggregator's word and is kept only as information: the charge is at
   * the floor the participants enforce, whatever count is reported. A count
   * below that floor (which no participant would unmask for) is charged at
   * that count instead, so a report can only raise the charge, never lower it.
   */
  recordRound(reportedContributors: number, rosterSize: number): void {
    const survivors = Math.min(reportedContributors, this.worstCaseSurvivors(rosterSize));
    this.accountant.recordRound(this.stepOf(survivors, rosterSize));
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

  private distributed(rosterSize: number): DistributedNoise {
    const noise = distributedNoiseOf(this.spec, rosterSize);
    if (!noise) throw new PrivacyError('PRIVACY_INVALID_SETTING', 'distributed noise was asked of a job without distributed differential privacy', { mode: this.dp.mode });
    return noise;
  }

  /** The fewest of the roster that may survive, as every participant enforces it; central noise does not depend on it. */
  private worstCaseSurvivors(rosterSize: number): number {
    return Math.min(rosterSize, fewestSurvivorsOf(this.spec, rosterSize));
  }

  /**
   * The round charged when `contributors` of the roster are counted:
   * central noise is always whole; distributed noise is the Skellam noise of
   * the contributors that are not colluders (none left: no noise, ε = ∞).
   */
  private stepOf(contributors: number, rosterSize: number): PrivacyStep {
    if (this.dp.mode !== 'distributed') return { samplingRate: SAMPLING_RATE, noiseMultiplier: this.noiseMultiplier };
    const noise = this.distributed(rosterSize);
    return skellamStepOf(noise.skellam, contributors - noise.colluders);
  }
}
