/**
 * The distributed-DP noise of one round, from the job's DP settings and the
 * round's roster alone: the Skellam mechanism (skellam.ts), each member
 * adding integer noise of the same variance to its rounded update. The
 * coordinator asks for this noise and every participant computes it again
 * on its own and adds its own draw, so a coordinator cannot lower it.
 *
 * Who is counted on to add noise: only honest survivors. At most
 * `fewestSurvivors` members contribute (the floor every participant enforces
 * before it unmasks), and up to `colluders` of them may be working with the
 * aggregator, adding nothing and subtracting their own input. So a round's
 * sum carries the noise of fewestSurvivors − colluders members, and the
 * per-member variance is the smallest at which that much noise keeps every
 * planned round within (ε, δ) by the Skellam RDP bound (skellam-rdp.ts).
 *
 * Calibrated at sampling rate 1: amplification by sampling holds only when
 * who was sampled stays secret, and a secure-aggregation roster is sent to
 * every member.
 *
 * δ: the only event outside the RDP bound is a member's conditional
 * rounding failing all its draws (below 2^-160 per member and round, and
 * that member then sends nothing). It is reserved from δ before converting
 * RDP to (ε, δ); at any roster and round count this system runs, the
 * reserve is far below a double's resolution of δ, and it is reserved all
 * the same so the accounting says what it covers.
 */
import { PrivacyError, invalidSetting } from './errors';
import { DEFAULT_ORDERS, epsilonFromRdp } from './rdp-accountant';
import { rdpOfSkellam } from './skellam-rdp';
import { ROUNDING_FAILURE_PROBABILITY, skellamParameters, skellamStepOf, type SkellamParameters } from './skellam';

export interface DistributedNoiseInput {
  dp: { epsilon: number; delta: number; clipNorm: number; noiseMultiplier?: number };
  /** Rounds the job plans. */
  rounds: number;
  /** Members of this round's roster, each of whom adds a share. */
  rosterSize: number;
  /** The fewest of them the round may be aggregated from. */
  fewestSurvivors: number;
  /** How many of the survivors may collude with the aggregator and add no noise: floor(γ·rosterSize). */
  colluders: number;
}

export interface DistributedNoise {
  mechanism: 'skellam';
  /** Std of the noise each member adds, in the model's units: s·√(member variance). */
  noiseStd: number;
  /** The noise std of the sum of the whole roster over C: a Gaussian-equivalent z, for reports. */
  noiseMultiplier: number;
  /** Granularity, sensitivity and per-member variance, in integer units. */
  skellam: SkellamParameters;
  /** Survivors assumed to add nothing (see the module comment). */
  colluders: number;
  /** Honest members the calibration counts on: fewestSurvivors − colluders. */
  honestMembers: number;
}

/** Bisection stops when the bracket is this narrow relative to its top. */
const RELATIVE_TOLERANCE = 1e-4;
/** σ/C beyond this is not a useful model update. */
const LARGEST_RELATIVE_STD = 1e6;

/** δ left for the RDP conversion once the rounding-failure event of every member of every round is set aside. */
export function skellamAccountingDelta(delta: number, rounds: number, rosterSize: number): number {
  return delta - rounds * rosterSize * ROUNDING_FAILURE_PROBABILITY;
}

/** ε that `rounds` rounds of the mechanism spend when `honestMembers` add noise of std `memberNoiseStd` each. */
export function skellamEpsilon(options: { clipNorm: number; memberNoiseStd: number; rosterSize: number; honestMembers: number; rounds: number; delta: number; orders?: readonly number[] }): number {
  const orders = options.orders ?? DEFAULT_ORDERS;
  const parameters = skellamParameters({ clipNorm: options.clipNorm, memberNoiseStd: options.memberNoiseStd, members: options.rosterSize });
  const perRound = rdpOfSkellam(skellamStepOf(parameters, options.honestMembers), orders);
  const delta = skellamAccountingDelta(options.delta, options.rounds, options.rosterSize);
  return epsilonFromRdp(orders, perRound.map((value) => value * options.rounds), delta).epsilon;
}

export function distributedNoise(input: DistributedNoiseInput): DistributedNoise {
  const { dp, rounds, rosterSize, fewestSurvivors, colluders } = input;
  if (!Number.isInteger(fewestSurvivors) || fewestSurvivors < 1 || fewestSurvivors > rosterSize) {
    throw invalidSetting(`fewestSurvivors must be a whole number from 1 to the roster size ${rosterSize}, got ${fewestSurvivors}`, { fewestSurvivors, rosterSize });
  }
  if (!Number.isInteger(colluders) || colluders < 0) throw invalidSetting(`colluders must be a whole number >= 0, got ${colluders}`, { colluders });
  const honestMembers = fewestSurvivors - colluders;
  if (honestMembers < 1) {
    throw invalidSetting(`no honest member is left to add noise: ${colluders} colluders among the fewest ${fewestSurvivors} survivors`, { fewestSurvivors, colluders });
  }
  // A given multiplier is the job's own choice for the whole roster; the accountant stops the job when the honest floor overspends it.
  const noiseStd = dp.noiseMultiplier !== undefined
    ? (dp.noiseMultiplier * dp.clipNorm) / Math.sqrt(rosterSize)
    : calibratedStd({ ...dp, rounds, rosterSize, honestMembers });
  return {
    mechanism: 'skellam',
    noiseStd,
    noiseMultiplier: (noiseStd * Math.sqrt(rosterSize)) / dp.clipNorm,
    skellam: skellamParameters({ clipNorm: dp.clipNorm, memberNoiseStd: noiseStd, members: rosterSize }),
    colluders,
    honestMembers,
  };
}

/** The smallest member std (within RELATIVE_TOLERANCE, never below the true minimum) that keeps the rounds within ε. */
function calibratedStd(options: { epsilon: number; delta: number; clipNorm: number; rounds: number; rosterSize: number; honestMembers: number }): number {
  const { epsilon, clipNorm } = options;
  if (!Number.isFinite(epsilon) || epsilon <= 0) throw invalidSetting(`epsilon must be a finite number > 0, got ${epsilon}`, { epsilon });
  // ε does not increase with σ: the Gaussian term falls as 1/σ², the discreteness term faster (skellam-rdp.ts).
  const over = (std: number): boolean => skellamEpsilon({ ...options, memberNoiseStd: std }) > epsilon;
  let low = 0;
  let high = clipNorm;
  while (over(high)) {
    low = high;
    high *= 2;
    if (high > LARGEST_RELATIVE_STD * clipNorm) {
      throw new PrivacyError('PRIVACY_BUDGET_UNREACHABLE', `no distributed noise up to ${LARGEST_RELATIVE_STD}·clipNorm per member keeps ${options.rounds} rounds within epsilon ${epsilon} at delta ${options.delta} with ${options.honestMembers} honest members`, { epsilon, rounds: options.rounds, honestMembers: options.honestMembers });
    }
  }
  while (high - low > RELATIVE_TOLERANCE * high) {
    const middle = (low + high) / 2;
    if (over(middle)) low = middle;
    else high = middle;
  }
  return high;
}
