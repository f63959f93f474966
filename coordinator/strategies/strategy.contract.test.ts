/**
 * The contract every Strategy keeps, run against each implementation: fresh
 * output of the model's size, untouched inputs, a zero update that changes
 * nothing, and a loud failure on a mismatched update that leaves state alone.
 */
import { FedAdagrad } from './fedadagrad';
import { FedAdam } from './fedadam';
import { FedAvg } from './fedavg';
import { FedAvgM } from './fedavgm';
import { FedProx } from './fedprox';
import { FedSGD } from './fedsgd';
import { FedYogi } from './fedyogi';
import type { Strategy } from './strategy';
import type { TrainingSettings } from './train-instructions';

const training: TrainingSettings = { rounds: 10, localEpochs: 2, batchSize: 8, learningRate: 0.02, optimizer: 'sgd' };
const adaptive = { serverLearningRate: 0.1, beta1: 0.9, beta2: 0.99, tau: 0.001 };

const implementations: Array<[string, () => Strategy]> = [
  ['fedavg', () => new FedAvg({ serverLearningRate: 1 }, training)],
  ['fedprox', () => new FedProx({ serverLearningRate: 1, proximalMu: 0.01 }, training)],
  ['fedsgd', () => new FedSGD({ serverLearningRate: 0.1 }, training)],
  ['fedavgm', () => new FedAvgM({ serverLearningRate: 1, momentum: 0.9 }, training)],
  ['fedadam', () => new FedAdam(adaptive, training)],
  ['fedyogi', () => new FedYogi(adaptive, training)],
  ['fedadagrad', () => new FedAdagrad(adaptive, training)],
];

describe.each(implementations)('Strategy contract: %s', (name, create) => {
  it('is named after its spec', () => {
    expect(create().name).toBe(name);
  });

  it('passes batch size, learning rate and optimizer from the job spec', () => {
    const instructions = create().fitInstructions(1, 3);

    expect(instructions).toMatchObject({ batchSize: 8, learningRate: 0.02, optimizer: 'sgd' });
  });

  it('returns a fresh vector of the model size and leaves its inputs alone', () => {
    const strategy = create();
    const global = new Float32Array([0.5, -1, 2]);
    const meanUpdate = new Float64Array([0.25, 0.5, -0.75]);

    const first = strategy.serverStep(global, meanUpdate, 1, 3);
    const second = strategy.serverStep(first, meanUpdate, 2, 3);

    expect(first).toBeInstanceOf(Float32Array);
    expect(first).not.toBe(global);
    expect(first).toHaveLength(3);
    expect(second).not.toBe(first);
    expect(Array.from(global)).toEqual([0.5, -1, 2]);
    expect(Array.from(meanUpdate)).toEqual([0.25, 0.5, -0.75]);
  });

  it('continues exactly from saved state: a restored copy takes the same next step bit for bit', () => {
    const original = create();
    const updates = [new Float64Array([0.25, 0.5, -0.75]), new Float64Array([-0.1, 0.3, 0.05]), new Float64Array([0.2, -0.4, 0.6])];
    let global: Float32Array = new Float32Array([0.5, -1, 2]);
    global = original.serverStep(global, updates[0], 1, 3);
    global = original.serverStep(global, updates[1], 2, 3);
    const saved = original.saveState();
    const restored = create();
    restored.loadState(saved);

    const expected = original.serverStep(global, updates[2], 3, 3);
    const resumed = restored.serverStep(global, updates[2], 3, 3);

    expect(Array.from(resumed)).toEqual(Array.from(expected));
    // The saved state is a copy: stepping the original afterwards does not change it.
    expect(Object.keys(original.saveState())).toEqual(Object.keys(saved));
  });

  it('leaves the model where it is on a first round with a zero update', () => {
    const next = create().serverStep(new Float32Array([0.5, -1, 2]), new Float64Array(3), 1, 3);

    expect(Array.from(next)).toEqual([0.5, -1, 2]);
  });

  it('rejects an update of the wrong size without disturbing its state', () => {
    const strategy = create();
    const global = new Float32Array([0.5, -1]);
    const meanUpdate = new Float64Array([0.25, -0.5]);
    strategy.serverStep(global, meanUpdate, 1, 3);

    const rejected = (): Float32Array => strategy.serverStep(global, new Float64Array(3), 2, 3);
    const afterRejection = (): Float32Array => strategy.serverStep(global, meanUpdate, 2, 3);

    expect(rejected).toThrow(expect.objectContaining({ code: 'STRATEGY_SHAPE_MISMATCH', component: 'coordinator' }));
    const reference = create();
    reference.serverStep(global, meanUpdate, 1, 3);
    expect(afterRejection()).toEqual(reference.serverStep(global, meanUpdate, 2, 3));
  });
});
