/**
 * Rényi DP of the multi-dimensional Skellam mechanism: an integer vector
 * with L2 sensitivity Δ2 and L1 sensitivity Δ1, plus independent symmetric
 * Skellam noise of variance μ on every coordinate (each coordinate the
 * difference of two Poisson(μ/2) draws).
 *
 * Implemented: Agarwal, Kairouz & Liu (NeurIPS 2021, arXiv 2110.04995),
 * the theorem for the multi-dimensional Skellam mechanism (Theorem 3.5 in
 * the conference version; the authors' code cites it as Corollary 4.1 of
 * the arXiv version): for whole α > 1,
 *   ε(α) ≤ α·Δ2²/(2μ) + min( ((2α − 1)·Δ2² + 6·Δ1)/(4μ²), 3·Δ1/(2μ) ),
 * with μ the variance per coordinate of the noise on the released sum. The
 * parameterisation was checked against the authors' reference code
 * (google-research/federated distributed_dp accounting_utils._skellam_rdp,
 * which writes the same bound in the model's units: Δ·scale, μ·scale²).
 * The first term is the Gaussian mechanism's RDP at equal variance; the
 * min{…} is what discreteness costs and vanishes as μ grows.
 *
 * The bound is stated for whole orders. Rényi divergence does not decrease
 * with the order, so a fractional order α is charged the bound at ⌈α⌉.
 *
 * Adjacency, as everywhere in this library: one organisation's update is
 * replaced by nothing (its data removed; it still takes part and its noise
 * share is still added), so the sensitivity is the bound on one rounded,
 * scaled update. For an integer vector, ‖x‖₁ ≤ ‖x‖₂² and ‖x‖₁ ≤ √d·‖x‖₂, so
 * Δ1 ≤ Δ2·min(Δ2, √d).
 */
import { invalidSetting } from './errors';
import { checkOrders } from './rdp-accountant';

/** One round of the Skellam mechanism, in the integer units it runs in. */
export interface SkellamStep {
  mechanism: 'skellam';
  /** Δ2: the L2 norm bound of one organisation's rounded, scaled update. */
  l2Sensitivity: number;
  /** Δ1: its L1 norm bound. */
  l1Sensitivity: number;
  /** μ: the variance per coordinate of the noise in the released sum (0: no noise). */
  variance: number;
}

/** Δ1 of an integer vector whose L2 norm is at most Δ2; `dimension` omitted: the dimension-free Δ2². */
export function integerL1Bound(l2Sensitivity: number, dimension?: number): number {
  return l2Sensitivity * (dimension === undefined ? l2Sensitivity : Math.min(l2Sensitivity, Math.sqrt(dimension)));
}

function checkStep(step: SkellamStep): void {
  for (const field of ['l2Sensitivity', 'l1Sensitivity', 'variance'] as const) {
    const value = step[field];
    if (!Number.isFinite(value) || value < 0) throw invalidSetting(`${field} must be a finite number >= 0, got ${value}`, { [field]: value });
  }
}

function boundAtWholeOrder(order: number, { l2Sensitivity: l2, l1Sensitivity: l1, variance: mu }: SkellamStep): number {
  const squared = l2 * l2;
  return (order * squared) / (2 * mu) + Math.min(((2 * order - 1) * squared + 6 * l1) / (4 * mu * mu), (3 * l1) / (2 * mu));
}

/** RDP of one Skellam round at each order; no noise (or an order of ∞) gives Infinity, no sensitivity 0. */
export function rdpOfSkellam(step: SkellamStep, orders: readonly number[]): number[] {
  checkStep(step);
  checkOrders(orders);
  return orders.map((order) => {
    if (step.l2Sensitivity === 0 && step.l1Sensitivity === 0) return 0;
    if (step.variance === 0 || order === Infinity) return Infinity;
    return boundAtWholeOrder(Math.ceil(order), step);
  });
}
