import { FedAdam } from './fedadam';
import type { TrainingSettings } from './train-instructions';

const training: TrainingSettings = { rounds: 10, localEpochs: 1, batchSize: 32, learningRate: 0.001, optimizer: 'adam' };

// η = 0.1, β1 = 0.9, β2 = 0.99, τ = 0.001
const options = { serverLearningRate: 0.1, beta1: 0.9, beta2: 0.99, tau: 0.001 };

describe('FedAdam', () => {
  it('follows Reddi et al. Algorithm 2 over two rounds', () => {
    const strategy = new FedAdam(options, training);
    const w0 = new Float32Array([0.5, -0.25]);

    // Round 1, Δ1 = [0.2, −0.4]:
    //   m1 = 0.1·Δ1 = [0.02, −0.04]
    //   v1 = 0.01·Δ1² = [0.0004, 0.0016], √v1 = [0.02, 0.04]
    //   w1 = w0 + 0.1·m1/(√v1 + 0.001) = [0.5 + 0.002/0.021, −0.25 − 0.004/0.041] ≈ [0.5952380952, −0.3475609756]
    const w1 = strategy.serverStep(w0, new Float64Array([0.2, -0.4]), 1);
    // Round 2, Δ2 = [0.1, 0.3]:
    //   m2 = 0.9·m1 + 0.1·Δ2 = [0.018 + 0.01, −0.036 + 0.03] = [0.028, −0.006]
    //   v2 = 0.99·v1 + 0.01·Δ2² = [0.000396 + 0.0001, 0.001584 + 0.0009] = [0.000496, 0.002484]
    //   √v2 ≈ [0.0222710575, 0.0498397432]
    //   w2 = w1 + 0.1·m2/(√v2 + 0.001) ≈ w1 + [0.0028/0.0232710575, −0.0006/0.0508397432] ≈ w1 + [0.1203211, −0.0118018]
    const w2 = strategy.serverStep(w1, new Float64Array([0.1, 0.3]), 2);

    // The model is float32, so each expected weight is rounded to float32 as the strategy's output is.
    const expectedW1 = [Math.fround(0.5 + 0.002 / 0.021), Math.fround(-0.25 - 0.004 / 0.041)];
    const expectedW2 = [
      Math.fround(expectedW1[0] + 0.0028 / (Math.sqrt(0.000496) + 0.001)),
      Math.fround(expectedW1[1] - 0.0006 / (Math.sqrt(0.002484) + 0.001)),
    ];
    expect(w1[0]).toBeCloseTo(expectedW1[0], 10);
    expect(w1[1]).toBeCloseTo(expectedW1[1], 10);
    expect(w2[0]).toBeCloseTo(expectedW2[0], 10);
    expect(w2[1]).toBeCloseTo(expectedW2[1], 10);
    // Sanity check on the rounded values against the decimals in the comments.
    expect(w1[0]).toBeCloseTo(0.5952380952, 6);
    expect(w2[0]).toBeCloseTo(0.5952380952 + 0.1203211, 6);
  });
});
