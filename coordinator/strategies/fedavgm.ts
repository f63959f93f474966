import type { FitInstructions, Strategy, StrategyState } from './strategy';
import { type TrainingSettings, trainInstructions } from './train-instructions';
import { checkLength } from './vector-math';

export interface FedAvgMOptions {
  serverLearningRate: number;
  momentum: number;
}

/**
 * FedAvgM (Hsu et al. 2019): FedAvg with server-side momentum, which damps the
 * oscillation that non-IID participants cause:
 *   v ← momentum·v + Δ,   w ← w + η·v.
 */
export class FedAvgM implements Strategy {
  readonly name = 'fedavgm';
  private readonly serverLearningRate: number;
  private readonly momentum: number;
  /** Created on the first step, when the model's size is first known. */
  private velocity: Float64Array | undefined;

  constructor(options: FedAvgMOptions, private readonly training: TrainingSettings) {
    this.serverLearningRate = options.serverLearningRate;
    this.momentum = options.momentum;
  }

  fitInstructions(_round: number): FitInstructions {
    return trainInstructions(this.training);
  }

  serverStep(global: Float32Array, meanUpdate: Float64Array, _round: number): Float32Array {
    checkLength(this.name, 'the mean update', global.length, meanUpdate.length);
    const velocity = (this.velocity ??= new Float64Array(global.length));
    checkLength(this.name, 'the momentum buffer', global.length, velocity.length);
    const next = new Float32Array(global.length);
    for (let i = 0; i < global.length; i++) {
      velocity[i] = this.momentum * velocity[i] + meanUpdate[i];
      next[i] = global[i] + this.serverLearningRate * velocity[i];
    }
    return next;
  }

  saveState(): StrategyState {
    return this.velocity ? { velocity: Float64Array.from(this.velocity) } : {};
  }

  loadState(state: StrategyState): void {
    this.velocity = state.velocity ? Float64Array.from(state.velocity) : undefined;
  }
}
