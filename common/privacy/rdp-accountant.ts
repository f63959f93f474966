/**
 * Rényi-DP accounting for the sampled Gaussian mechanism (SGM), the mechanism
 * behind user-level DP-FedAvg (McMahan et al. 2018): each round samples every
 * participant independently with probability q, sums their updates clipped to
 * L2 norm C, and adds N(0, (zC)²) noise to the sum.
 *
 * Per-round RDP follows Mironov, Talwar & Zhang (2019), "Rényi Differential
 * Privacy of the Sampled Gaussian Mechanism", Section 3: RDP at order α is
 * log(A_α)/(α − 1), with A_α a finite binomial sum for whole α (3.3) and a
 * pair of convergent series with erfc weights for fractional α (3.4). RDP
 * composes by addition, so T rounds cost the sum of their per-round RDP.
 *
 * RDP → (ε, δ) uses the improved conversion (Canonne, Kamath & Steinke 2020,
 * "The Discrete Gaussian for Differential Privacy", Prop. 12; Balle et al.
 * 2020, "Hypothesis Testing Interpretations and Rényi DP", Thm. 21):
 *   ε = rdp + log(1 − 1/α) − (log δ + log α)/(α − 1),
 * minimised over the orders. It is a valid upper bound and is below the
 * classic ε = rdp + log(1/δ)/(α − 1) (Mironov 2017, Prop. 3) at every α > 1
 * (the difference log(1 − 1/α) − log(α)/(α − 1) is negative), so a job gets
 * more rounds from the same budget without a weaker guarantee. It is what
 * Google's dp_accounting (TF Privacy) and Opacus report, which makes our ε
 * comparable with theirs. The classic bound stays available for comparison.
 *
 * The accountant also takes rounds of the Skellam mechanism (distributed
 * noise, skellam-rdp.ts); both kinds of round add their RDP to one total.
 */
import { invalidSetting, PrivacyError } from './errors';
import { logAddExp, logBinomial, logErfc, logSubExp, logSumExp } from './log-math';
import { rdpOfSkellam, type SkellamStep } from './skellam-rdp';

/**
 * Orders used unless a job names its own: dense where the optimum lies for
 * small ε (low orders), sparse above. The same list TF Privacy's
 * compute_dp_sgd_privacy uses, so its published ε values reproduce exactly.
 */
export const DEFAULT_ORDERS: readonly number[] = Object.freeze([
  1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5,
  ...Array.from({ length: 59 }, (_, i) => i + 5), // 5 … 63
  128, 256, 512,
]);

/** One round of the sampled Gaussian mechanism. */
export interface GaussianStep {
  mechanism?: 'gaussian';
  /** Probability that any given participant is in the round's cohort, in [0, 1]. */
  samplingRate: number;
  /** Noise std on the sum divided by the clip norm C (z); 0 means no noise. */
  noiseMultiplier: number;
}

/** One round of either mechanism: the Gaussian (central noise) or the Skellam (distributed noise, skellam-rdp.ts). */
export type PrivacyStep = GaussianStep | SkellamStep;

export type RdpConversion = 'improved' | 'classic';

/** Stop summing a fractional-order series once a term is below e^-30 (A_α ≥ 1, so that is < 1e-13 relative). */
const NEGLIGIBLE_LOG_TERM = -30;
/** Far beyond any practical order; reaching it means the series is not converging. */
const MAX_SERIES_TERMS = 2_000_000;

function checkSamplingRate(samplingRate: number): void {
  if (!Number.isFinite(samplingRate) || samplingRate < 0 || samplingRate > 1) {
    throw invalidSetting(`samplingRate must be a number in [0, 1], got ${samplingRate}`, { samplingRate });
  }
}

function checkNoiseMultiplier(noiseMultiplier: number): void {
  if (!Number.isFinite(noiseMultiplier) || noiseMultiplier < 0) {
    throw invalidSetting(`noiseMultiplier must be a finite number >= 0, got ${noiseMultiplier}`, { noiseMultiplier });
  }
}

/** Orders must be > 1 (Infinity allowed): RDP at α = 1 is KL divergence, outside these formulas. */
export function checkOrders(orders: readonly number[]): void {
  if (orders.length === 0) throw invalidSetting('orders must list at least one Rényi order', { orders: [] });
  orders.forEach((order, index) => {
    if (Number.isNaN(order) || !(order > 1)) {
      throw invalidSetting(`orders[${index}] must be > 1, got ${order}`, { index, order });
    }
  });
}

