/**
 * Noise calibration: the least noise that lets a job run all its planned
 * rounds within its (ε, δ) budget, under the same accounting the
 * PrivacyAccountant applies while the job runs.
 */
import { PrivacyError, invalidSetting } from './errors';
import { DEFAULT_ORDERS, checkDelta, checkOrders, epsilonFromRdp, rdpOfSampledGaussian } from './rdp-accountant';

export interface NoiseBudget {
  /** Total ε the job may spend, > 0. */
  epsilon: number;
  /** The job's δ, in (0, 1). */
  delta: number;
  /** Rounds the job plans to run, a whole number >= 1. */
  rounds: number;
  /** Per-round sampling rate q of each participant, in [0, 1]. */
  samplingRate: number;
  /** Rényi orders; DEFAULT_ORDERS when absent (keep them equal to the accountant's). */
  orders?: readonly number[];
}

/** Bisection stops when the bracket is this narrow relative to its top: well inside the promised 1e-3. */
const RELATIVE_TOLERANCE = 1e-4;
/** z beyond this is not a useful model update; a budget that needs more is reported as unreachable. */
const LARGEST_NOISE_MULTIPLIER = 1e6;

/**
 * The smallest noise multiplier z (within 1e-4 relative, and never below the
 * true minimum) such that `rounds` rounds at sampling rate q stay within ε
 * at δ. ε is non-increasing in z, so the answer is bracketed by doubling and
 * then bisected; the upper end of the bracket is returned, which always
 * meets the budget. q = 0 needs no noise and gives 0.
 */
export function noiseMultiplierForBudget(budget: NoiseBudget): number {
  const { epsilon, delta, rounds, samplingRate } = budget;
  const orders = budget.orders ?? DEFAULT_ORDERS;
  if (!Number.isFinite(epsilon) || epsilon <= 0) {
    throw invalidSetting(`epsilon must be a finite number > 0, got ${epsilon}`, { epsilon });
  }
  checkDelta(delta);
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw invalidSetting(`rounds must be a whole number >= 1, got ${rounds}`, { rounds });
  }
  if (!Number.isFinite(samplingRate) || samplingRate < 0 || samplingRate > 1) {
    throw invalidSetting(`samplingRate must be a number in [0, 1], got ${samplingRate}`, { samplingRate });
  }
  checkOrders(orders);
  if (samplingRate === 0) return 0;

  const spentAt = (noiseMultiplier: number): { epsilon: number; order: number } => {
    const perRound = rdpOfSampledGaussian(samplingRate, noiseMultiplier, orders);
    return epsilonFromRdp(orders, perRound.map((value) => value * rounds), delta);
  };
  const epsilonAt = (noiseMultiplier: number): number => spentAt(noiseMultiplier).epsilon;

  let low = 0; // z = 0 gives ε = ∞, always over budget
  let high = 1;
  while (epsilonAt(high) > epsilon) {
    low = high;
    high *= 2;
    if (high > LARGEST_NOISE_MULTIPLIER) throw unreachable(budget, orders, spentAt(low));
  }
  while (high - low > RELATIVE_TOLERANCE * high) {
    const middle = (low + high) / 2;
    if (epsilonAt(middle) > epsilon) low = middle;
    else high = middle;
  }
  return high;
}

function unreachable(budget: NoiseBudget, orders: readonly number[], best: { epsilon: number; order: number }): PrivacyError {
  const { epsilon, delta, rounds, samplingRate } = budget;
  const largestOrder = Math.max(...orders);
  // The conversion's log(1/δ)/(α − 1) term keeps ε above a floor set by the largest order, however much noise is added.
  const hint = best.order === largestOrder ? `; the largest Renyi order (${largestOrder}) limits how small epsilon can get, so pass larger orders` : '';
  return new PrivacyError(
    'PRIVACY_BUDGET_UNREACHABLE',
    `no noise multiplier up to ${LARGEST_NOISE_MULTIPLIER} keeps ${rounds} rounds at sampling rate ${samplingRate} within epsilon ${epsilon} at delta ${delta}${hint}`,
    { epsilon, delta, rounds, samplingRate, epsilonAtLargestNoise: best.epsilon, optimalOrder: best.order },
  );
}
