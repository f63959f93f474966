import { FedSGD } from './fedsgd';
import type { TrainingSettings } from './train-instructions';

const training: TrainingSettings = { rounds: 10, localEpochs: 5, batchSize: 32, learningRate: 0.001, optimizer: 'adam' };

describe('FedSGD', () => {
  it('asks for one gradient pass whatever the spec says about local epochs', () => {
    const strategy = new FedSGD({ serverLearningRate: 0.1 }, training);

    const instructions = strategy.fitInstructions(1);

    expect(instructions).toEqual({ mode: 'gradient', localEpochs: 1, batchSize: 32, learningRate: 0.001, optimizer: 'adam', proximalMu: 0, clipNorm: 0, noiseStd: 0, weighting: 'examples' });
  });

  it('takes a gradient-descent step along the negated mean gradient', () => {
    const global = new Float32Array([1, 2]);
    // Mean gradient [0.5, -1], so the update the participants send is [-0.5, 1].
    const meanUpdate = new Float64Array([-0.5, 1]);
    const strategy = new FedSGD({ serverLearningRate: 0.5 }, training);

    const next = strategy.serverStep(global, meanUpdate, 1);

    // [1 + 0.5·(−0.5), 2 + 0.5·1]
    expect(Array.from(next)).toEqual([0.75, 2.5]);
  });
});