export function checkDelta(delta: number): void {
  if (!Number.isFinite(delta) || delta <= 0 || delta >= 1) {
    throw invalidSetting(`delta must be a number in (0, 1), got ${delta}`, { delta });
  }
}

/** log A_α for whole α ≥ 2, 0 < q < 1: log Σ_k C(α,k) (1−q)^(α−k) q^k exp((k² − k)/(2z²)). */
function logMomentWholeOrder(q: number, z: number, order: number): number {
  const logQ = Math.log(q);
  const logOneMinusQ = Math.log1p(-q);
  const twoVariance = 2 * z * z;
  const terms = new Array<number>(order + 1);
  for (let k = 0; k <= order; k++) {
    terms[k] = logBinomial(order, k) + k * logQ + (order - k) * logOneMinusQ + (k * k - k) / twoVariance;
  }
  return logSumExp(terms);
}

/**
 * log A_α for fractional α, 0 < q < 1. A_α splits at z₀ = z² log(1/q − 1) + ½,
 * where the two mixture densities cross, into A₀ (x ≤ z₀) and A₁ (x ≥ z₀);
 * each expands in generalised binomials C(α, i) whose signs alternate once
 * i > α, with Gaussian tail weights ½ erfc(·). Positive and negative terms are
 * summed apart in log space and subtracted once at the end.
 */
function logMomentFractionalOrder(q: number, z: number, order: number): number {
  const logQ = Math.log(q);
  const logOneMinusQ = Math.log1p(-q);
  const twoVariance = 2 * z * z;
  const erfcScale = Math.SQRT2 * z;
  const crossing = z * z * (logOneMinusQ - logQ) + 0.5;
  const sums = { lower: { plus: -Infinity, minus: -Infinity }, upper: { plus: -Infinity, minus: -Infinity } };
  let logCoefficient = 0; // log |C(α, i)|
  let coefficientSign = 1;
  for (let i = 0; ; i++) {
    if (i >= MAX_SERIES_TERMS) {
      throw new PrivacyError('PRIVACY_NUMERICAL_FAILURE', `the RDP series for order ${order} did not converge`, { samplingRate: q, noiseMultiplier: z, order });
    }
    const j = order - i;
    const lower = logCoefficient + i * logQ + j * logOneMinusQ + (i * i - i) / twoVariance + Math.log(0.5) + logErfc((i - crossing) / erfcScale);
    const upper = logCoefficient + j * logQ + i * logOneMinusQ + (j * j - j) / twoVariance + Math.log(0.5) + logErfc((crossing - j) / erfcScale);
    if (lower === Infinity || upper === Infinity) return Infinity;
    if (coefficientSign > 0) {
      sums.lower.plus = logAddExp(sums.lower.plus, lower);
      sums.upper.plus = logAddExp(sums.upper.plus, upper);
    } else {
      sums.lower.minus = logAddExp(sums.lower.minus, lower);
      sums.upper.minus = logAddExp(sums.upper.minus, upper);
    }
    // Past i > α the terms only shrink; before that a small term can precede large ones.
    if (i > order && Math.max(lower, upper) < NEGLIGIBLE_LOG_TERM) break;
    // C(α, i + 1) = C(α, i) · (α − i)/(i + 1); α − i never vanishes for fractional α.
    logCoefficient += Math.log(Math.abs(order - i)) - Math.log(i + 1);
    if (order - i < 0) coefficientSign = -coefficientSign;
  }
  const logA = logAddExp(logSubExp(sums.lower.plus, sums.lower.minus), logSubExp(sums.upper.plus, sums.upper.minus));
  if (Number.isNaN(logA)) {
    throw new PrivacyError('PRIVACY_NUMERICAL_FAILURE', `the RDP series for order ${order} lost its precision`, { samplingRate: q, noiseMultiplier: z, order });
  }
  return logA;
}

