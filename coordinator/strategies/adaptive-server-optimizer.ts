import type { FitInstructions, Strategy, StrategyState } from './strategy';
import { type TrainingSettings, trainInstructions } from './train-instructions';
import { checkLength } from './vector-math';

export interface AdaptiveOptions {
  serverLearningRate: number;
  beta1: number;
  /** Unused by FedAdagrad, whose second moment is a plain sum. */
  beta2: number;
  /** Adaptivity floor: keeps the step bounded where the second moment is near zero. */
  tau: number;
}

/**
 * The shared part of FedAdagrad, FedAdam and FedYogi (Reddi et al., "Adaptive
 * Federated Optimization", ICLR 2021, Algorithm 2). Per coordinate:
 *   m_t = β1·m_{t−1} + (1 − β1)·Δ_t
 *   v_t = (the subclass's second-moment rule)
 *   w_{t+1} = w_t + η·m_t / (√v_t + τ)
 * m and v start at zero with no bias correction, as in the paper. The three
 * optimizers differ only in the v rule, so that is all a subclass supplies.
 */
export abstract class AdaptiveServerOptimizer implements Strategy {
  abstract readonly name: string;
  protected readonly beta2: number;
  private readonly serverLearningRate: number;
  private readonly beta1: number;
  private readonly tau: number;
  /** Created on the first step, when the model's size is first known. */
  private moments: { first: Float64Array; second: Float64Array } | undefined;

  constructor(options: AdaptiveOptions, private readonly training: TrainingSettings) {
    this.serverLearningRate = options.serverLearningRate;
    this.beta1 = options.beta1;
    this.beta2 = options.beta2;
    this.tau = options.tau;
  }

  /** v_t for one coordinate from v_{t−1} and Δ_t². */
  protected abstract nextSecondMoment(previous: number, deltaSquared: number): number;

  fitInstructions(_round: number): FitInstructions {
    return trainInstructions(this.training);
  }

  serverStep(global: Float32Array, meanUpdate: Float64Array, _round: number): Float32Array {
    checkLength(this.name, 'the mean update', global.length, meanUpdate.length);
    this.moments ??= { first: new Float64Array(global.length), second: new Float64Array(global.length) };
    const { first, second } = this.moments;
    checkLength(this.name, 'the optimizer state', global.length, first.length);
    const next = new Float32Array(global.length);
    for (let i = 0; i < global.length; i++) {
      const delta = meanUpdate[i];
      first[i] = this.beta1 * first[i] + (1 - this.beta1) * delta;
      second[i] = this.nextSecondMoment(second[i], delta * delta);
      next[i] = global[i] + (this.serverLearningRate * first[i]) / (Math.sqrt(second[i]) + this.tau);
    }
    return next;
  }

  saveState(): StrategyState {
    return this.moments ? { first: Float64Array.from(this.moments.first), second: Float64Array.from(this.moments.second) } : {};
  }

  loadState(state: StrategyState): void {
    this.moments = state.first && state.second ? { first: Float64Array.from(state.first), second: Float64Array.from(state.second) } : undefined;
  }
}
