import type { FitInstructions, Strategy, StrategyState } from './strategy';
import { type TrainingSettings, trainInstructions } from './train-instructions';
import { addScaled } from './vector-math';

export interface FedSgdOptions {
  serverLearningRate: number;
}

/**
 * FedSGD (McMahan et al. 2017): each participant makes one pass over its data
 * and reports its mean gradient, negated, so the server step is plain
 * gradient descent: w + η·Δ with Δ = −(weighted mean gradient).
 */
export class FedSGD implements Strategy {
  readonly name = 'fedsgd';
  private readonly serverLearningRate: number;

  constructor(options: FedSgdOptions, private readonly training: TrainingSettings) {
    this.serverLearningRate = options.serverLearningRate;
  }

  fitInstructions(_round: number): FitInstructions {
    // One epoch whatever the spec says: the participant computes a gradient, it does not train.
    return { ...trainInstructions(this.training), mode: 'gradient', localEpochs: 1 };
  }

  serverStep(global: Float32Array, meanUpdate: Float64Array, _round: number): Float32Array {
    return addScaled(this.name, global, meanUpdate, this.serverLearningRate);
  }

  saveState(): StrategyState {
    return {};
  }

  loadState(_state: StrategyState): void {
    // Stateless: every round starts from the global model alone.
  }
}
