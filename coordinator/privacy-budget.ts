/**
 * The job's differential-privacy budget: the noise multiplier it runs with
 * (given, or the smallest that fits every planned round), the accountant
 * that turns rounds into ε at the job's δ, and the check that ends the job
 * before a round could take ε past the budget.
 *
 * Distributed noise shrinks when participants drop out (each added only its
 * share), so a round is admitted only if ε stays within budget even when as
 * few participants survive as the job allows, and it is recorded with the
 * noise of the survivors actually present.
 */
import { effectiveNoiseMultiplier, noiseMultiplierForBudget, PrivacyAccountant } from '../common/privacy';
import type { JobSpec } from '../common/job-spec';

type DpSpec = NonNullable<JobSpec['differentialPrivacy']>;

export interface PrivacySummary {
  mode: DpSpec['mode'];
  epsilonBudget: number;
  delta: number;
  clipNorm: number;
  noiseMultiplier: number;
  /** ε spent so far at delta. */
  epsilonSpent: number;
  roundsAccounted: number;
}

export class PrivacyBudget {
  readonly noiseMultiplier: number;
  private readonly accountant: PrivacyAccountant;

  /**
   * @param fewestSurvivors the fewest contributors a round may be aggregated from (distributed mode accounts for them).
   * @param cohortSize participants asked each round.
   */
  constructor(private readonly dp: DpSpec, rounds: number, private readonly samplingRate: number, private readonly cohortSize: number, private readonly fewestSurvivors: number) {
    this.accountant = new PrivacyAccountant({ delta: dp.delta });
    const worstCase = this.worstCaseFactor();
    // Calibrated so that all planned rounds fit even if each ran with the fewest survivors.
    this.noiseMultiplier = dp.noiseMultiplier ?? noiseMultiplierForBudget({ epsilon: dp.epsilon, delta: dp.delta, rounds, samplingRate }) / worstCase;
  }

  /** True if one more round stays within the budget whoever drops out. */
  allowsAnotherRound(): boolean {
    const worst = this.noiseMultiplier * this.worstCaseFactor();
    return this.accountant.epsilonAfter({ samplingRate: this.samplingRate, noiseMultiplier: worst }) <= this.dp.epsilon;
  }

  /** Records a round that was aggregated from `contributors` participants. */
  recordRound(contributors: number): void {
    const noiseMultiplier = this.dp.mode === 'distributed'
      ? effectiveNoiseMultiplier({ noiseMultiplier: this.noiseMultiplier, plannedParticipants: this.cohortSize, actualParticipants: contributors })
      : this.noiseMultiplier;
    this.accountant.recordRound({ samplingRate: this.samplingRate, noiseMultiplier });
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

  /** z_effective / z when only the fewest allowed survivors add their distributed share. */
  private worstCaseFactor(): number {
    if (this.dp.mode !== 'distributed') return 1;
    return Math.sqrt(this.fewestSurvivors / this.cohortSize);
  }
}
