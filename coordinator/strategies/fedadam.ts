import { AdaptiveServerOptimizer } from './adaptive-server-optimizer';

/** FedAdam: v_t = β2·v_{t−1} + (1 − β2)·Δ_t², an exponential average that forgets old rounds. */
export class FedAdam extends AdaptiveServerOptimizer {
  readonly name = 'fedadam';

  protected nextSecondMoment(previous: number, deltaSquared: number): number {
    return this.beta2 * previous + (1 - this.beta2) * deltaSquared;
  }
}
