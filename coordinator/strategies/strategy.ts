/**
 * A Strategy decides what participants do in a round (their local training
 * settings) and how the coordinator turns the weighted mean of their updates
 * into the next global model (the server step). The coordinator only ever
 * sees the aggregate, never an individual update.
 *
 * Vectors are the model's weights flattened in manifest order.
 */
export interface FitInstructions {
  /** 'train': local epochs, update = w_local - w_global. 'gradient': one pass, update = -mean gradient (FedSGD). */
  mode: 'train' | 'gradient';
  localEpochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: 'sgd' | 'adam' | 'rmsprop' | 'adagrad';
  /** FedProx proximal coefficient; 0 disables the proximal term. */
  proximalMu: number;
  /** Differential privacy: each participant clips its update to this L2 norm; 0 means no clipping. */
  clipNorm: number;
  /** Distributed DP: std of the Gaussian noise each participant adds to its clipped update; 0 means none. */
  noiseStd: number;
  /** 'examples': a participant weighs its example count; 'uniform': every participant weighs 1 (DP needs bounded weights). */
  weighting: 'examples' | 'uniform';
}

/** A server optimizer's state by name (momentum, moments): what a resumed job needs to continue exactly. */
export type StrategyState = Record<string, Float64Array>;

export interface Strategy {
  readonly name: string;
  /** Local training instructions for every participant of this round's cohort of `cohortSize`. */
  fitInstructions(round: number, cohortSize: number): FitInstructions;
  /**
   * Next global weights from the current ones and the weighted mean update
   * of this round's `contributors`. Must not mutate its inputs.
   */
  serverStep(global: Float32Array, meanUpdate: Float64Array, round: number, contributors: number): Float32Array;
  /** Copies of the server-side state, saved with every checkpoint; empty for a stateless strategy. */
  saveState(): StrategyState;
  /** Restores what saveState returned, when a job resumes from a checkpoint. */
  loadState(state: StrategyState): void;
}
