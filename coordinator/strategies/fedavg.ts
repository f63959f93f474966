import type { FitInstructions, Strategy, StrategyState } from './strategy';
import { type TrainingSettings, trainInstructions } from './train-instructions';
import { addScaled } from './vector-math';

export interface FedAvgOptions {
  serverLearningRate: number;
}

/**
 * FedAvg (McMahan et al. 2017): participants train for several local epochs
 * and the server moves the global model along the weighted mean update. With
 * serverLearningRate 1 the new model is exactly the example-weighted mean of
 * the local models.
 */
export class FedAvg implements Strategy {
  // Typed as string, not a literal, so FedProx can extend this class under its own name.
  readonly name: string = 'fedavg';
  private readonly serverLearningRate: number;

  constructor(options: FedAvgOptions, private readonly training: TrainingSettings) {
    this.serverLearningRate = options.serverLearningRate;
  }

  fitInstructions(_round: number): FitInstructions {
    return trainInstructions(this.training);
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
