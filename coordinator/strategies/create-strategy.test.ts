import type { StrategySpec } from '../../common/job-spec';
import { createStrategy } from './create-strategy';
import { FedAdagrad } from './fedadagrad';
import { FedAdam } from './fedadam';
import { FedAvg } from './fedavg';
import { FedAvgM } from './fedavgm';
import { FedProx } from './fedprox';
import { FedSGD } from './fedsgd';
import { FedYogi } from './fedyogi';
import type { TrainingSettings } from './train-instructions';

const training: TrainingSettings = { rounds: 10, localEpochs: 1, batchSize: 32, learningRate: 0.001, optimizer: 'adam' };
const adaptive = { serverLearningRate: 0.01, beta1: 0.9, beta2: 0.99, tau: 0.001 };

const cases: Array<[StrategySpec, Function]> = [
  [{ name: 'fedavg', serverLearningRate: 1 }, FedAvg],
  [{ name: 'fedprox', serverLearningRate: 1, proximalMu: 0.01 }, FedProx],
  [{ name: 'fedsgd', serverLearningRate: 0.1 }, FedSGD],
  [{ name: 'fedavgm', serverLearningRate: 1, momentum: 0.9 }, FedAvgM],
  [{ name: 'fedadam', ...adaptive }, FedAdam],
  [{ name: 'fedyogi', ...adaptive }, FedYogi],
  [{ name: 'fedadagrad', ...adaptive }, FedAdagrad],
];

describe('createStrategy', () => {
  it.each(cases)('builds the strategy named %p', (spec, expectedClass) => {
    const strategy = createStrategy(spec, training);

    expect(strategy).toBeInstanceOf(expectedClass);
    expect(strategy.constructor).toBe(expectedClass);
    expect(strategy.name).toBe(spec.name);
  });

  it('passes the spec settings on to the strategy', () => {
    const strategy = createStrategy({ name: 'fedprox', serverLearningRate: 0.5, proximalMu: 0.25 }, training);

    const next = strategy.serverStep(new Float32Array([1]), new Float64Array([2]), 1, 3);

    expect(strategy.fitInstructions(1, 3).proximalMu).toBe(0.25);
    expect(Array.from(next)).toEqual([2]);
  });

  it('refuses a name the schema does not know', () => {
    const spec = { name: 'fedmystery', serverLearningRate: 1 } as unknown as StrategySpec;

    expect(() => createStrategy(spec, training)).toThrow(expect.objectContaining({ code: 'STRATEGY_UNKNOWN' }));
  });
});
