import { FedAvg } from './fedavg';
import { FedProx } from './fedprox';
import type { TrainingSettings } from './train-instructions';

const training: TrainingSettings = { rounds: 10, localEpochs: 2, batchSize: 64, learningRate: 0.01, optimizer: 'adam' };

describe('FedProx', () => {
  it('passes the proximal coefficient to participants along with the job spec settings', () => {
    const strategy = new FedProx({ serverLearningRate: 1, proximalMu: 0.01 }, training);

    const instructions = strategy.fitInstructions(4);

    expect(instructions).toEqual({ mode: 'train', localEpochs: 2, batchSize: 64, learningRate: 0.01, optimizer: 'adam', proximalMu: 0.01, clipNorm: 0, noiseStd: 0, weighting: 'examples' });
  });

  it('takes the same server step as FedAvg', () => {
    const global = new Float32Array([1, 2]);
    const meanUpdate = new Float64Array([0.875, 2]);
    const strategy = new FedProx({ serverLearningRate: 0.5, proximalMu: 0.1 }, training);

    const next = strategy.serverStep(global, meanUpdate, 1);

    expect(Array.from(next)).toEqual([1.4375, 3]);
    expect(next).toEqual(new FedAvg({ serverLearningRate: 0.5 }, training).serverStep(global, meanUpdate, 1));
  });

  it('keeps its own name', () => {
    expect(new FedProx({ serverLearningRate: 1, proximalMu: 0.01 }, training).name).toBe('fedprox');
  });
});
