import { FedAvg } from './fedavg';
import type { TrainingSettings } from './train-instructions';

const training: TrainingSettings = { rounds: 10, localEpochs: 3, batchSize: 16, learningRate: 0.05, optimizer: 'sgd' };

describe('FedAvg', () => {
  it('tells participants to train with the job spec settings and no proximal term', () => {
    const strategy = new FedAvg({ serverLearningRate: 1 }, training);

    const instructions = strategy.fitInstructions(1);

    expect(instructions).toEqual({ mode: 'train', localEpochs: 3, batchSize: 16, learningRate: 0.05, optimizer: 'sgd', proximalMu: 0, clipNorm: 0, noiseStd: 0, weighting: 'examples' });
  });

  it('with server learning rate 1 lands exactly on the example-weighted mean of the local models', () => {
    const global = new Float32Array([1, 2]);
    // Participant A trained on 1 example, B on 3; their local models:
    const localA = [1.5, 1]; // update [0.5, -1]
    const localB = [2, 5]; // update [1, 3]
    // Weighted mean update: [(1·0.5 + 3·1)/4, (1·(−1) + 3·3)/4] = [0.875, 2]
    const meanUpdate = new Float64Array([(1 * 0.5 + 3 * 1) / 4, (1 * -1 + 3 * 3) / 4]);
    const strategy = new FedAvg({ serverLearningRate: 1 }, training);

    const next = strategy.serverStep(global, meanUpdate, 1);

    // Weighted mean of the local models: [(1.5 + 3·2)/4, (1 + 3·5)/4] = [1.875, 4]
    expect(Array.from(next)).toEqual([(localA[0] + 3 * localB[0]) / 4, (localA[1] + 3 * localB[1]) / 4]);
    expect(Array.from(next)).toEqual([1.875, 4]);
  });

  it('scales the mean update by the server learning rate', () => {
    const strategy = new FedAvg({ serverLearningRate: 0.5 }, training);

    const next = strategy.serverStep(new Float32Array([1, 2]), new Float64Array([0.875, 2]), 1);

    // [1 + 0.5·0.875, 2 + 0.5·2]
    expect(Array.from(next)).toEqual([1.4375, 3]);
  });
});