function rdpAtOrder(q: number, z: number, order: number): number {
  if (q === 0) return 0; // the output never depends on any participant
  if (z === 0 || order === Infinity) return Infinity;
  if (q === 1) return order / (2 * z * z);
  const logA = Number.isInteger(order) ? logMomentWholeOrder(q, z, order) : logMomentFractionalOrder(q, z, order);
  // A_α ≥ 1 exactly; rounding can leave log A a hair below 0 when q is tiny.
  return Math.max(0, logA / (order - 1));
}

/**
 * RDP of one round of the sampled Gaussian mechanism at each order (add or
 * remove one participant). q = 1 gives the plain Gaussian α/(2z²); q = 0
 * gives 0; z = 0 (no noise) gives Infinity.
 */
export function rdpOfSampledGaussian(samplingRate: number, noiseMultiplier: number, orders: readonly number[]): number[] {
  checkSamplingRate(samplingRate);
  checkNoiseMultiplier(noiseMultiplier);
  checkOrders(orders);
  return orders.map((order) => rdpAtOrder(samplingRate, noiseMultiplier, order));
}

function epsilonAtOrder(order: number, rdp: number, logDelta: number, conversion: RdpConversion): number {
  if (rdp === Infinity) return Infinity;
  if (order === Infinity) return rdp; // RDP at ∞ is pure ε-DP
  if (conversion === 'classic' || order <= 1.01) {
    // Near α = 1 the improved bound gains nothing; the classic one is valid at every α > 1.
    return rdp - logDelta / (order - 1);
  }
  return rdp + Math.log1p(-1 / order) - (logDelta + Math.log(order)) / (order - 1);
}

/**
 * The smallest ε over the orders such that the accumulated RDP implies
 * (ε, δ)-DP, and the order that achieves it. Uses the improved conversion
 * (see the module comment) unless `conversion: 'classic'` is asked for.
 * When δ ≥ √(1 − e^(−rdp)) at some order, ε = 0: total variation is at most
 * √(1 − e^(−KL)) (Bretagnolle–Huber) and KL ≤ RDP at every order ≥ 1.
 */
export function epsilonFromRdp(
  orders: readonly number[],
  rdp: readonly number[],
  delta: number,
  options: { conversion?: RdpConversion } = {},
): { epsilon: number; order: number } {
  checkOrders(orders);
  checkDelta(delta);
  if (rdp.length !== orders.length) {
    throw invalidSetting(`rdp must have one value per order: ${orders.length} orders, ${rdp.length} values`, { orders: orders.length, rdp: rdp.length });
  }
  const conversion = options.conversion ?? 'improved';
  const logDelta = Math.log(delta);
  let best = { epsilon: Infinity, order: orders[0] };
  for (let index = 0; index < orders.length; index++) {
    const value = rdp[index];
    if (Number.isNaN(value) || value < 0) {
      throw invalidSetting(`rdp[${index}] must be >= 0, got ${value}`, { index, rdp: value });
    }
    const epsilon = conversion === 'improved' && delta * delta + Math.expm1(-value) > 0 ? 0 : epsilonAtOrder(orders[index], value, logDelta, conversion);
    if (epsilon < best.epsilon) best = { epsilon, order: orders[index] };
  }
  return { epsilon: Math.max(0, best.epsilon), order: best.order };
}

export interface PrivacyAccountantOptions {
  /** The job's δ, in (0, 1); ε is always reported at this δ. */
  delta: number;
  /** Rényi orders to track; DEFAULT_ORDERS when absent. */
  orders?: readonly number[];
}

/**
 * The accountant's state as plain JSON data, to persist or report. JSON has
 * no Infinity, so `null` stands for +Infinity in `orders`, `rdp` and `epsilon`.
 */
export interface PrivacyAccountantJson {
  delta: number;
  orders: Array<number | null>;
  rdp: Array<number | null>;
  rounds: number;
  epsilon: number | null;
  order: number | null;
}

const STEP_CACHE_SIZE = 32;

function toJsonNumber(value: number): number | null {
  return value === Infinity ? null : value;
}

function fromJsonNumber(value: unknown, field: string): number {
  if (value === null) return Infinity;
  if (typeof value !== 'number') throw invalidSetting(`${field} must be a number or null, got ${typeof value}`, { field });
  return value;
}

/**
 * Running RDP total for one job. Every round adds its per-round RDP; ε at the
 * job's δ is recomputed from the total. `epsilonAfter` answers "may we run
 * this round?" without spending anything.
 */
