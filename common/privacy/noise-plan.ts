/**
 * The distributed-DP noise of one round, from the job's DP settings and the
 * round's roster alone. The coordinator asks for this noise and every
 * participant computes it again on its own and adds its own value, so a
 * coordinator cannot lower it.
 *
 * Calibrated at sampling rate 1: amplification by sampling holds only when
 * who was sampled stays secret, and a secure-aggregation roster is sent to
 * every member (and the participant could not know the coordinator's
 * sampling rate anyway). Each member adds z·C/√n; if only `fewestSurvivors`
 * of the n contribute, the sum carries z·C·√(fewest/n), so a calibrated z is
 * raised by √(n/fewest) to keep every planned round within the budget even
 * then.
 */
import { invalidSetting } from './errors';
import { distributedNoiseStd } from './gaussian-noise';
import { noiseMultiplierForBudget } from './noise-calibration';

export interface DistributedNoiseInput {
  dp: { epsilon: number; delta: number; clipNorm: number; noiseMultiplier?: number };
  /** Rounds the job plans. */
  rounds: number;
  /** Members of this round's roster, each of whom adds a share. */
  rosterSize: number;
  /** The fewest of them the round may be aggregated from. */
  fewestSurvivors: number;
}

export interface DistributedNoise {
  /** z of the sum when the whole roster contributes. */
  noiseMultiplier: number;
  /** Std of the noise each member adds to its clipped update. */
  noiseStd: number;
}

export function distributedNoise(input: DistributedNoiseInput): DistributedNoise {
  const { dp, rounds, rosterSize, fewestSurvivors } = input;
  if (!Number.isInteger(fewestSurvivors) || fewestSurvivors < 1 || fewestSurvivors > rosterSize) {
    throw invalidSetting(`fewestSurvivors must be a whole number from 1 to the roster size ${rosterSize}, got ${fewestSurvivors}`, { fewestSurvivors, rosterSize });
  }
  // A given multiplier is the job's own choice for the whole roster; the accountant stops the job if dropouts would overspend it.
  const noiseMultiplier = dp.noiseMultiplier
    ?? noiseMultiplierForBudget({ epsilon: dp.epsilon, delta: dp.delta, rounds, samplingRate: 1 }) / Math.sqrt(fewestSurvivors / rosterSize);
  return { noiseMultiplier, noiseStd: distributedNoiseStd({ noiseMultiplier, clipNorm: dp.clipNorm, plannedParticipants: rosterSize }) };
}
