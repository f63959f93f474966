import { FedYogi } from './fedyogi';
import type { TrainingSettings } from './train-instructions';

const training: TrainingSettings = { rounds: 10, localEpochs: 1, batchSize: 32, learningRate: 0.001, optimizer: 'adam' };

// η = 0.1, β1 = 0.9, β2 = 0.99, τ = 0.001
const options = { serverLearningRate: 0.1, beta1: 0.9, beta2: 0.99, tau: 0.001 };

describe('FedYogi', () => {
  it('takes the first step from zero moments', () => {
    const strategy = new FedYogi(options, training);
    const w0 = new Float32Array([0.5, -0.25]);

    // Δ1 = [0.2, −0.4]
    //   m1 = 0.1·Δ1 = [0.02, −0.04]
    //   v1 = 0 − 0.01·Δ1²·sign(0 − Δ1²) = 0.01·Δ1² = [0.0004, 0.0016], √v1 = [0.02, 0.04]
    //   w1 = w0 + 0.1·m1/(√v1 + 0.001) = [0.5 + 0.002/0.021, −0.25 − 0.004/0.041]
    const w1 = strategy.serverStep(w0, new Float64Array([0.2, -0.4]), 1);

    expect(w1[0]).toBeCloseTo(Math.fround(0.5 + 0.002 / 0.021), 10);
    expect(w1[1]).toBeCloseTo(Math.fround(-0.25 - 0.004 / 0.041), 10);
  });

  it('moves v by (1 − β2)·Δ², up where Δ² exceeds v and down where it does not', () => {
    const strategy = new FedYogi(options, training);
    const w1 = strategy.serverStep(new Float32Array([0.5, -0.25]), new Float64Array([0.2, -0.4]), 1);

    // From v1 = [0.0004, 0.0016], m1 = [0.02, −0.04], with Δ2 = [0.1, 0.02]:
    //   m2 = 0.9·m1 + 0.1·Δ2 = [0.028, −0.034]
    //   coordinate 0: Δ² = 0.01 > v1 → v2 = 0.0004 + 0.01·0.01 = 0.0005
    //   coordinate 1: Δ² = 0.0004 < v1 → v2 = 0.0016 − 0.01·0.0004 = 0.001596
    //   w2 = w1 + 0.1·m2/(√v2 + 0.001) = w1 + [0.0028/(√0.0005 + 0.001), −0.0034/(√0.001596 + 0.001)]
    const w2 = strategy.serverStep(w1, new Float64Array([0.1, 0.02]), 2);

    expect(w2[0]).toBeCloseTo(Math.fround(w1[0] + 0.0028 / (Math.sqrt(0.0005) + 0.001)), 10);
    expect(w2[1]).toBeCloseTo(Math.fround(w1[1] - 0.0034 / (Math.sqrt(0.001596) + 0.001)), 10);
  });
});
