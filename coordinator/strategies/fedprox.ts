import { FedAvg, type FedAvgOptions } from './fedavg';
import type { FitInstructions } from './strategy';
import type { TrainingSettings } from './train-instructions';

export interface FedProxOptions extends FedAvgOptions {
  proximalMu: number;
}

/**
 * FedProx (Li et al. 2020): FedAvg whose participants add (μ/2)·‖w − w_global‖²
 * to their local loss, which keeps heterogeneous clients from drifting apart.
 * Only the instructions differ; the server step is FedAvg's.
 */
export class FedProx extends FedAvg {
  override readonly name: string = 'fedprox';
  private readonly proximalMu: number;

  constructor(options: FedProxOptions, training: TrainingSettings) {
    super(options, training);
    this.proximalMu = options.proximalMu;
  }

  override fitInstructions(round: number): FitInstructions {
    return { ...super.fitInstructions(round), proximalMu: this.proximalMu };
  }
}
