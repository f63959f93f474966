import { AdaptiveServerOptimizer } from './adaptive-server-optimizer';

/**
 * FedYogi: v_t = v_{t−1} − (1 − β2)·Δ_t²·sign(v_{t−1} − Δ_t²). Unlike Adam, v
 * moves by an amount that does not depend on v itself, so a burst of large
 * updates cannot make it grow (and the step collapse) as quickly.
 */
export class FedYogi extends AdaptiveServerOptimizer {
  readonly name = 'fedyogi';

  protected nextSecondMoment(previous: number, deltaSquared: number): number {
    return previous - (1 - this.beta2) * deltaSquared * Math.sign(previous - deltaSquared);
  }
}
