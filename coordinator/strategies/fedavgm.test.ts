import { FedAvgM } from './fedavgm';
import type { TrainingSettings } from './train-instructions';

const training: TrainingSettings = { rounds: 10, localEpochs: 1, batchSize: 32, learningRate: 0.001, optimizer: 'adam' };

describe('FedAvgM', () => {
  it('carries momentum from one round into the next', () => {
    const strategy = new FedAvgM({ serverLearningRate: 0.5, momentum: 0.5 }, training);
    const w0 = new Float32Array([0, 0]);

    // Round 1: v1 = 0.5·0 + [1, −2] = [1, −2];  w1 = [0, 0] + 0.5·v1 = [0.5, −1]
    const w1 = strategy.serverStep(w0, new Float64Array([1, -2]), 1);
    // Round 2: v2 = 0.5·[1, −2] + [0.5, 1] = [1, 0];  w2 = [0.5, −1] + 0.5·v2 = [1, −1]
    const w2 = strategy.serverStep(w1, new Float64Array([0.5, 1]), 2);

    expect(Array.from(w1)).toEqual([0.5, -1]);
    expect(Array.from(w2)).toEqual([1, -1]);
  });

  it('hands out the job spec training settings', () => {
    const strategy = new FedAvgM({ serverLearningRate: 1, momentum: 0.9 }, training);

    expect(strategy.fitInstructions(1)).toEqual({ mode: 'train', localEpochs: 1, batchSize: 32, learningRate: 0.001, optimizer: 'adam', proximalMu: 0, clipNorm: 0, noiseStd: 0, weighting: 'examples' });
  });
});