export class PrivacyAccountant {
  readonly delta: number;
  readonly orders: readonly number[];
  private readonly total: number[];
  private roundCount = 0;
  private spent: { epsilon: number; order: number } | undefined;
  /** Rounds usually repeat the same (q, z); their RDP is computed once. */
  private readonly stepCache = new Map<string, readonly number[]>();

  constructor(options: PrivacyAccountantOptions) {
    checkDelta(options.delta);
    const orders = options.orders ?? DEFAULT_ORDERS;
    checkOrders(orders);
    this.delta = options.delta;
    this.orders = Object.freeze([...orders]);
    this.total = new Array<number>(orders.length).fill(0);
  }

  /** Restores an accountant saved with `toJSON` (ε is recomputed, not trusted). */
  static fromJSON(json: PrivacyAccountantJson): PrivacyAccountant {
    if (typeof json !== 'object' || json === null || !Array.isArray(json.orders) || !Array.isArray(json.rdp)) {
      throw invalidSetting('a saved accountant needs delta, orders[], rdp[] and rounds', {});
    }
    const orders = json.orders.map((order, i) => fromJsonNumber(order, `orders[${i}]`));
    const rdp = json.rdp.map((value, i) => fromJsonNumber(value, `rdp[${i}]`));
    const accountant = new PrivacyAccountant({ delta: json.delta, orders });
    if (rdp.length !== orders.length) {
      throw invalidSetting(`rdp must have one value per order: ${orders.length} orders, ${rdp.length} values`, { orders: orders.length, rdp: rdp.length });
    }
    rdp.forEach((value, index) => {
      if (Number.isNaN(value) || value < 0) throw invalidSetting(`rdp[${index}] must be >= 0, got ${value}`, { index, rdp: value });
    });
    if (!Number.isInteger(json.rounds) || json.rounds < 0) {
      throw invalidSetting(`rounds must be a whole number >= 0, got ${json.rounds}`, { rounds: json.rounds });
    }
    rdp.forEach((value, index) => (accountant.total[index] = value));
    accountant.roundCount = json.rounds;
    return accountant;
  }

  /** Adds one round's privacy loss. */
  recordRound(step: PrivacyStep): void {
    const perStep = this.rdpOfStep(step);
    perStep.forEach((value, index) => (this.total[index] += value));
    this.roundCount += 1;
    this.spent = undefined;
  }

  /** ε at the job's δ over all recorded rounds (0 before the first). */
  get epsilon(): number {
    return this.spentSoFar().epsilon;
  }

  /** The Rényi order at which the current ε is attained. */
  get optimalOrder(): number {
    return this.spentSoFar().order;
  }

  get rounds(): number {
    return this.roundCount;
  }

  /** ε if `step` were recorded next; records nothing. */
  epsilonAfter(step: PrivacyStep): number {
    const perStep = this.rdpOfStep(step);
    const tentative = this.total.map((value, index) => value + perStep[index]);
    return epsilonFromRdp(this.orders, tentative, this.delta).epsilon;
  }

  toJSON(): PrivacyAccountantJson {
    const { epsilon, order } = this.spentSoFar();
    return {
      delta: this.delta,
      orders: this.orders.map(toJsonNumber),
      rdp: this.total.map(toJsonNumber),
      rounds: this.roundCount,
      epsilon: toJsonNumber(epsilon),
      order: toJsonNumber(order),
    };
  }

  private spentSoFar(): { epsilon: number; order: number } {
    this.spent ??= epsilonFromRdp(this.orders, this.total, this.delta);
    return this.spent;
  }

  private rdpOfStep(step: PrivacyStep): readonly number[] {
    const key = step.mechanism === 'skellam'
      ? `skellam/${step.l2Sensitivity}/${step.l1Sensitivity}/${step.variance}`
      : `${step.samplingRate}/${step.noiseMultiplier}`;
    const cached = this.stepCache.get(key);
    if (cached !== undefined) return cached;
    const perStep = step.mechanism === 'skellam' ? rdpOfSkellam(step, this.orders) : rdpOfSampledGaussian(step.samplingRate, step.noiseMultiplier, this.orders);
    if (this.stepCache.size >= STEP_CACHE_SIZE) this.stepCache.clear();
    this.stepCache.set(key, perStep);
    return perStep;
  }
}
