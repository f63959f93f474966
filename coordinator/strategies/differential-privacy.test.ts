import { seededGaussianSource } from '../../common/privacy';
import { DifferentialPrivacy } from './differential-privacy';
import { FedAvg } from './fedavg';

const training = { rounds: 3, localEpochs: 2, batchSize: 32, learningRate: 0.01, optimizer: 'adam' as const };

describe('DifferentialPrivacy decorator', () => {
  test('central mode: participants clip and weigh 1 each, and add no noise themselves', () => {
    const strategy = new DifferentialPrivacy(new FedAvg({ serverLearningRate: 1 }, training), { mode: 'central', clipNorm: 0.5, noiseMultiplier: 1.2 });

    const instructions = strategy.fitInstructions(1, 5);

    expect(instructions).toEqual({ mode: 'train', localEpochs: 2, batchSize: 32, learningRate: 0.01, optimizer: 'adam', proximalMu: 0, clipNorm: 0.5, noiseStd: 0, weighting: 'uniform' });
    expect(strategy.name).toBe('fedavg+dp-central');
  });

  test('distributed mode: each of the cohort adds the std the job\'s noise plan gives for a cohort of that size', () => {
    const asked: number[] = [];
    const strategy = new DifferentialPrivacy(new FedAvg({ serverLearningRate: 1 }, training), { mode: 'distributed', clipNorm: 2, noiseStd: (cohortSize) => (asked.push(cohortSize), (1.5 * 2) / Math.sqrt(cohortSize)) });

    const instructions = strategy.fitInstructions(1, 9);

    expect(asked).toEqual([9]);
    expect(instructions).toEqual({ mode: 'train', localEpochs: 2, batchSize: 32, learningRate: 0.01, optimizer: 'adam', proximalMu: 0, clipNorm: 2, noiseStd: 1, weighting: 'uniform' });
    expect(strategy.name).toBe('fedavg+dp-distributed');
  });

  test('central mode adds Gaussian noise of std z·C/m to the mean update before the inner server step', () => {
    const d = 20000;
    const mean = new Float64Array(d);
    const strategy = new DifferentialPrivacy(new FedAvg({ serverLearningRate: 1 }, training), { mode: 'central', clipNorm: 1, noiseMultiplier: 2, noise: seededGaussianSource(7) });

    const next = strategy.serverStep(new Float32Array(d), mean, 1, 4);

    let sum = 0;
    let squares = 0;
    for (const v of next) {
      sum += v;
      squares += v * v;
    }
    const std = Math.sqrt(squares / d - (sum / d) ** 2);
    expect(std).toBeGreaterThan(0.5 * 0.97);
    expect(std).toBeLessThan(0.5 * 1.03);
    expect(mean.every((v) => v === 0)).toBe(true);
  });

  test('distributed mode leaves the aggregate as the participants noised it', () => {
    const strategy = new DifferentialPrivacy(new FedAvg({ serverLearningRate: 1 }, training), { mode: 'distributed', clipNorm: 1, noiseStd: () => 1 });

    const next = strategy.serverStep(new Float32Array([1, 2]), new Float64Array([0.5, -0.5]), 1, 4);

    expect(Array.from(next)).toEqual([1.5, 1.5]);
  });
});
