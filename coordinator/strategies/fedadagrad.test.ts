import { FedAdagrad } from './fedadagrad';
import type { TrainingSettings } from './train-instructions';

const training: TrainingSettings = { rounds: 10, localEpochs: 1, batchSize: 32, learningRate: 0.001, optimizer: 'adam' };

describe('FedAdagrad', () => {
  it('takes the first step with v = Δ²', () => {
    // η = 0.1, β1 = 0.9, τ = 0.001; β2 plays no part in Adagrad.
    const strategy = new FedAdagrad({ serverLearningRate: 0.1, beta1: 0.9, beta2: 0.99, tau: 0.001 }, training);
    const w0 = new Float32Array([0.5, -0.25]);

    // Δ1 = [0.2, −0.4]
    //   m1 = 0.1·Δ1 = [0.02, −0.04]
    //   v1 = 0 + Δ1² = [0.04, 0.16], √v1 = [0.2, 0.4]
    //   w1 = w0 + 0.1·m1/(√v1 + 0.001) = [0.5 + 0.002/0.201, −0.25 − 0.004/0.401] ≈ [0.5099502488, −0.2599750623]
    const w1 = strategy.serverStep(w0, new Float64Array([0.2, -0.4]), 1);

    expect(w1[0]).toBeCloseTo(Math.fround(0.5 + 0.002 / 0.201), 10);
    expect(w1[1]).toBeCloseTo(Math.fround(-0.25 - 0.004 / 0.401), 10);
  });
});
