import { AdaptiveServerOptimizer } from './adaptive-server-optimizer';

/** FedAdagrad: v_t = v_{t−1} + Δ_t². Steps shrink on coordinates that have moved a lot. */
export class FedAdagrad extends AdaptiveServerOptimizer {
  readonly name = 'fedadagrad';

  protected nextSecondMoment(previous: number, deltaSquared: number): number {
    return previous + deltaSquared;
  }
}
